/**
 * The fake's Web API front door: reads a call's arguments the way Slack accepts them (query string, form or
 * JSON body; JSON-encoded `blocks`/`view`/`attachments`/`metadata`), checks the token, applies injected
 * failures, dispatches to the method and records the call.
 */
import type { IncomingMessage } from 'node:http';
import { chatDelete, chatGetPermalink, chatPostEphemeral, chatPostMessage, chatUpdate, conversationsHistory } from './messages.ts';
import type { SlackState } from './state.ts';
import type { Handler, SlackApiResponse, SlackArgs } from './types.ts';
import { authTest, conversationsOpen, usergroupsUsersList, usersInfo, usersList, usersLookupByEmail } from './users.ts';
import { asString, fail, isRecord } from './util.ts';
import { viewsOpen, viewsPublish, viewsPush, viewsUpdate } from './views.ts';

const JSON_ARGS = ['blocks', 'view', 'attachments', 'metadata'] as const;

/** The Web API methods the fake implements, by name. */
export function methodHandlers(s: SlackState): Record<string, Handler> {
  return {
    'auth.test': () => authTest(s),
    'users.info': (a) => usersInfo(s, a),
    'users.list': (a) => usersList(s, a),
    'conversations.open': (a) => conversationsOpen(s, a),
    'chat.postMessage': (a) => chatPostMessage(s, a),
    'conversations.history': (a) => conversationsHistory(s, a),
    'chat.update': (a) => chatUpdate(s, a),
    'chat.delete': (a) => chatDelete(s, a),
    'chat.postEphemeral': (a) => chatPostEphemeral(s, a),
    'chat.getPermalink': (a) => chatGetPermalink(s, a),
    'views.open': (a) => viewsOpen(s, a),
    'views.update': (a) => viewsUpdate(s, a),
    'views.push': (a) => viewsPush(s, a),
    'views.publish': (a) => viewsPublish(s, a),
    'usergroups.users.list': (a) => usergroupsUsersList(s, a),
    'users.lookupByEmail': (a) => usersLookupByEmail(s, a),
  };
}

interface ParsedCall {
  args: SlackArgs;
  token: string | undefined;
  /** Which of JSON_ARGS were strings that did not parse. */
  badJson: string[];
  /** Set when the body itself could not be read. */
  failure?: SlackApiResponse;
}

function parseCall(req: IncomingMessage, raw: string, query: URLSearchParams): ParsedCall {
  const args: SlackArgs = {};
  for (const [key, value] of query) args[key] = value;
  const contentType = String(req.headers['content-type'] ?? '');
  let failure: SlackApiResponse | undefined;
  if (contentType.includes('application/json')) {
    try {
      const parsed: unknown = raw.length > 0 ? JSON.parse(raw) : {};
      if (isRecord(parsed)) Object.assign(args, parsed);
      else failure = fail('invalid_json');
    } catch {
      failure = fail('invalid_json');
    }
  } else {
    for (const [key, value] of new URLSearchParams(raw)) args[key] = value;
  }
  const badJson: string[] = [];
  for (const key of JSON_ARGS) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      badJson.push(key);
    }
  }
  const authHeader = String(req.headers.authorization ?? '');
  const token = authHeader.startsWith('Bearer ') ? authHeader.slice('Bearer '.length) : asString(args.token);
  delete args.token;
  return { args, token, badJson, ...(failure !== undefined ? { failure } : {}) };
}

function dispatch(s: SlackState, handlers: Record<string, Handler>, method: string, call: ParsedCall): SlackApiResponse {
  const handler = handlers[method];
  if (handler === undefined) return { ...fail('unknown_method'), req_method: method };
  if (call.token !== s.botToken) return fail('invalid_auth');
  const injected = s.injected.get(method)?.shift();
  if (injected !== undefined) return fail(injected);
  if (call.badJson.includes('blocks')) return fail('invalid_blocks_format');
  if (call.badJson.includes('view')) return fail('invalid_arguments', ['[ERROR] failed to parse JSON [json-pointer:/view]']);
  return handler(call.args);
}

/** One Web API call, answered and recorded in `calls` (failures included). */
export function apiCall(
  s: SlackState,
  handlers: Record<string, Handler>,
  method: string,
  req: IncomingMessage,
  raw: string,
  query: URLSearchParams,
): SlackApiResponse {
  const call = parseCall(req, raw, query);
  const response = call.failure ?? dispatch(s, handlers, method, call);
  s.calls.push({ method, args: call.args, response, at: Date.now() });
  return response;
}
