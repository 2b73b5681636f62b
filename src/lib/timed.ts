/** Told of every call through a timed() object: which target, which function, how it ended, how long it took. */
export type CallObserver = (target: string, fn: string, outcome: 'ok' | 'error', seconds: number) => void;

/**
 * Wraps an adapter so that each of its methods reports its latency: one wrapper at the point where
 * the adapter is built, instead of timing code at every call site. Methods run on the real object;
 * only those that return a promise are reported.
 */
export function timed<T extends object>(target: T, name: string, observe: CallObserver): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const startedAt = performance.now();
        const report = (outcome: 'ok' | 'error') => observe(name, property, outcome, (performance.now() - startedAt) / 1000);
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
        // Only calls that go out (they return promises) are timed; plain helpers are passed through.
        if (!(result instanceof Promise)) return result;
        return result.then(
          (answer: unknown) => {
            // The adapters answer most failures as { ok: false, … } rather than by throwing.
            report(typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === false ? 'error' : 'ok');
            return answer;
          },
          (error: unknown) => {
            report('error');
            throw error;
          },
        );
      };
    },
  });
}
