import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ActionResult, OffboardingService, Refusal } from '../services/offboarding/offboarding-service.ts';
import { Actions, Callbacks, Commands, OffboardFields } from '../slack/ids.ts';
import { blockErrors, readChecked, readDate, readSelected, readText, type ViewStateValues } from '../slack/view-state.ts';
import { buildOffboardModal, mailboxOption } from '../views/offboard-modal.ts';
import { mention } from '../views/text.ts';
import { onIdButton, tellClicker } from './buttons.ts';

export interface OffboardDeps {
  offboarding: OffboardingService;
}

const extendValue = z
  .string()
  .regex(/^\d+:\d+$/)
  .transform((value) => value.split(':').map(Number) as [number, number]);

export function describeOffboardRefusal(refusal: Refusal): string {
  switch (refusal.code) {
    case 'not_hr':
      return refusal.checkFailed
        ? 'Slack could not confirm that you are in HR just now; please try again in a moment.'
        : 'Only HR can offboard mailboxes. This attempt was recorded.';
    case 'not_found':
      return 'This offboarding no longer exists.';
    case 'wrong_state': {
      const by = refusal.by ? ` by ${mention(refusal.by)}` : '';
      const state: Record<string, string> = {
        SCHEDULED: 'is scheduled and not waiting for a decision',
        ACTIVE: 'is not waiting for a decision (retention has not ended, or it was extended)',
        AWAITING_CONFIRMATION: 'is waiting for a decision',
        DELETING: `is being deleted (confirmed${by})`,
        DELETED: `was already deleted (confirmed${by})`,
        CANCELLING: `was already cancelled${by}`,
        CANCELLED: `was already cancelled${by}`,
      };
      return `Nothing was done: this offboarding ${state[refusal.status] ?? refusal.status.toLowerCase()}.`;
    }
    case 'nothing_to_retry':
      return 'No step has failed any more; nothing to retry.';
    case 'step_running':
      return 'Nothing was done: a step is talking to the mail server right now; try Undo again in a few seconds.';
    case 'bad_input':
      return refusal.message;
  }
}

/**
 * The offboarding modal, for `/offboard` and the Home tab's button alike: the service checks HR and
 * prepares the prefill, so authorization stays in one place. Returns the refusal for the caller to show.
 */
export async function openOffboardModal(
  client: WebClient,
  offboarding: OffboardingService,
  input: { userId: string; triggerId: string; addressText?: string | undefined },
): Promise<Refusal | undefined> {
  const prepared = await offboarding.prepareModal(input.userId, input.addressText);
  if (!prepared.ok) return prepared;
  await client.views.open({ trigger_id: input.triggerId, view: buildOffboardModal(prepared.prefill) });
  return undefined;
}

const answer = (respond: RespondFn, result: ActionResult) =>
  tellClicker(respond, result.ok ? result.message : describeOffboardRefusal(result));

/** `/offboard`, its modal and mailbox type-ahead, and the Retry/Undo/Confirm/Extend/Cancel buttons. */
export function registerOffboard(app: App, deps: OffboardDeps): void {
  app.command(Commands.offboard, async ({ ack, command, client, respond }) => {
    await ack();
    const [first, second] = command.text.trim().split(/\s+/);
    if (first?.toLowerCase() === 'undo') {
      return void (await answer(respond, await deps.offboarding.undoByAddress(second ?? '', command.user_id)));
    }
    const refusal = await openOffboardModal(client, deps.offboarding, {
      userId: command.user_id,
      triggerId: command.trigger_id,
      addressText: first,
    });
    if (refusal) await tellClicker(respond, describeOffboardRefusal(refusal));
  });

  app.options(Actions.offboardMailboxSearch, async ({ ack, body }) => {
    const found = await deps.offboarding.searchMailboxes(body.user.id, body.value ?? '');
    await ack({ options: found.map((mailbox) => mailboxOption(mailbox)) });
  });

  app.view(Callbacks.offboardModal, async ({ ack, body, view }) => {
    const values = view.state.values as ViewStateValues;
    const result = await deps.offboarding.submit(body.user.id, {
      mailbox: readSelected(values, OffboardFields.mailbox, Actions.offboardMailboxSearch),
      forwardTo: readText(values, OffboardFields.forwardTo),
      lastDay: readDate(values, OffboardFields.lastDay),
      autoReplySubject: readText(values, OffboardFields.autoReplySubject),
      autoReplyBody: readText(values, OffboardFields.autoReplyBody),
      retentionDays: readText(values, OffboardFields.retentionDays),
      options: readChecked(values, OffboardFields.options),
    });
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: blockErrors(result.errors, OffboardFields) }));
    await ack();
  });

  const byId = (actionId: string, run: (id: number, userId: string) => Promise<ActionResult>) =>
    onIdButton(app, actionId, async ({ id, userId, respond }) => {
      await answer(respond, await run(id, userId));
    });
  byId(Actions.offboardRetry, (id, userId) => deps.offboarding.retry(id, userId));
  byId(Actions.offboardUndo, (id, userId) => deps.offboarding.undo(id, userId));
  byId(Actions.offboardCancel, (id, userId) => deps.offboarding.undo(id, userId));
  byId(Actions.offboardConfirmDelete, (id, userId) => deps.offboarding.confirmDelete(id, userId));

  app.action<BlockButtonAction>(new RegExp(`^${Actions.offboardExtend}_\\d+$`), async ({ ack, body, action, respond }) => {
    await ack();
    const parsed = extendValue.safeParse(action.value);
    if (!parsed.success) return void (await tellClicker(respond, 'This button is malformed; nothing was done.'));
    const [id, days] = parsed.data;
    await answer(respond, await deps.offboarding.extend(id, body.user.id, days));
  });
}
