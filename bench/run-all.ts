/**
 * `npm run bench`: every benchmark in one run, each against its baseline measured in the same run,
 * then one summary table. On demand only (never part of `npm test`); figures depend on the machine.
 */
import { benchAck } from './ack-latency.ts';
import { benchBatch } from './batch.ts';
import { benchDrain } from './drain.ts';
import { type BenchResult, cleanupAll, printResult, printSummary } from './lib.ts';
import { benchCounts } from './pipeline-counts.ts';

const benches: Array<[string, () => Promise<BenchResult[]>]> = [
  ['statement and row counts', benchCounts],
  ['batch creation', benchBatch],
  ['provisioning drain', benchDrain],
  ['ack latency, memory, start-up', benchAck],
];

const results: BenchResult[] = [];
try {
  for (const [name, bench] of benches) {
    console.log(`\n== ${name}`);
    try {
      for (const result of await bench()) {
        printResult(result);
        results.push(result);
      }
    } catch (error) {
      console.error(`${name} failed:`, error instanceof Error ? error.stack : error);
      results.push({ bench: name, goal: '-', measured: 'ERROR', baseline: '-', pass: false, note: String(error).slice(0, 200) });
    }
    await cleanupAll();
  }
} finally {
  await cleanupAll();
}
printSummary(results);
