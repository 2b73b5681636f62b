/**
 * `mailroom aurora-server add|list`: registers and lists the mail servers Aurora's webmail reads
 * (Mail.CreateServer / Mail.GetServers), e.g. the cPanel host whose mailboxes Mailroom manages.
 * Needs only the AURORA_* settings.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { configSchema } from '../config.ts';
import { type AuroraMailServer, AuroraProvider, SMTP_AUTH, type SmtpAuth } from '../providers/aurora.ts';
import { CliError } from './common.ts';

export interface AuroraServerIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface AuroraServerAddOptions {
  name: string;
  imapHost: string;
  imapPort: string;
  imapSsl?: boolean;
  smtpHost: string;
  smtpPort: string;
  smtpSsl?: boolean;
  smtpAuth: string;
  domains: string;
  json?: boolean;
}

/** 0 done, 1 Aurora refused or failed, 2 unusable settings or options. */
export const AuroraServerExit = { ok: 0, failed: 1, usage: 2 } as const;

const settingsSchema = configSchema
  .pick({
    AURORA_URL: true,
    AURORA_ADMIN_LOGIN: true,
    AURORA_ADMIN_PASSWORD: true,
    AURORA_TENANT_ID: true,
    AURORA_CA_FILE: true,
    AURORA_TIMEOUT_MS: true,
  })
  .superRefine((value, context) => {
    for (const key of ['AURORA_URL', 'AURORA_ADMIN_LOGIN', 'AURORA_ADMIN_PASSWORD'] as const) {
      if (!value[key]) context.addIssue({ code: 'custom', path: [key], message: 'is required' });
    }
  });

function auroraFrom(io: AuroraServerIo): AuroraProvider | null {
  const parsed = settingsSchema.safeParse(io.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) io.err(`${String(issue.path[0] ?? 'settings')} ${issue.message}`);
    return null;
  }
  const s = parsed.data;
  return new AuroraProvider({
    baseUrl: s.AURORA_URL as string,
    adminLogin: s.AURORA_ADMIN_LOGIN as string,
    adminPassword: s.AURORA_ADMIN_PASSWORD as string,
    tenantId: s.AURORA_TENANT_ID,
    timeoutMs: s.AURORA_TIMEOUT_MS,
    ...(s.AURORA_CA_FILE ? { caFile: s.AURORA_CA_FILE } : {}),
  });
}

const host = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name or address');
const port = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, 'must be a port number')
  .transform(Number)
  .refine((n) => n > 0 && n < 65536, 'must be a port number');
const domain = z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'is not a domain name');

/** Checks every option; names all problems at once. */
export function serverFromOptions(
  options: AuroraServerAddOptions,
): { ok: true; server: Omit<AuroraMailServer, 'id'> } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const take = <T>(flag: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(`${flag} ${result.error.issues[0]?.message ?? 'is invalid'}`);
    return undefined;
  };
  const name = take('--name', z.string().trim().min(1, 'is required').max(255), options.name);
  const imapHost = take('--imap-host', host, options.imapHost);
  const imapPort = take('--imap-port', port, options.imapPort);
  const smtpHost = take('--smtp-host', host, options.smtpHost);
  const smtpPort = take('--smtp-port', port, options.smtpPort);
  const smtpAuth = Object.hasOwn(SMTP_AUTH, options.smtpAuth) ? (options.smtpAuth as SmtpAuth) : undefined;
  if (!smtpAuth) problems.push(`--smtp-auth must be one of ${Object.keys(SMTP_AUTH).join(', ')}`);
  const domains = options.domains
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  if (domains.length === 0) problems.push('--domains needs at least one domain');
  for (const d of domains) if (!domain.safeParse(d).success) problems.push(`--domains: ${d} is not a domain name`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    server: {
      name: name as string,
      incomingServer: imapHost as string,
      incomingPort: imapPort as number,
      incomingUseSsl: options.imapSsl === true,
      outgoingServer: smtpHost as string,
      outgoingPort: smtpPort as number,
      outgoingUseSsl: options.smtpSsl === true,
      smtpAuth: smtpAuth as SmtpAuth,
      domains,
    },
  };
}

export async function runAuroraServerAdd(options: AuroraServerAddOptions, io: AuroraServerIo): Promise<number> {
  const checked = serverFromOptions(options);
  const aurora = auroraFrom(io);
  if (!checked.ok) for (const problem of checked.problems) io.err(problem);
  if (!checked.ok || !aurora) return AuroraServerExit.usage;
  const created = await aurora.createServer(checked.server);
  if (!created.ok) {
    io.err(`Aurora did not register ${checked.server.name}: ${created.reason}`);
    return AuroraServerExit.failed;
  }
  if (options.json) io.out(JSON.stringify({ id: created.value, ...checked.server }));
  else {
    io.out(`Registered mail server ${created.value} (${checked.server.name}) for ${checked.server.domains.join(', ')}.`);
    io.out(`Set AURORA_WEBMAIL_SERVER_ID=${created.value} to give every new mailbox its Aurora webmail user on it.`);
  }
  return AuroraServerExit.ok;
}

export async function runAuroraServerList(options: { json?: boolean }, io: AuroraServerIo): Promise<number> {
  const aurora = auroraFrom(io);
  if (!aurora) return AuroraServerExit.usage;
  const servers = await aurora.listServers();
  if (!servers.ok) {
    io.err(`Aurora did not list its mail servers: ${servers.reason}`);
    return AuroraServerExit.failed;
  }
  if (options.json) {
    io.out(JSON.stringify(servers.value));
    return AuroraServerExit.ok;
  }
  if (servers.value.length === 0) io.out('Aurora has no mail servers yet; register one with mailroom aurora-server add.');
  for (const s of servers.value) {
    const ssl = (on: boolean) => (on ? ' (SSL)' : '');
    io.out(
      `${s.id}\t${s.name}\tIMAP ${s.incomingServer}:${s.incomingPort}${ssl(s.incomingUseSsl)}\tSMTP ${s.outgoingServer}:${s.outgoingPort}${ssl(s.outgoingUseSsl)} auth ${s.smtpAuth}\t${s.domains.join(', ') || '-'}`,
    );
  }
  return AuroraServerExit.ok;
}

/** `mailroom aurora-server add|list`. */
export function registerAuroraServerCommands(program: Command, io: AuroraServerIo): void {
  const auroraServer = program
    .command('aurora-server')
    .description('register and list the mail servers Aurora’s webmail reads (needs the AURORA_* settings)');
  auroraServer
    .command('add')
    .description('register a mail server in Aurora (Mail.CreateServer), e.g. the cPanel host whose mailboxes Mailroom manages')
    .requiredOption('--name <name>', 'the name Aurora shows')
    .requiredOption('--imap-host <host>', 'IMAP server')
    .option('--imap-port <port>', 'IMAP port', '993')
    .option('--imap-ssl', 'IMAP over SSL/TLS')
    .requiredOption('--smtp-host <host>', 'SMTP server')
    .option('--smtp-port <port>', 'SMTP port', '465')
    .option('--smtp-ssl', 'SMTP over SSL/TLS')
    .option('--smtp-auth <mode>', 'none, specified or user (each user’s own credentials)', 'user')
    .requiredOption('--domains <list>', 'comma list of the mail domains this server serves')
    .option('--json', 'print the new server as JSON')
    .action(async (options: AuroraServerAddOptions) => {
      const code = await runAuroraServerAdd(options, io);
      if (code !== 0) throw new CliError('', code);
    });
  auroraServer
    .command('list')
    .description('list the mail servers Aurora knows (Mail.GetServers)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const code = await runAuroraServerList(options, io);
      if (code !== 0) throw new CliError('', code);
    });
}
