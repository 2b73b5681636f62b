import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from './logger.ts';

/** Bolt's logger interface on top of the app's pino logger (same redaction, one stream). */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ module: 'bolt' });
  let level = LogLevel.INFO;
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...messages: unknown[]) =>
      child[method](messages.map(String).join(' '));
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
