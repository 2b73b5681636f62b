export { OffsetClock as ManualClock } from '../../src/platform/clock.ts';
