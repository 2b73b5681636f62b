/** The fake's UAPI Email functions for auto-responders: add, get, delete and list. */
import type { CpanelState } from './state.ts';
import type { Params } from './types.ts';
import { compileRegex, normalize, quote, required, UapiError } from './util.ts';

export function addAutoResponder(s: CpanelState, params: Params): null {
  required(params, 'email', 'domain', 'from', 'subject', 'body', 'is_html', 'interval', 'start', 'stop');
  const { domain, address } = s.resolve(params);
  s.ownDomain(domain);
  const [interval, start, stop] = [Number(params.interval), Number(params.start), Number(params.stop)];
  if (!Number.isInteger(interval) || interval < 0) {
    throw new UapiError(`The ${quote('interval')} argument must be a whole number of hours.`); // [INF]
  }
  if (!Number.isInteger(start) || !Number.isInteger(stop)) {
    throw new UapiError(`The ${quote('start')} and ${quote('stop')} arguments must be Unix timestamps.`); // [INF]
  }
  if (stop <= start) throw new UapiError('The stop time must be later than the start time.'); // [INF]
  s.autoResponders.set(address, {
    from: params.from ?? '',
    subject: params.subject ?? '',
    body: params.body ?? '',
    isHtml: params.is_html === '1',
    charset: params.charset || 'utf-8',
    interval,
    start,
    stop,
  });
  return null;
}

export function getAutoResponder(s: CpanelState, params: Params) {
  required(params, 'email');
  const responder = s.autoResponders.get(s.resolve(params).address);
  // What cPanel answers for an address without an auto-responder is unknown; an empty record. [INF]
  if (!responder) {
    const empty = { body: null, charset: null, from: null, interval: null, start: null, stop: null, subject: null };
    return { ...empty, is_html: 0 };
  }
  return {
    body: responder.body,
    charset: responder.charset,
    from: responder.from,
    interval: responder.interval,
    is_html: responder.isHtml ? 1 : 0,
    start: responder.start,
    stop: responder.stop,
    subject: responder.subject,
  };
}

export function deleteAutoResponder(s: CpanelState, params: Params): null {
  required(params, 'email');
  s.autoResponders.delete(s.fullAddress(params));
  return null;
}

export function listAutoResponders(s: CpanelState, params: Params) {
  required(params, 'domain');
  const domain = normalize(params.domain ?? '').toLowerCase();
  const regex = compileRegex(params.regex);
  return [...s.autoResponders]
    .filter(([address]) => address.endsWith(`@${domain}`) && (!regex || regex.test(address)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([email, responder]) => ({ email, subject: responder.subject }));
}
