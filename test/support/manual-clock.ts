export { OffsetClock as ManualClock } from '../../src/lib/clock.ts';
