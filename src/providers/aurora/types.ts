/** The Aurora adapter's options, the mail-server shape of the webmail mode, and its internal records. */
import type { Logger } from 'pino';

export interface AuroraProviderOptions {
  /** The host's name on Mailbox rows; `aurora` by default (one host of this kind). */
  name?: string;
  /** The Aurora installation's main URL, e.g. `https://mail.example.com/`; the API is `<url>/?/Api/`. */
  baseUrl: string;
  adminLogin: string;
  adminPassword: string;
  /** Tenant new users go to; 0 is the default tenant. */
  tenantId: number;
  caFile?: string;
  timeoutMs?: number;
  logger?: Logger;
}

/** A mail server registered in Aurora (Mail.CreateServer / Mail.GetServers). */
export interface AuroraMailServer {
  id: number;
  name: string;
  incomingServer: string;
  incomingPort: number;
  incomingUseSsl: boolean;
  outgoingServer: string;
  outgoingPort: number;
  outgoingUseSsl: boolean;
  /** none: no SMTP auth; specified: SmtpLogin/SmtpPassword; user: each user's own credentials. */
  smtpAuth: SmtpAuth;
  domains: string[];
}

export const SMTP_AUTH = { none: '0', specified: '1', user: '2' } as const;
export type SmtpAuth = keyof typeof SMTP_AUTH;

export interface AuroraUser {
  id: number;
  publicId: string;
  isDisabled: boolean;
}

export interface AuroraAccount {
  userId: number;
  accountId: number;
}
