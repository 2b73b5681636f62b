/**
 * The Afterlogic Aurora Web API adapter. The code lives in ./aurora/: provider.ts (AuroraProvider,
 * which hands each call to its flow), api-client.ts (the POST, the superadmin token, failures),
 * errors.ts (Aurora's error codes), lookup.ts (users, accounts, served domains), create.ts,
 * users.ts (find, password check, delete, login lock), forwarding.ts, auto-reply.ts, webmail.ts
 * (mail servers and webmail users for another mail host), types.ts and util.ts.
 */
export { AuroraProvider } from './aurora/provider.ts';
export { type AuroraMailServer, type AuroraProviderOptions, SMTP_AUTH, type SmtpAuth } from './aurora/types.ts';
