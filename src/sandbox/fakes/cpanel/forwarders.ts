/** The fake's UAPI Email functions for forwarders: add_forwarder, list_forwarders, delete_forwarder. */
import type { CpanelState } from './state.ts';
import type { Params } from './types.ts';
import { compileRegex, normalize, quote, required, UapiError } from './util.ts';

export function addForwarder(s: CpanelState, params: Params) {
  required(params, 'domain', 'email', 'fwdopt');
  let domain = normalize(params.domain ?? '').toLowerCase();
  const raw = normalize(params.email ?? '');
  const at = raw.lastIndexOf('@');
  // An owned @domain in `email` overrides the `domain` argument (legacy Cpanel::Email::addforward).
  if (at >= 0 && s.domains.includes(raw.slice(at + 1).toLowerCase())) domain = raw.slice(at + 1).toLowerCase();
  s.ownDomain(domain);
  const source = `${(at >= 0 ? raw.slice(0, at) : raw).toLowerCase()}@${domain}`;

  let targets: string[];
  switch (params.fwdopt) {
    case 'fwd':
      required(params, 'fwdemail');
      targets = (params.fwdemail ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => (t.includes('@') ? t : `${t}@${domain}`));
      break;
    case 'fail':
      targets = [`:fail: ${params.failmsgs || 'No such person at this address'}`];
      break;
    case 'blackhole':
      targets = [':blackhole:'];
      break;
    case 'pipe':
      required(params, 'pipefwd');
      targets = [`|${params.pipefwd}`];
      break;
    case 'system':
      required(params, 'fwdsystem');
      targets = [params.fwdsystem ?? ''];
      break;
    default:
      // [INF]
      throw new UapiError(`The ${quote('fwdopt')} argument must be one of: fwd, fail, blackhole, pipe, system.`);
  }

  const list = s.forwarders.get(source) ?? [];
  const added = [];
  for (const target of targets) {
    if (target.toLowerCase() === source) continue; // forwarding an address to itself does nothing
    if (!list.includes(target)) list.push(target);
    added.push({ forward: target, domain, email: source });
  }
  if (list.length > 0) s.forwarders.set(source, list);
  return added;
}

export function listForwarders(s: CpanelState, params: Params) {
  required(params, 'domain');
  const domain = normalize(params.domain ?? '').toLowerCase();
  s.ownDomain(domain);
  const regex = compileRegex(params.regex);
  const rows = [];
  for (const [source, targets] of [...s.forwarders].sort(([a], [b]) => a.localeCompare(b))) {
    if (!source.endsWith(`@${domain}`) || (regex && !regex.test(source))) continue;
    for (const target of targets) {
      rows.push({
        dest: source,
        forward: target,
        html_dest: source,
        html_forward: target,
        uri_dest: encodeURIComponent(source),
        uri_forward: encodeURIComponent(target),
      });
    }
  }
  return rows;
}

export function deleteForwarder(s: CpanelState, params: Params): null {
  required(params, 'address', 'forwarder');
  const source = normalize(params.address ?? '').toLowerCase();
  const list = s.forwarders.get(source);
  if (list) {
    // Removing a forwarder that is not there is treated as a no-op. [INF]
    const remaining = list.filter((target) => target !== params.forwarder);
    if (remaining.length > 0) s.forwarders.set(source, remaining);
    else s.forwarders.delete(source);
  }
  return null;
}
