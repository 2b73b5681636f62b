/**
 * The cPanel UAPI adapter, also the base of the WHM adapter (whm.ts).
 *
 * The code lives in ./cpanel/: uapi.ts (the result envelope, failure codes, scrubbing secrets),
 * transport.ts (the transport interface and the HTTP plumbing shared with WHM), email-provider.ts
 * (the MailboxProvider methods over the UAPI Email module, whatever the transport) and execute.ts
 * (cPanel's own `/execute` endpoint and CpanelProvider).
 */
export { UapiEmailProvider } from './cpanel/email-provider.ts';
export { CpanelProvider, type CpanelProviderOptions } from './cpanel/execute.ts';
export { postForm, type UapiTransport, type UapiTransportResult, uapiHttpClient } from './cpanel/transport.ts';
export { fromUapiEnvelope, type Params, parseEnvelope, toEnvelope, type UapiEnvelope } from './cpanel/uapi.ts';
