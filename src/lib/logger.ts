import { type DestinationStream, type Logger, pino } from 'pino';

/** Paths pino censors wherever they appear in a log object. Secrets must never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  '*.*.headers.Authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'CPANEL_API_TOKEN',
  'WHM_API_TOKEN',
  'AURORA_ADMIN_PASSWORD',
  'TWILIO_AUTH_TOKEN',
  'SMTP_URL',
  'SECRET_KEY',
  'secretCipher',
  '*.secretCipher',
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'mailroom' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
