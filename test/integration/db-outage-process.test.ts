// The whole app as its own process (src/main.ts, with the driver-error guard the entry installs)
// on a MariaDB of the test's own: the server is killed and restarted several times, and then new
// connections are cut in the middle of their set-up (through a proxy, so it happens every time
// rather than by the luck of a kill's timing: the driver's path that leaves an unhandled
// rejection). The process must never die, and once the database is back it works on by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp, startWorld, type World } from '../support/app-process.ts';
import { type DbProxy, startDbProxy } from '../support/db-proxy.ts';
import { eventually, People, requestFormValues } from '../support/harness.ts';
import { type SecondMariaDb, startSecondMariaDb } from '../support/second-mariadb.ts';

const OUTAGES = 3;

describe('the app process while its database comes and goes', () => {
  let server: SecondMariaDb;
  let proxy: DbProxy;
  let world: World;
  let app: AppProcess | undefined;
  beforeAll(async () => {
    server = await startSecondMariaDb();
    world = await startWorld({ databaseServerUrl: server.url });
    proxy = await startDbProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
  }, 60_000);
  afterAll(async () => {
    app?.child.kill('SIGKILL');
    await app?.exited;
    await proxy?.close();
    await server?.ensureRunning();
    await world?.close().catch(() => undefined);
    await server?.destroy();
  });

  const health = () =>
    fetch(`http://127.0.0.1:${world.port}/healthz`, { signal: AbortSignal.timeout(2500) }).then(
      (r) => r.status,
      () => 0,
    );
  const alive = (running: AppProcess) => running.child.exitCode === null && running.child.signalCode === null;

  it('survives outages and connections cut while opening, and resumes when the database returns', async () => {
    const viaProxy = new URL(world.db.url);
    viaProxy.port = String(proxy.port);
    app = await startApp(world, undefined, { env: { DATABASE_URL: viaProxy.toString(), JOB_POLL_MS: '100', LOG_LEVEL: 'info' } });
    const running = app;

    for (let outage = 1; outage <= OUTAGES; outage += 1) {
      const probes = Array.from({ length: 8 }, () => health());
      await server.kill();
      await Promise.all(probes);
      expect(await health()).toBe(503);
      expect(alive(running), running.output()).toBe(true);
      await server.start();
      await eventually(async () => (await health()) === 200, `/healthz after outage ${outage}`, 30_000);
    }

    // Every pooled connection gone, and every new one cut right after it authenticated.
    await server.kill();
    proxy.mode = 'cut-setup';
    await server.start();
    await eventually(
      async () => {
        await Promise.all(Array.from({ length: 4 }, () => health()));
        return proxy.cuts >= 10;
      },
      'ten connections cut during their set-up',
      30_000,
    );
    expect(alive(running), running.output()).toBe(true);
    proxy.mode = 'pass';
    await eventually(async () => (await health()) === 200, '/healthz once connections open again', 30_000);
    expect(alive(running), running.output()).toBe(true);
    const guarded = running
      .output()
      .split('\n')
      .filter((line) => line.includes('database connection lost while opening')).length;
    console.info(
      `db outages: ${OUTAGES} kills of the database and ${proxy.cuts} connections cut while opening; the process stayed up; the driver guard caught ${guarded}`,
    );

    // The cuts took the driver's unguarded path (mariadb 3.4.5); without the guard in main.ts the process would have died.
    expect(guarded).toBeGreaterThan(0);

    // Working on by itself: a request filed now is approved and its mailbox created.
    const filed = await world.driver.viewSubmission({
      userId: People.requester,
      view: { callbackId: 'request_email_modal', values: requestFormValues({ localPart: 'after.outages' }) },
    });
    expect(filed.body).toBe('');
    const request = await world.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'after.outages' } });
    const dm = await eventually(() => world.db.prisma.approvalMessage.findFirst({ where: { requestId: request.id } }), 'the approval DM');
    await world.driver.blockAction({
      userId: People.superior,
      actionId: 'request_approve',
      value: String(request.id),
      channelId: dm.channelId,
      messageTs: dm.ts,
      responseUrl: world.slack.responseUrl('approve-after-outages'),
      triggerId: world.slack.issueTriggerId(),
    });
    await eventually(async () => world.cpanel.mailboxes.has('after.outages@example.com'), 'the mailbox after the outages');
    expect(world.cpanel.callsTo('add_pop')).toHaveLength(1);
    expect(alive(running)).toBe(true);
  }, 180_000);
});
