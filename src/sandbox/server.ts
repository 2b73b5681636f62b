import { randomBytes } from 'node:crypto';
import { createMailroom, type Mailroom } from '../app.ts';
import { type Config, loadConfig } from '../config.ts';
import { freePort } from '../lib/free-port.ts';
import type { Logger } from '../lib/logger.ts';
import { OffsetClock } from '../platform/clock.ts';
import { applyMigrations } from '../platform/db/migrate.ts';
import { dropDatabase } from '../platform/db/server.ts';
import { type FakeCpanel, startFakeCpanel } from './fakes/cpanel-server.ts';
import { type FakeSlack, startFakeSlack } from './fakes/slack-server.ts';
import { type FakeSmtp, startFakeSmtp } from './fakes/smtp-server.ts';
import { type FakeTwilio, startFakeTwilio } from './fakes/twilio-server.ts';
import type { SandboxPerson } from './page.ts';
import { SandboxPage } from './page-routes.ts';
import { SandboxSlackClient } from './slack-client.ts';

/** Well-known values for the sandbox only: nothing here is a real credential. */
const SANDBOX_BOT_TOKEN = 'xoxb-sandbox-0000-0000-sandbox';
const SANDBOX_CPANEL_TOKEN = 'SANDBOXCPANELTOKEN000000000000000';
/** Fixed so that sealed secrets in the sandbox database survive a restart; never use it for real data. */
const SANDBOX_SECRET_KEY = '5a'.repeat(32);

const SANDBOX_TWILIO_SID = `AC${'5a'.repeat(16)}`;
const SANDBOX_TWILIO_TOKEN = 'sandbox-twilio-token';

export const SANDBOX_USERS: Array<SandboxPerson & { phone: string }> = [
  { id: 'U0SANDREQ1', name: 'Rita Requester', role: 'staff', email: 'rita@example.com', phone: '+14155550101' },
  { id: 'U0SANDSUP1', name: 'Sam Superior', role: 'superior', email: 'sam@example.com', phone: '+14155550102' },
  { id: 'U0SANDADM1', name: 'Ada Admin', role: 'admin', email: 'ada@example.com', phone: '+14155550103' },
  { id: 'U0SANDHR01', name: 'Hana HR', role: 'HR', email: 'hana@example.com', phone: '+14155550104' },
  { id: 'U0SANDOUT1', name: 'Olga Outsider', role: 'staff', email: 'olga@example.com', phone: '+14155550105' },
];

/** The sandbox person whose own mailbox Mailroom manages from the start (and who reports to Sam). */
const LEAVER_DEMO = { email: 'olga@example.com', name: 'Olga Outsider', superiorId: 'U0SANDSUP1' };

async function seedLeaverDemo(mailroom: Mailroom): Promise<void> {
  const staff = await mailroom.prisma.staff.create({
    data: { fullName: LEAVER_DEMO.name, workEmail: LEAVER_DEMO.email, superiorSlackId: LEAVER_DEMO.superiorId },
  });
  const [localPart = '', domain = ''] = LEAVER_DEMO.email.split('@');
  await mailroom.prisma.mailbox.create({
    data: { address: LEAVER_DEMO.email, localPart, domain, provider: 'cpanel', quotaMb: 1024, staffId: staff.id },
  });
}

export interface Sandbox {
  url: string;
  /** The interface the page and the app listen on (127.0.0.1 unless SANDBOX_HOST says otherwise). */
  address: string | undefined;
  mailroom: Mailroom;
  slack: FakeSlack;
  cpanel: FakeCpanel;
  twilio: FakeTwilio;
  smtp: FakeSmtp;
  clock: OffsetClock;
  stop(): Promise<void>;
}

/**
 * `npm start` without Slack credentials: the real app, its database and job runner, wired to
 * loopback fakes of Slack and cPanel, plus a page at /sandbox that plays the part of the Slack
 * client — type a command, fill in the modal, press the buttons in each person's DMs.
 * `databaseUrl` names a database the sandbox owns: it is dropped and migrated afresh at every start.
 * It listens on `host` (default 127.0.0.1): it has no login, so anyone who reaches it can act as anyone.
 */
export async function startSandbox(options: { port: number; databaseUrl: string; logger: Logger; host?: string }): Promise<Sandbox> {
  const { logger } = options;
  const host = options.host || '127.0.0.1';
  const slack = await startFakeSlack({
    botToken: SANDBOX_BOT_TOKEN,
    users: SANDBOX_USERS.map((user) => ({
      id: user.id,
      realName: user.name,
      name: user.name.split(' ')[0]?.toLowerCase() ?? user.id,
      email: user.email,
      phone: user.phone,
    })),
  });
  const twilio = await startFakeTwilio({ accountSid: SANDBOX_TWILIO_SID, authToken: SANDBOX_TWILIO_TOKEN });
  const smtp = await startFakeSmtp({ user: 'sandbox', password: 'sandbox' });
  const port = options.port === 0 ? await freePort(host) : options.port;
  const linkHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const publicUrl = `http://${linkHost}:${port}`;
  const cpanel = await startFakeCpanel({ user: 'sandbox', token: SANDBOX_CPANEL_TOKEN, domains: ['example.com', 'example.org'] });
  cpanel.addMailbox('info@example.com', `Sandbox-${randomBytes(9).toString('base64url')}`);
  // Olga's own mailbox (her Slack profile email), so deactivating her shows the leaver alert.
  cpanel.addMailbox(LEAVER_DEMO.email, `Sandbox-${randomBytes(9).toString('base64url')}`);

  // The fakes start empty, so the sandbox's database starts empty too: one consistent world.
  await dropDatabase(options.databaseUrl);
  await applyMigrations({ databaseUrl: options.databaseUrl, logger });
  const signingSecret = randomBytes(24).toString('hex');
  const config = sandboxConfig({ databaseUrl: options.databaseUrl, port, publicUrl, signingSecret, slack, cpanel, twilio, smtp });

  const clock = new OffsetClock();
  const page = await SandboxPage.create({ people: SANDBOX_USERS, slack, cpanel, twilio, smtp, clock, logger });
  const mailroom = createMailroom({ config, logger, clock, extraRoutes: page.routes(), listenHost: host });
  await seedLeaverDemo(mailroom);
  const { address } = await mailroom.start();
  const url = publicUrl;
  const client = new SandboxSlackClient({ appUrl: url, signingSecret, slack });
  slack.deliverEventsTo((event) => client.deliverEvent(event));
  page.connect(mailroom, client);
  return {
    url,
    address,
    mailroom,
    slack,
    cpanel,
    twilio,
    smtp,
    clock,
    async stop() {
      await mailroom.stop();
      await Promise.all([slack.close(), cpanel.close(), twilio.close(), smtp.close()]);
    },
  };
}

/** The app's settings in the sandbox: every service is a local fake, every secret a well-known sandbox value. */
function sandboxConfig(world: {
  databaseUrl: string;
  port: number;
  publicUrl: string;
  signingSecret: string;
  slack: FakeSlack;
  cpanel: FakeCpanel;
  twilio: FakeTwilio;
  smtp: FakeSmtp;
}): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: world.databaseUrl,
    PORT: String(world.port),
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_SIGNING_SECRET: world.signingSecret,
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: world.slack.apiUrl,
    MAIL_DOMAINS: 'example.com,example.org',
    MAILBOX_PROVIDER: 'cpanel',
    CPANEL_URL: world.cpanel.url,
    CPANEL_USER: 'sandbox',
    CPANEL_API_TOKEN: SANDBOX_CPANEL_TOKEN,
    CPANEL_CA_FILE: '',
    ADMIN_USER_IDS: 'U0SANDADM1',
    HR_USER_IDS: 'U0SANDHR01',
    HR_USERGROUP_ID: '',
    MAILBOX_PROVIDER_BY_DOMAIN: '',
    TWILIO_ACCOUNT_SID: SANDBOX_TWILIO_SID,
    TWILIO_AUTH_TOKEN: SANDBOX_TWILIO_TOKEN,
    TWILIO_FROM: '+15005550006',
    TWILIO_MESSAGING_SERVICE_SID: '',
    TWILIO_API_URL: world.twilio.url,
    SMTP_URL: world.smtp.url,
    MAIL_FROM: 'Mailroom sandbox <it@example.com>',
    PUBLIC_URL: world.publicUrl,
    COMPANY_NAME: 'Acme (sandbox)',
    IT_CONTACT: 'ada@example.com',
    GENERAL_CONTACT_EMAIL: 'info@example.com',
    SECRET_KEY: SANDBOX_SECRET_KEY,
    JOB_BACKOFF_BASE_MS: '5000',
  });
}
