/**
 * The fake's Web API: routing `Module.Method` to its method (core.ts, mail.ts) and wrapping the
 * outcome in Aurora's reply, a Result or an ErrorCode (Response::FalseResponse / ExceptionResponse).
 */
import { randomBytes } from 'node:crypto';
import * as core from './core.ts';
import * as mail from './mail.ts';
import type { AuroraState } from './state.ts';
import type { AuroraFailure, FakeAuroraCall, Params } from './types.ts';
import { AuroraError, PhpFatal, WithSubscriptions } from './util.ts';

function dispatch(s: AuroraState, module: string, method: string, p: Params, authUser: number, loseAccount: boolean): unknown {
  const methods: Record<string, Record<string, () => unknown>> = {
    AdminAuth: {
      LoginAsSuperadmin: () => core.loginAsSuperadmin(s, p),
    },
    Core: {
      Login: () => core.login(s, p),
      Logout: () => core.logout(s, authUser),
      CreateUser: () => core.createUser(s, p, authUser, loseAccount),
      GetUsers: () => core.getUsers(s, p, authUser),
      GetUser: () => core.getUser(s, p, authUser),
      // Closed to the Web API (verified): MethodAccessDenied.
      GetUserByPublicId: () => {
        throw new AuroraError(116, 'MethodAccessDenied', 'Core');
      },
      UpdateUser: () => core.updateUser(s, p, authUser),
      DeleteUser: () => core.deleteUser(s, p, authUser),
    },
    Mail: {
      GetMailServerByDomain: () => mail.getMailServerByDomain(s, p),
      GetServers: () => mail.getServers(s, p, authUser),
      CreateServer: () => mail.createServer(s, p, authUser),
      CreateAccount: () => mail.createAccount(s, p, authUser),
      DeleteAccount: () => mail.deleteAccount(s, p, authUser),
      GetAccounts: () => mail.getAccounts(s, p, authUser),
      GetAccountByEmail: () => mail.getAccountByEmail(s, p, authUser),
      GetForward: () => mail.getForward(s, p, authUser),
      UpdateForward: () => mail.updateForward(s, p, authUser),
      GetAutoresponder: () => mail.getAutoresponder(s, p, authUser),
      UpdateAutoresponder: () => mail.updateAutoresponder(s, p, authUser),
    },
  };
  const moduleMethods = Object.hasOwn(methods, module) ? methods[module] : undefined;
  if (!moduleMethods) throw new AuroraError(113, 'ModuleNotFound', '');
  const handler = Object.hasOwn(moduleMethods, method) ? moduleMethods[method] : undefined;
  if (!handler) throw new AuroraError(114, 'MethodNotFound', module);
  return handler();
}

function loggerGuid(s: AuroraState): Record<string, string> {
  return s.logging ? { '@LoggerGuid': randomBytes(4).toString('hex') } : {};
}

/** The JSON reply to one call; null for a PHP Error (an empty HTTP 500). */
export function reply(
  s: AuroraState,
  call: FakeAuroraCall,
  failure: AuroraFailure | undefined,
  unknownToken: boolean,
): Record<string, unknown> | null {
  const { module, method, parameters } = call;
  try {
    // A token that is present but unknown is refused before anything else (UserSession::Get).
    // Real 101 replies carry no ErrorMessage (§4).
    if (unknownToken) throw new AuroraError(101, undefined, '');
    if (parameters === null) throw new AuroraError(103, 'InvalidInputParameter', '');
    if (failure?.mode === 'error') throw new AuroraError(failure.code, failure.message, module);
    const outcome =
      failure?.mode === 'result-false'
        ? false
        : dispatch(s, module, method, parameters, call.authenticatedUserId, failure?.mode === 'lose-account');
    const [result, subscriptions] = outcome instanceof WithSubscriptions ? [outcome.result, outcome.subscriptions] : [outcome, null];
    return {
      AuthenticatedUserId: call.authenticatedUserId,
      '@Time': '0.0251',
      Module: module,
      Method: method,
      Result: result,
      SubscriptionsResult: subscriptions,
      '@TimeApiInit': '0.0103',
      ...loggerGuid(s),
    };
  } catch (error) {
    if (error instanceof PhpFatal) return null;
    if (!(error instanceof AuroraError)) throw error;
    call.errorCode = error.code;
    // Errors carry no Result and no Method (Response::FalseResponse / ExceptionResponse).
    return {
      // A refused login answers `false` here, a refused token 0 (§4).
      AuthenticatedUserId: error.code === 101 ? 0 : error.code === 102 ? false : call.authenticatedUserId,
      '@Time': '0.0091',
      SubscriptionsResult: null,
      '@TimeApiInit': '0.0053',
      ErrorCode: error.code,
      ...(error.message ? { ErrorMessage: error.message } : {}),
      Module: error.module ?? module,
      ...loggerGuid(s),
    };
  }
}
