/** The fake's UAPI Email module: its functions by name, the UAPI envelope, and dispatching one call to a function. */
import { addAutoResponder, deleteAutoResponder, getAutoResponder, listAutoResponders } from './auto-responders.ts';
import { addForwarder, deleteForwarder, listForwarders } from './forwarders.ts';
import { addPop, deletePop, listMailDomains, listPops, listPopsWithDisk, passwdPop, setFlag, verifyPassword } from './mailboxes.ts';
import type { CpanelState } from './state.ts';
import type { Handler, Params } from './types.ts';
import { quote, UapiError } from './util.ts';

/** Functions whose array answers cPanel marks as post-processed. */
const TRANSFORMED = new Set([
  'list_pops',
  'list_pops_with_disk',
  'list_forwarders',
  'list_auto_responders',
  'list_mail_domains',
  'add_forwarder',
]);

export const envelope = (status: 0 | 1, data: unknown, errors: string[] | null, transformed: boolean) => ({
  data,
  errors,
  messages: null,
  metadata: transformed ? { transformed: 1 } : {},
  status,
  warnings: null,
});

/** The Email functions the fake implements, by name. */
export function emailFunctions(s: CpanelState): Record<string, Handler> {
  return {
    add_pop: (p) => addPop(s, p),
    delete_pop: (p) => deletePop(s, p),
    list_pops: (p) => listPops(s, p),
    list_pops_with_disk: (p) => listPopsWithDisk(s, p),
    verify_password: (p) => verifyPassword(s, p),
    passwd_pop: (p) => passwdPop(s, p),
    add_forwarder: (p) => addForwarder(s, p),
    list_forwarders: (p) => listForwarders(s, p),
    delete_forwarder: (p) => deleteForwarder(s, p),
    add_auto_responder: (p) => addAutoResponder(s, p),
    get_auto_responder: (p) => getAutoResponder(s, p),
    delete_auto_responder: (p) => deleteAutoResponder(s, p),
    list_auto_responders: (p) => listAutoResponders(s, p),
    suspend_login: (p) => setFlag(s, p, 'suspendedLogin', true),
    unsuspend_login: (p) => setFlag(s, p, 'suspendedLogin', false),
    suspend_incoming: (p) => setFlag(s, p, 'suspendedIncoming', true),
    unsuspend_incoming: (p) => {
      setFlag(s, p, 'suspendedIncoming', false);
      return 1; // the spec documents integer 1 here, unlike its siblings
    },
    list_mail_domains: (p) => listMailDomains(s, p),
  };
}

/** One call as cPanel answers it: the function's result in a UAPI envelope, or `status: 0` with the error. */
export function dispatch(handlers: Record<string, Handler>, module: string, fn: string, params: Params): ReturnType<typeof envelope> {
  if (module !== 'Email') {
    return envelope(0, null, [`Failed to load module ${quote(module)}: The module does not exist.`], false);
  }
  const handler = Object.hasOwn(handlers, fn) ? handlers[fn] : undefined;
  if (!handler) {
    return envelope(0, null, [`The system could not find the function ${quote(fn)} in the module “Email”.`], false);
  }
  try {
    return envelope(1, handler(params) ?? null, null, TRANSFORMED.has(fn));
  } catch (error) {
    if (error instanceof UapiError) return envelope(0, null, [error.message], false);
    throw error;
  }
}
