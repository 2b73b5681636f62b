/**
 * The cPanel fake as a process of its own, as a real cPanel is a server of its own: the batch
 * benchmark measures the CLI's own work, not the fake's HTTP handling on the CLI's event loop.
 * Env: CPANEL_TOKEN, DELAY_MS. Prints `{"url": …}` once listening; `GET /calls` (no auth) answers
 * how many add_pop calls succeeded, when the first and last arrived, and the most calls in flight at once; stops on SIGTERM.
 */
import http from 'node:http';
import { startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';

const cpanel = await startFakeCpanel({ user: 'acme', token: process.env.CPANEL_TOKEN ?? '', domains: ['example.com'] });
cpanel.delayMs = Number(process.env.DELAY_MS ?? 0);
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};
const stats = http.createServer((_req, res) => {
  const added = cpanel.callsTo('add_pop').filter((call) => call.status === 200);
  const span = { firstAt: added[0]?.receivedAt ?? null, lastAt: added.at(-1)?.receivedAt ?? null };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ created: added.length, calls: cpanel.calls.length, maxInFlight: cpanel.maxInFlight, cpuMs: cpuMs(), ...span }));
});
await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
const address = stats.address();
console.log(JSON.stringify({ url: cpanel.url, stats: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` }));
process.on('SIGTERM', () => {
  stats.close();
  void cpanel.close().then(() => process.exit(0));
});
