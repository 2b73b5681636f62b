/**
 * A real HTTP(S) server that answers like cPanel's UAPI `/execute/<Module>/<function>` for the
 * Email module (fact sheet §7). Error texts are cPanel's where known; texts marked [INF] are
 * plausible guesses, so clients should only rely on the substrings the fact sheet recommends.
 *
 * With `whm` set it plays WHM instead (port 2087): the same Email state machine is reached through
 * WHM API 1 `/json-api/uapi_cpanel` with `Authorization: whm USER:TOKEN` (fact sheet §1.2, §2.3);
 * see whm-server.ts.
 *
 * The code lives in ./cpanel/: server.ts (the HTTP server, sign-in, WHM, failure injection),
 * email-functions.ts (the Email module's functions by name and the UAPI envelope), mailboxes.ts,
 * forwarders.ts and auto-responders.ts (the functions), state.ts (what the fake remembers and the
 * checks the functions share), util.ts and types.ts.
 */
export { startFakeCpanel } from './cpanel/server.ts';
export type { FailureMode, FakeAutoResponder, FakeCall, FakeCpanel, FakeCpanelOptions, FakeMailbox } from './cpanel/types.ts';
