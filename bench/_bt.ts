import { benchBatch } from './batch.ts';
import { cleanupAll, printResult } from './lib.ts';

try {
  for (const r of await benchBatch()) printResult(r);
} finally {
  await cleanupAll();
}
