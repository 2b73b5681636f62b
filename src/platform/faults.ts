/**
 * Fault points for the crash tests: `MAILROOM_FAULT=<point>:<kill|throw>` makes the process die
 * (SIGKILL) or the job throw the first time it reaches that point — e.g. right after a DM was
 * posted and before it was recorded. Unset, or with NODE_ENV=production, a fault point does nothing.
 */
const fired = new Set<string>();

export function faultPoint(point: string): void {
  const setting = process.env.MAILROOM_FAULT;
  // Never in production, whatever the environment says.
  if (!setting || process.env.NODE_ENV === 'production') return;
  const [name, mode = 'throw'] = setting.split(':');
  if (name !== point || fired.has(point)) return;
  fired.add(point);
  if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
  throw new Error(`fault injected at ${point}`);
}
