/**
 * The fake's views: views.open/push/update/publish with trigger ids and stacks of up to three modals, the
 * Home tab per user, and what Slack does with a view_submission's `response_action`.
 */
import { validateView } from './block-kit.ts';
import type { SlackState } from './state.ts';
import type { FakeView, SlackApiResponse, SlackArgs, TriggerState } from './types.ts';
import { asString, clone, fail, isRecord } from './util.ts';

export function viewsOpen(s: SlackState, args: SlackArgs): SlackApiResponse {
  const trigger = s.checkTrigger(asString(args.trigger_id ?? args.interactivity_pointer));
  if ('error' in trigger) return fail(trigger.error);
  const input = args.view;
  const problems = validateView(input, ['modal']);
  if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
  if (s.externalIdTaken(input.external_id)) return fail('duplicate_external_id');
  trigger.used = true;
  const id = s.nextId('V');
  const view = s.buildView(input, id, {
    root_view_id: id,
    ...(trigger.userId !== undefined ? { user_id: trigger.userId } : {}),
  });
  s.views.set(id, view);
  s.stacks.push([id]);
  return { ok: true, view: clone(view) };
}

/** The stack a views.push lands on: the trigger's modal, else the user's latest stack, else the latest. */
function findStack(s: SlackState, trigger: TriggerState): string[] | undefined {
  if (trigger.viewId !== undefined) {
    const viewId = trigger.viewId;
    return s.stacks.find((stack) => stack.includes(viewId));
  }
  const open = s.stacks.filter((stack) => stack.length > 0);
  if (trigger.userId !== undefined) {
    const mine = open.filter((stack) => s.views.get(stack[0] ?? '')?.user_id === trigger.userId);
    if (mine.length > 0) return mine.at(-1);
  }
  return open.at(-1);
}

export function viewsPush(s: SlackState, args: SlackArgs): SlackApiResponse {
  const trigger = s.checkTrigger(asString(args.trigger_id ?? args.interactivity_pointer));
  if ('error' in trigger) return fail(trigger.error);
  const input = args.view;
  const problems = validateView(input, ['modal']);
  if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
  const stack = findStack(s, trigger);
  const top = stack?.at(-1);
  if (stack === undefined || top === undefined) return fail('not_found');
  if (stack.length >= 3) return fail('push_limit_reached');
  if (s.externalIdTaken(input.external_id)) return fail('duplicate_external_id');
  trigger.used = true;
  const root = s.views.get(stack[0] ?? top);
  const id = s.nextId('V');
  const userId = trigger.userId ?? root?.user_id;
  const view = s.buildView(input, id, {
    root_view_id: stack[0] ?? top,
    previous_view_id: top,
    ...(userId !== undefined ? { user_id: userId } : {}),
  });
  s.views.set(id, view);
  stack.push(id);
  return { ok: true, view: clone(view) };
}

export function viewsUpdate(s: SlackState, args: SlackArgs): SlackApiResponse {
  const viewId = asString(args.view_id);
  const externalId = asString(args.external_id);
  if ((viewId === undefined || viewId === '') && (externalId === undefined || externalId === '')) {
    return fail('invalid_arguments', ['[ERROR] one of view_id or external_id is required [json-pointer:/]']);
  }
  const current =
    viewId !== undefined && viewId !== '' ? s.views.get(viewId) : [...s.views.values()].find((v) => v.external_id === externalId);
  if (current === undefined) return fail('not_found');
  const hash = asString(args.hash);
  if (hash !== undefined && hash !== '' && hash !== current.hash) return fail('hash_conflict');
  const input = args.view;
  const problems = validateView(input, [current.type]);
  if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
  if (s.externalIdTaken(input.external_id, current.id)) return fail('duplicate_external_id');
  const view = s.buildView(input, current.id, {
    root_view_id: current.root_view_id,
    previous_view_id: current.previous_view_id,
    state: current.state,
    ...(current.user_id !== undefined ? { user_id: current.user_id } : {}),
  });
  s.views.set(current.id, view);
  return { ok: true, view: clone(view) };
}

export function viewsPublish(s: SlackState, args: SlackArgs): SlackApiResponse {
  const userId = asString(args.user_id);
  if (userId === undefined || !s.users.has(userId)) return fail('user_not_found');
  const input = args.view;
  const problems = validateView(input, ['home']);
  if (problems.length > 0 || !isRecord(input)) return fail('invalid_arguments', problems);
  const existingId = s.homeViewByUser.get(userId);
  const existing = existingId === undefined ? undefined : s.views.get(existingId);
  const hash = asString(args.hash);
  if (hash !== undefined && hash !== '' && existing !== undefined && hash !== existing.hash) return fail('hash_conflict');
  const id = existingId ?? s.nextId('V');
  s.homeViewByUser.set(userId, id);
  const view = s.buildView(input, id, { user_id: userId });
  s.views.set(id, view);
  return { ok: true, view: clone(view) };
}

// ------------------------------------------------------------------ what the Slack client shows and does

/** The user's Home tab as last published (views.publish), if any. */
export function homeViewOf(s: SlackState, userId: string): FakeView | undefined {
  const id = s.homeViewByUser.get(userId);
  const view = id === undefined ? undefined : s.views.get(id);
  return view === undefined ? undefined : clone(view);
}

/** The modal on top of the user's most recent open stack, as the Slack client shows it. */
export function openModalOf(s: SlackState, userId: string): FakeView | undefined {
  const mine = s.stacks.filter((stack) => stack.length > 0 && s.views.get(stack[0] ?? '')?.user_id === userId);
  const top = mine.at(-1)?.at(-1);
  const view = top === undefined ? undefined : s.views.get(top);
  return view === undefined ? undefined : clone(view);
}

/** The user closed (or submitted and Slack closed) a modal: drop it and anything pushed above it. */
export function closeView(s: SlackState, viewId: string): void {
  for (const stack of s.stacks) {
    const at = stack.indexOf(viewId);
    if (at === -1) continue;
    for (const id of stack.splice(at)) s.views.delete(id);
  }
  s.views.delete(viewId);
}

/** See FakeSlack.applyResponseAction. */
export function applyResponseAction(
  s: SlackState,
  viewId: string,
  action: { response_action: string; view?: unknown },
): { ok: true } | { ok: false; error: string } {
  const current = s.views.get(viewId);
  const stack = s.stacks.find((st) => st.includes(viewId));
  if (current === undefined || stack === undefined) return { ok: false, error: 'not_found' };
  if (action.response_action === 'clear') {
    closeView(s, stack[0] ?? viewId);
    return { ok: true };
  }
  const input = action.view;
  const problems = validateView(input, ['modal']);
  if (problems.length > 0 || !isRecord(input)) return { ok: false, error: `invalid view: ${problems.join('; ')}` };
  const owner = current.user_id !== undefined ? { user_id: current.user_id } : {};
  if (action.response_action === 'update') {
    s.views.set(
      viewId,
      s.buildView(input, viewId, { root_view_id: current.root_view_id, previous_view_id: current.previous_view_id, ...owner }),
    );
    return { ok: true };
  }
  if (action.response_action === 'push') {
    if (stack.length >= 3) return { ok: false, error: 'push_limit_reached' };
    const id = s.nextId('V');
    s.views.set(id, s.buildView(input, id, { root_view_id: stack[0] ?? viewId, previous_view_id: viewId, ...owner }));
    stack.push(id);
    return { ok: true };
  }
  return { ok: false, error: `unknown response_action ${action.response_action}` };
}
