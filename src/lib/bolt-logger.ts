import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from './logger.ts';

/**
 * One-time credential links (a reset's link goes by DM) are as secret as passwords: the Web API
 * client logs request bodies at debug level, so their tokens are cut out of every Bolt line.
 */
const CREDENTIAL_LINK = /\/credentials\/[A-Za-z0-9_-]{27}/g;
export const scrubCredentialLinks = (text: string): string => text.replace(CREDENTIAL_LINK, '/credentials/[redacted]');

/** Bolt's logger interface on top of the app's pino logger (same redaction, one stream). */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ module: 'bolt' });
  let level = LogLevel.INFO;
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...messages: unknown[]) =>
      child[method](scrubCredentialLinks(messages.map(String).join(' ')));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
