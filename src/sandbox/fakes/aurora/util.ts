/** What the Aurora fake's modules share: Aurora's exceptions, the caller ids, and value checks. */
import { createHash } from 'node:crypto';

/** An Aurora exception: the reply carries ErrorCode (and ErrorMessage) but no Result. */
export class AuroraError extends Error {
  constructor(
    readonly code: number,
    message?: string,
    /** Module reported in the reply; "" for token, unknown-module and login errors. */
    readonly module?: string,
  ) {
    super(message ?? '');
  }
}

/** A PHP Error (not an Exception): Aurora answers HTTP 500 with an empty body. */
export class PhpFatal extends Error {}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const PUBLIC_ID = /^[a-zA-Z0-9._\-+@]+$/;
export const SUPERADMIN = -1;
export const ANONYMOUS = 0;

export const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
export const str = (value: unknown, fallback = ''): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? fallback : String(value);

/** A method's Result plus what its event subscribers put in SubscriptionsResult (e.g. MtaConnector). */
export class WithSubscriptions {
  constructor(
    readonly result: unknown,
    readonly subscriptions: Record<string, unknown>,
  ) {}
}
