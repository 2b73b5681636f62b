/** Aurora's error codes, what they mean to services, and keeping secrets out of failure reasons. */
import type { ProviderFailureCode } from '../mailbox-provider.ts';

/** Aurora's error names (aurora-framework Notifications.php), for reasons when ErrorMessage is off. */
export const ERROR_NAMES: Record<number, string> = {
  0: 'a library on the server failed',
  101: 'InvalidToken',
  102: 'AuthError',
  103: 'InvalidInputParameter',
  104: 'DataBaseError',
  105: 'LicenseProblem',
  108: 'AccessDenied',
  111: 'UserAlreadyExists',
  112: 'SystemNotConfigured',
  113: 'ModuleNotFound',
  114: 'MethodNotFound',
  115: 'LicenseLimit',
  116: 'MethodAccessDenied',
  704: 'AccountExists',
  901: 'MailServerError',
  1000: 'login blocked after too many failures',
  1007: 'UserAlreadyExists',
  4001: 'CannotConnectToMailServer',
  4002: 'CannotLoginCredentialsIncorrect',
};

export const INVALID_TOKEN = 101;
/** Ends the reason of an HTTP 5xx without a body: PHP Errors are not caught by Aurora's JSON handler. */
export const EMPTY_500 = ' with an empty body (a PHP error on the server)';
export const AUTH_ERROR = 102;

/** Aurora codes → the outcomes services understand (fact sheet §1 error codes). */
export function classifyError(code: number): ProviderFailureCode {
  switch (code) {
    case 111: // UserAlreadyExists (Core.CreateUser, MtaConnector maildir)
    case 704: // AccountExists (Mail.CreateAccount)
    case 1007: // Core's own UserAlreadyExists
      return 'already_exists';
    case INVALID_TOKEN:
    case AUTH_ERROR:
    case 108: // AccessDenied: no token or a role too low
    case 116: // MethodAccessDenied: the method is closed to the Web API
    case 1000: // login throttled after repeated failures
      return 'auth_failed';
    case 0: // a low-level library threw, e.g. Sieve unreachable
    case 104: // DataBaseError
    case 901: // MailServerError
    case 4001: // CannotConnectToMailServer
      return 'unavailable';
    default:
      return 'rejected';
  }
}

const MIN_SCRUB_LENGTH = 4;
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUB_LENGTH) out = out.split(secret).join('[redacted]');
  }
  return out;
}
