// MAIL_HOSTS_FILE: several mail hosts, each with its kind, address, sign-in and the domains it
// serves (issue 13). Read and checked at start; every problem is named at once, with its line.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { type Env, isBlank, PROVIDER_NAMES, type ProviderName } from './config-providers.ts';

/** One mail host as the app uses it: the secret is read from the environment variable the file names. */
export interface MailHostConfig {
  name: string;
  kind: ProviderName;
  url: string;
  user: string;
  /** The NAME of the environment variable that holds the secret (never the secret itself). */
  tokenEnv: string;
  secret: string;
  /** cPanel: token or password; WHM: token or accesshash; Aurora: the superadmin password. */
  auth: 'token' | 'password' | 'accesshash';
  /** WHM: the cPanel account it acts for. */
  cpanelUser?: string;
  /** Aurora: the tenant new users go to. */
  tenantId: number;
  caFile?: string;
  timeoutMs: number;
  domains: string[];
}

const SECRET_KEYS = /^(token|password|secret|api_token|access_hash|accesshash)$/i;

const hostSchema = z.strictObject({
  name: z
    .string({ error: 'is required' })
    .regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'must be 1 to 32 lower-case letters, digits, dots, hyphens or underscores, e.g. acme-cpanel'),
  kind: z.enum(PROVIDER_NAMES, { error: 'must be one of cpanel, whm, aurora' }),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://host.example.com:2083' }),
  user: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  token_env: z
    .string({ error: 'is required: the name of the environment variable that holds the token or password' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, e.g. ACME_CPANEL_TOKEN'),
  auth: z.enum(['token', 'password', 'accesshash'], { error: 'must be token, password (cPanel) or accesshash (WHM)' }).optional(),
  cpanel_user: z.string().trim().min(1).optional(),
  tenant_id: z.number().int().min(0).optional(),
  ca_file: z.string().trim().min(1).optional(),
  timeout_ms: z.number().int().positive().optional(),
  domains: z
    .array(
      z
        .string()
        .toLowerCase()
        .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name'),
      { error: 'must be a list of domains' },
    )
    .min(1, 'list at least one domain'),
});
type HostEntry = z.infer<typeof hostSchema>;

/** Reads the file's text and YAML, or says why not. */
function readDocument(path: string): { doc: Document; lines: LineCounter } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { problem: `MAIL_HOSTS_FILE ${path} cannot be read${code === 'ENOENT' ? ': no such file' : `: ${code ?? String(error)}`}` };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = first?.linePos?.[0];
    const message = (first?.message ?? 'unreadable').split(' at line ')[0];
    return { problem: `MAIL_HOSTS_FILE ${path} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${message}` };
  }
  return { doc, lines };
}

/** The line of the deepest node on `path` the document has. */
function lineOf(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const secrets = issue.keys.filter((key) => SECRET_KEYS.test(key));
    if (secrets.length > 0)
      return `${secrets.join(', ')} would put a secret in the file: put it in an environment variable and name that variable in token_env`;
    return `unknown setting ${issue.keys.join(', ')} (known: name, kind, url, user, token_env, auth, cpanel_user, tenant_id, ca_file, timeout_ms, domains)`;
  }
  return issue.message;
}

/** Checks one host entry; answers it, or its problems. */
function checkHost(value: unknown, index: number, ctx: FileContext): HostEntry | undefined {
  const base: Array<string | number> = [...ctx.prefix, index];
  const label = (path: ReadonlyArray<string | number>) => {
    const name =
      typeof (value as { name?: unknown })?.name === 'string' ? `host "${(value as { name: string }).name}"` : `host ${index + 1}`;
    return `${name} (line ${lineOf(ctx.doc, ctx.lines, [...base, ...path]) ?? '?'})`;
  };
  const parsed = hostSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
      ctx.problems.push(`${ctx.where}: ${label(issue.path as Array<string | number>)}: ${field}${issueText(issue)}`);
    }
    return undefined;
  }
  const host = parsed.data;
  const say = (field: string, text: string) => ctx.problems.push(`${ctx.where}: ${label([field])}: ${field} ${text}`);
  if (host.kind === 'whm' && !host.cpanel_user) say('cpanel_user', 'is required for kind whm: the cPanel account WHM acts for');
  if (host.kind !== 'whm' && host.cpanel_user) say('cpanel_user', 'is only for kind whm');
  if (host.kind !== 'aurora' && host.tenant_id !== undefined) say('tenant_id', 'is only for kind aurora');
  const allowed = { cpanel: ['token', 'password'], whm: ['token', 'accesshash'], aurora: [] as string[] }[host.kind];
  if (host.auth && !allowed.includes(host.auth))
    say(
      'auth',
      host.kind === 'aurora'
        ? 'is not used for kind aurora (token_env names the superadmin password)'
        : `must be ${allowed.join(' or ')} for kind ${host.kind}`,
    );
  if (isBlank(ctx.env[host.token_env])) say('token_env', `names ${host.token_env}, which is not set`);
  return host;
}

interface FileContext {
  where: string;
  doc: Document;
  lines: LineCounter;
  env: Env;
  prefix: Array<string | number>;
  problems: string[];
}

function toConfig(host: HostEntry, ctx: FileContext, fileDir: string): MailHostConfig {
  let caFile: string | undefined;
  if (host.ca_file) {
    caFile = resolve(fileDir, host.ca_file);
    try {
      readFileSync(caFile);
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      ctx.problems.push(`${ctx.where}: host "${host.name}": ca_file ${caFile} cannot be read (${code})`);
    }
  }
  return {
    name: host.name,
    kind: host.kind,
    url: host.url,
    user: host.user,
    tokenEnv: host.token_env,
    secret: ctx.env[host.token_env] ?? '',
    auth: host.auth ?? (host.kind === 'aurora' ? 'password' : 'token'),
    ...(host.cpanel_user ? { cpanelUser: host.cpanel_user } : {}),
    tenantId: host.tenant_id ?? 0,
    ...(caFile ? { caFile } : {}),
    timeoutMs: host.timeout_ms ?? 15_000,
    domains: host.domains,
  };
}

/** Two hosts with one name, or one domain served by two hosts. */
function crossHostProblems(hosts: Array<{ host: MailHostConfig; index: number }>, ctx: FileContext, mailDomains: readonly string[]): void {
  const byName = new Map<string, number>();
  const byDomain = new Map<string, string>();
  for (const { host, index } of hosts) {
    const line = (path: Array<string | number>) => lineOf(ctx.doc, ctx.lines, [...ctx.prefix, index, ...path]) ?? '?';
    if (byName.has(host.name)) ctx.problems.push(`${ctx.where}: host name "${host.name}" is used twice (line ${line(['name'])})`);
    byName.set(host.name, index);
    for (const domain of host.domains) {
      const other = byDomain.get(domain);
      if (other !== undefined && other !== host.name)
        ctx.problems.push(`${ctx.where}: ${domain} is served by two hosts, "${other}" and "${host.name}" (line ${line(['domains'])})`);
      else if (other === undefined) byDomain.set(domain, host.name);
      if (mailDomains.length > 0 && !mailDomains.includes(domain))
        ctx.problems.push(`${ctx.where}: host "${host.name}" serves ${domain}, which is not in MAIL_DOMAINS (${mailDomains.join(', ')})`);
    }
  }
  for (const domain of mailDomains) {
    if (!byDomain.has(domain)) ctx.problems.push(`${ctx.where}: no host serves ${domain}, which is in MAIL_DOMAINS`);
  }
}

/** Settings that a hosts file replaces, and may not be combined with it. */
function conflicts(env: Env): string[] {
  const problems: string[] = [];
  for (const [key, why] of [
    ['MAILBOX_PROVIDER', 'each host in the file names its kind'],
    ['MAILBOX_PROVIDER_BY_DOMAIN', 'the file says which host serves each domain'],
    ['AURORA_WEBMAIL_SERVER_ID', 'Aurora as webmail works with MAILBOX_PROVIDER, not with a hosts file yet'],
  ] as const) {
    if (!isBlank(env[key])) problems.push(`${key} cannot be combined with MAIL_HOSTS_FILE: ${why}; unset ${key}`);
  }
  return problems;
}

/**
 * The hosts of MAIL_HOSTS_FILE with their secrets, or every problem with the file: unreadable,
 * bad YAML (with its line), a bad or missing setting, an unknown kind, a duplicate name, a domain
 * served twice or not at all, an unset environment variable, an unreadable CA file.
 */
export function loadMailHosts(env: Env): { hosts: MailHostConfig[] | undefined; problems: string[] } {
  const path = env.MAIL_HOSTS_FILE?.trim();
  if (!path) return { hosts: undefined, problems: [] };
  const problems = conflicts(env);
  const read = readDocument(path);
  if ('problem' in read) return { hosts: undefined, problems: [...problems, read.problem] };
  const root: unknown = read.doc.toJS();
  const list = Array.isArray(root) ? root : (root as { hosts?: unknown } | null)?.hosts;
  const where = `MAIL_HOSTS_FILE ${path}`;
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(`${where} lists no hosts: write a list under "hosts:" (see .env.example)`);
    return { hosts: undefined, problems };
  }
  const ctx: FileContext = { where, doc: read.doc, lines: read.lines, env, prefix: Array.isArray(root) ? [] : ['hosts'], problems };
  const hosts: Array<{ host: MailHostConfig; index: number }> = [];
  list.forEach((value, index) => {
    const host = checkHost(value, index, ctx);
    if (host) hosts.push({ host: toConfig(host, ctx, dirname(resolve(path))), index });
  });
  const mailDomains = (env.MAIL_DOMAINS ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  crossHostProblems(hosts, ctx, mailDomains);
  return { hosts: problems.length === 0 ? hosts.map((entry) => entry.host) : undefined, problems };
}
