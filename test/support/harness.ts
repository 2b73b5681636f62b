import { Writable } from 'node:stream';
import { createMailroom, type Mailroom } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Prisma } from '../../src/generated/prisma/client.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { type FakeCpanel, startFakeCpanel } from '../../src/sandbox/fakes/cpanel-server.ts';
import { type FakeSlack, type FakeSlackUser, startFakeSlack } from '../../src/sandbox/fakes/slack-server.ts';
import { type FakeSmtp, startFakeSmtp } from '../../src/sandbox/fakes/smtp-server.ts';
import { type FakeTwilio, startFakeTwilio } from '../../src/sandbox/fakes/twilio-server.ts';
import { datePicker, emailText, plainText, SlackDriver, staticSelect, usersSelect } from '../../src/sandbox/slack-driver.ts';
import { ManualClock } from './manual-clock.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';

export const People = {
  requester: 'U0REQUEST1',
  superior: 'U0SUPERIOR',
  admin: 'U0ADMIN001',
  admin2: 'U0ADMIN002',
  outsider: 'U0OUTSIDER',
  gone: 'U0GONE0001',
  botUser: 'U0BOTUSER1',
  hr: 'U0HRPERSON',
  hrGroupMember: 'U0HRGROUP1',
} as const;

export const BOT_TOKEN = 'xoxb-test-1234-5678-abcdefghijkl';
export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const CPANEL_TOKEN = 'CPANELTOKEN0123456789ABCDEFGHIJ';
export const SECRET_KEY = '0f'.repeat(32);
export const TWILIO_SID = `AC${'a1'.repeat(16)}`;
export const TWILIO_TOKEN = 'twilio-auth-token-0123456789';
export const TWILIO_FROM = '+15005550006';
/** The credential links' base; tests map it onto the app's real port with `h.appUrl`. */
export const PUBLIC_URL = 'https://mailroom.test';
/** The Slack user group of HR staff beyond HR_USER_IDS. */
export const HR_USERGROUP = 'S0HRTEAM01';

export const harnessUsers: FakeSlackUser[] = [
  { id: People.requester, name: 'rita', realName: 'Rita Requester', email: 'rita@example.com', tz: 'Europe/London' },
  { id: People.superior, name: 'sam', realName: 'Sam Superior', email: 'sam@example.com' },
  { id: People.admin, name: 'ada', realName: 'Ada Admin' },
  { id: People.admin2, name: 'alan', realName: 'Alan Admin' },
  { id: People.outsider, name: 'olga', realName: 'Olga Outsider' },
  { id: People.gone, name: 'gary', realName: 'Gary Gone', deleted: true },
  { id: People.botUser, name: 'robot', realName: 'Some Bot', isBot: true },
  { id: People.hr, name: 'hanna', realName: 'Hanna HR', email: 'hanna@example.com' },
  { id: People.hrGroupMember, name: 'henry', realName: 'Henry HR', email: 'henry@example.com' },
];

export interface Harness {
  db: TestDatabase;
  slack: FakeSlack;
  cpanel: FakeCpanel;
  mailroom: Mailroom;
  driver: SlackDriver;
  clock: ManualClock;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  twilio: FakeTwilio;
  smtp: FakeSmtp;
  /** Where the app listens, e.g. http://127.0.0.1:40123. */
  appUrl: string;
  close(): Promise<void>;
}

/** The app's settings against the loopback fakes (tests and bench/ start the app with them). */
export function harnessEnv(urls: { databaseUrl: string; slackApiUrl: string; cpanelUrl: string; twilioUrl: string; smtpUrl: string }) {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: urls.databaseUrl,
    PORT: '0',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: urls.slackApiUrl,
    MAIL_DOMAINS: 'example.com,example.org',
    MAILBOX_PROVIDER: 'cpanel',
    CPANEL_URL: urls.cpanelUrl,
    CPANEL_USER: 'acme',
    CPANEL_API_TOKEN: CPANEL_TOKEN,
    CPANEL_TIMEOUT_MS: '1000',
    MAILBOX_QUOTA_MB: '2048',
    ADMIN_USER_IDS: `${People.admin},${People.admin2}`,
    DEFAULT_PHONE_REGION: 'US',
    SECRET_KEY,
    LOG_LEVEL: 'trace',
    JOB_POLL_MS: '25',
    JOB_MAX_ATTEMPTS: '4',
    JOB_BACKOFF_BASE_MS: '60000',
    HR_USER_IDS: People.hr,
    HR_USERGROUP_ID: HR_USERGROUP,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM,
    TWILIO_API_URL: urls.twilioUrl,
    TWILIO_TIMEOUT_MS: '2000',
    SMTP_URL: urls.smtpUrl,
    SMTP_TIMEOUT_MS: '2000',
    MAIL_FROM: 'Acme IT <it@example.com>',
    PUBLIC_URL,
    COMPANY_NAME: 'Acme',
    IT_CONTACT: 'it@example.com',
  };
}

/** `databaseServerUrl`: another MariaDB than TEST_DATABASE_URL's (the outage tests start their own). */
export async function startHarness(
  env: Record<string, string> = {},
  options: { databaseServerUrl?: string; onDbCommand?: (line: string) => void } = {},
): Promise<Harness> {
  const db = await createTestDatabase(options.databaseServerUrl ? { serverUrl: options.databaseServerUrl } : {});
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: harnessUsers, usergroups: { [HR_USERGROUP]: [People.hrGroupMember] } });
  const cpanel = await startFakeCpanel({ user: 'acme', token: CPANEL_TOKEN, domains: ['example.com', 'example.org'] });
  const twilio = await startFakeTwilio({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const smtp = await startFakeSmtp({ user: 'mailroom', password: 'smtp-password' });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    ...harnessEnv({ databaseUrl: db.url, slackApiUrl: slack.apiUrl, cpanelUrl: cpanel.url, twilioUrl: twilio.url, smtpUrl: smtp.url }),
    ...env,
  });
  const clock = new ManualClock();
  const logger = createLogger({ level: config.LOG_LEVEL, destination });
  const mailroom = createMailroom({ config, logger, clock, ...(options.onDbCommand ? { onDbCommand: options.onDbCommand } : {}) });
  const { port } = await mailroom.start();
  const driver = new SlackDriver({
    appUrl: `http://127.0.0.1:${port}`,
    signingSecret: SIGNING_SECRET,
    issueTriggerId: () => slack.issueTriggerId(),
  });
  // Events the fake Slack emits (user_change on a deactivation) reach the app signed, as Slack's would.
  slack.deliverEventsTo((event) => driver.event({ event }));
  return {
    db,
    slack,
    cpanel,
    mailroom,
    driver,
    clock,
    logs,
    twilio,
    smtp,
    appUrl: `http://127.0.0.1:${port}`,
    async close() {
      await mailroom.stop();
      await Promise.all([slack.close(), cpanel.close(), twilio.close(), smtp.close()]);
      await db.drop();
    },
  };
}

export interface RequestFormValues {
  fullName?: string;
  localPart?: string;
  domain?: string | null;
  personalEmail?: string;
  phone?: string;
  superior?: string | null;
  startDate?: string | null;
  note?: string | null;
}

export const goodForm: Required<RequestFormValues> = {
  fullName: 'Jane Doe',
  localPart: 'jane.doe',
  domain: 'example.com',
  personalEmail: 'jane.doe@gmail.com',
  phone: '(415) 555-2671',
  superior: People.superior,
  startDate: null,
  note: null,
};

/** Slack's `view.state.values` for the request modal. */
export function requestFormValues(form: RequestFormValues = {}) {
  const f = { ...goodForm, ...form };
  return {
    full_name: { value: plainText(f.fullName) },
    local_part: { value: plainText(f.localPart) },
    domain: { value: staticSelect(f.domain) },
    personal_email: { value: emailText(f.personalEmail) },
    phone: { value: plainText(f.phone) },
    superior: { value: usersSelect(f.superior) },
    start_date: { value: datePicker(f.startDate) },
    note: { value: plainText(f.note) },
  };
}

/** Submits the request modal as `userId` would; returns the HTTP answer Bolt gave Slack. */
export function submitRequestForm(h: Harness, form: RequestFormValues = {}, userId: string = People.requester) {
  return h.driver.viewSubmission({ userId, view: { callbackId: 'request_email_modal', values: requestFormValues(form) } });
}

/** Waits until the approval DM to `approverId` exists; returns its ApprovalMessage row (channel + ts). */
export function approvalMessageFor(h: Harness, requestId: number, approverId: string) {
  return eventually(
    () => h.db.prisma.approvalMessage.findUnique({ where: { requestId_userId: { requestId, userId: approverId } } }),
    `the approval DM for request ${requestId} to ${approverId}`,
  );
}

/**
 * Waits until the requester's "on its way" notice (where the request row says it is) satisfies
 * `check`; returns it as the Slack fake holds it, with whether it still has buttons.
 */
export async function requesterNotice(h: Harness, requestId: number, check: (json: string) => boolean, what: string) {
  return eventually(async () => {
    const row = await h.db.prisma.emailRequest.findUnique({ where: { id: requestId }, select: { noticeChannelId: true, noticeTs: true } });
    if (!row?.noticeChannelId) return undefined;
    const message = h.slack.messagesIn(row.noticeChannelId).find((m) => m.ts === row.noticeTs);
    const json = JSON.stringify(message?.blocks ?? []);
    return message && check(json)
      ? { message, json, hasButtons: (message.blocks ?? []).some((block) => (block as { type: string }).type === 'actions') }
      : undefined;
  }, what);
}

/**
 * Waits until the job matching `where` is no longer RUNNING and returns it. The runner records a
 * job's outcome (DONE, DEAD, a retry) just after the handler's own transaction, so a test that has
 * seen the handler's effects must still wait for the job row.
 */
export function settledJob(h: Harness, where: Prisma.JobWhereInput) {
  return eventually(
    async () => {
      const job = await h.db.prisma.job.findFirst({ where, orderBy: { id: 'desc' } });
      return job && job.status !== 'RUNNING' ? job : undefined;
    },
    `the job ${JSON.stringify(where)} to settle`,
  );
}

/**
 * Runs the job queue dry by the app's clock: every due job runs (here, beside the app's own runner,
 * which SKIP LOCKED keeps apart), and the jobs they enqueue, until none is due or running. A job
 * waiting out its backoff stays until the test moves the clock (`h.clock.advance`) and drains again.
 * So a test can assert a job's outcome at once; the deadline only matters when something is broken.
 */
export async function drainJobs(h: Harness, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.mailroom.runner.runDue();
    const busy = await h.db.prisma.job.findMany({
      where: { OR: [{ status: 'RUNNING' }, { status: 'PENDING', runAt: { lte: h.clock.now() } }] },
      select: { id: true, kind: true, status: true },
    });
    if (busy.length === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out draining the job queue; still busy: ${JSON.stringify(busy)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Polls an async probe until it returns a truthy value. The deadline only matters when something is
 * broken; it is generous because CI runs two test files at once on two cores.
 */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function clickButton(
  h: Harness,
  input: { userId: string; actionId: string; requestId: number; channelId: string; messageTs: string },
) {
  return h.driver.blockAction({
    userId: input.userId,
    actionId: input.actionId,
    value: String(input.requestId),
    channelId: input.channelId,
    messageTs: input.messageTs,
    responseUrl: h.slack.responseUrl(`click-${input.userId}-${input.actionId}`),
    triggerId: h.slack.issueTriggerId(),
  });
}
