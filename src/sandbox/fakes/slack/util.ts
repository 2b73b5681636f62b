/** Small helpers every part of the fake Slack shares. */
import type { ServerResponse } from 'node:http';
import type { SlackApiResponse } from './types.ts';

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const asString = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
};

export const isTruthyArg = (value: unknown): boolean => value === true || value === 'true' || value === '1' || value === 1;

export const fail = (error: string, messages?: string[]): SlackApiResponse =>
  messages && messages.length > 0 ? { ok: false, error, response_metadata: { messages } } : { ok: false, error };

export const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
