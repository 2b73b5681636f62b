/**
 * A fake Slack Web API: a real HTTP server on 127.0.0.1 that the real `@slack/web-api` WebClient talks to
 * (`new WebClient(token, { slackApiUrl: fake.apiUrl })`). It keeps the state Slack would keep (messages per
 * channel, views, trigger ids, response URLs), answers with Slack's error codes, and enforces the Block Kit
 * limits that bite in practice, so tests can assert on what really reached "Slack".
 *
 * Errors are HTTP 200 with `{ ok: false, error }`, as Slack does; the WebClient turns them into
 * `WebAPIPlatformError` (`error.data.error`).
 *
 * The code lives in ./slack/: server.ts (FakeSlack, the HTTP server and test helpers), api.ts (argument
 * parsing, auth, dispatch), users.ts, messages.ts and views.ts (the Web API methods), response-urls.ts,
 * block-kit.ts (the limits and validators), state.ts (what the fake remembers) and types.ts.
 */
export { FakeSlack, startFakeSlack } from './slack/server.ts';
export type {
  FakeEphemeralMessage,
  FakeRejectedResponseUrlPost,
  FakeResponseUrlPost,
  FakeSlackCall,
  FakeSlackMessage,
  FakeSlackOptions,
  FakeSlackUser,
  FakeView,
  IssueTriggerOptions,
  ResponseUrlOptions,
  SlackApiResponse,
  SlackArgs,
} from './slack/types.ts';
