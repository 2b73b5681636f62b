// The real app (src/main.ts) in a child process, against loopback fakes and a test database in this
// process: for the crash tests, which kill it at chosen points (MAILROOM_FAULT) and start it again.
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../src/lib/free-port.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { type FakeSlack, startFakeSlack } from '../../src/sandbox/fakes/slack-server.ts';
import { type FakeSmtp, startFakeSmtp } from '../../src/sandbox/fakes/smtp-server.ts';
import { type FakeTwilio, startFakeTwilio } from '../../src/sandbox/fakes/twilio-server.ts';
import { SlackDriver } from '../../src/sandbox/slack-driver.ts';
import { appEntryArgs } from './app-entry.ts';
import { BOT_TOKEN, CPANEL_TOKEN, People, SECRET_KEY, SIGNING_SECRET, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN } from './harness.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';

export interface World {
  db: TestDatabase;
  slack: FakeSlack;
  cpanel: FakeCpanel;
  twilio: FakeTwilio;
  smtp: FakeSmtp;
  port: number;
  driver: SlackDriver;
  close(): Promise<void>;
}

export interface AppProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** `databaseServerUrl`: another MariaDB than the default test server (the outage tests start their own). */
export async function startWorld(options: { databaseServerUrl?: string } = {}): Promise<World> {
  const db = await createTestDatabase(options.databaseServerUrl ? { serverUrl: options.databaseServerUrl } : {});
  const slack = await startFakeSlack({
    botToken: BOT_TOKEN,
    users: [
      { id: People.requester, name: 'rita', realName: 'Rita Requester', email: 'rita@example.com' },
      { id: People.superior, name: 'sam', realName: 'Sam Superior', email: 'sam@example.com', phone: '+14155550102' },
      { id: People.admin, name: 'ada', realName: 'Ada Admin' },
    ],
  });
  const cpanel = await startFakeCpanel({ user: 'acme', token: CPANEL_TOKEN, domains: ['example.com'] });
  const twilio = await startFakeTwilio({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const smtp = await startFakeSmtp({ user: 'mailroom', password: 'smtp-password' });
  const port = await freePort();
  const driver = new SlackDriver({
    appUrl: `http://127.0.0.1:${port}`,
    signingSecret: SIGNING_SECRET,
    issueTriggerId: () => slack.issueTriggerId(),
  });
  const world: World = {
    db,
    slack,
    cpanel,
    twilio,
    smtp,
    port,
    driver,
    async close() {
      await Promise.all([slack.close(), cpanel.close(), twilio.close(), smtp.close()]);
      await db.drop();
    },
  };
  return world;
}

function appEnv(world: World): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: world.db.url,
    PORT: String(world.port),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: world.slack.apiUrl,
    MAIL_DOMAINS: 'example.com',
    MAILBOX_PROVIDER: 'cpanel',
    CPANEL_URL: world.cpanel.url,
    CPANEL_USER: 'acme',
    CPANEL_API_TOKEN: CPANEL_TOKEN,
    ADMIN_USER_IDS: People.admin,
    HR_USER_IDS: People.admin,
    DEFAULT_PHONE_REGION: 'US',
    SECRET_KEY,
    LOG_LEVEL: 'warn',
    JOB_POLL_MS: '200',
    JOB_LEASE_SECONDS: '2',
    JOB_BACKOFF_BASE_MS: '1000',
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM,
    TWILIO_API_URL: world.twilio.url,
    SMTP_URL: world.smtp.url,
    MAIL_FROM: 'Acme IT <it@example.com>',
    PUBLIC_URL: `http://127.0.0.1:${world.port}`,
    COMPANY_NAME: 'Acme',
    IT_CONTACT: 'it@example.com',
  };
}

export interface AppOptions {
  /** Another port than the world's (a second replica); the world's driver talks to the world's port. */
  port?: number;
  /** Where /healthz is probed (default `port`): a worker answers on WORKER_PORT. */
  healthPort?: number;
  /** Settings over the defaults, e.g. JOB_LEASE_SECONDS, MAILROOM_ROLE. */
  env?: Record<string, string>;
}

/** Starts src/main.ts; resolves once /healthz answers 200. `fault`: MAILROOM_FAULT for this run. */
export async function startApp(world: World, fault?: string, options: AppOptions = {}): Promise<AppProcess> {
  const { SLACK_APP_TOKEN: _socket, MAILROOM_ROLE: _role, ...parentEnv } = process.env;
  const port = options.port ?? world.port;
  const healthPort = options.healthPort ?? port;
  const child = spawn(process.execPath, appEntryArgs(), {
    env: {
      ...parentEnv,
      ...appEnv(world),
      PORT: String(port),
      ...options.env,
      ...(fault ? { MAILROOM_FAULT: fault } : { MAILROOM_FAULT: '' }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the app exited at start:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${healthPort}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    // Answered by this child, not by one a test forgot to stop (this one would have died on the port).
    if (ok && child.exitCode === null && child.signalCode === null) return { child, exited, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the app did not answer on /healthz:\n${output}`);
}
