/**
 * A real HTTP server that answers like Afterlogic Aurora's Web API (`POST /?/Api/` with Module,
 * Method and a JSON Parameters string), with MailDomains/MtaConnector behaviour: Core.CreateUser
 * creates the user, its mail account and the mailbox in one call. Reply shapes, error codes and
 * the empty HTTP 500 follow /work/shared/reference/aurora-web-api.md (§4: what a real server did);
 * behaviour marked [INF] is a plausible guess where the reference is silent.
 *
 * As on the real server: a create on a domain without a mail server leaves a bare user (no
 * account), `failNext('Core.CreateUser', n, { mode: 'lose-account' })` loses the account the way a
 * swallowed deadlock does, the auto-responder ignores Start/End unless AllowScheduledAutoresponder
 * is on, and Core.Login auto-creates a missing account (it is not read-only).
 *
 * The code lives in ./aurora/: server.ts (the HTTP server, failure injection and the handle tests
 * hold), api.ts (dispatch and Aurora's reply envelope), core.ts (AdminAuth and Core methods),
 * mail.ts (Mail methods: servers, accounts, forward, auto-responder), objects.ts (reply shapes),
 * state.ts (what the fake remembers and the shared checks), types.ts and util.ts.
 */
export { startFakeAurora } from './aurora/server.ts';
export type {
  AuroraFailure,
  FakeAurora,
  FakeAuroraAccount,
  FakeAuroraCall,
  FakeAuroraMailServer,
  FakeAuroraOptions,
  FakeAuroraUser,
} from './aurora/types.ts';
