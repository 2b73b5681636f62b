/**
 * WHM (port 2087) for tests: WHM API 1 `uapi_cpanel` with a root/reseller token, acting for one
 * cPanel account. It shares cpanel-server.ts's Email state machine, so mailboxes, forwarders,
 * auto-responders and failure injection behave exactly as on the cPanel fake.
 */
import { type FakeCpanel, type FakeCpanelOptions, startFakeCpanel } from './cpanel-server.ts';

export interface FakeWhmOptions extends Omit<FakeCpanelOptions, 'user' | 'token' | 'whm'> {
  /** root or a reseller; default `root`. */
  whmUser?: string;
  /** The WHM API token; random by default. */
  token?: string;
  /** The legacy access hash of `whmUser`; random by default. */
  accessHash?: string;
  /** The cPanel account WHM acts for; default `cpuser`. */
  cpanelUser?: string;
}

export type FakeWhm = FakeCpanel & { readonly whm: { user: string; token: string; accessHash: string } };

export async function startFakeWhm(options: FakeWhmOptions = {}): Promise<FakeWhm> {
  const { whmUser, token, accessHash, cpanelUser, ...rest } = options;
  const fake = await startFakeCpanel({
    ...rest,
    user: cpanelUser ?? 'cpuser',
    whm: {
      ...(whmUser === undefined ? {} : { user: whmUser }),
      ...(token === undefined ? {} : { token }),
      ...(accessHash === undefined ? {} : { accessHash }),
    },
  });
  return fake as FakeWhm;
}
