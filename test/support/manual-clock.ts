import type { Clock } from '../../src/lib/clock.ts';

/** Real time plus an offset the test can push forward: backoff and retention pass in an instant. */
export class ManualClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
