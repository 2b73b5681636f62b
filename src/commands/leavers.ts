import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { AlertRefusal, LeaverService } from '../services/leavers/leaver-service.ts';
import type { RawSlackUser } from '../slack/gateway.ts';
import { Actions, Callbacks, Events, LeaverFields } from '../slack/ids.ts';
import { readText, type ViewStateValues } from '../slack/view-state.ts';
import { buildDismissModal } from '../views/leaver-alert.ts';
import { buildOffboardModal } from '../views/offboard-modal.ts';
import { tellClicker } from './buttons.ts';
import { describeOffboardRefusal } from './offboard.ts';

export interface LeaverDeps {
  leavers: LeaverService;
}

const dismissMetadata = z.object({ alertId: z.number().int().positive() });
const alertId = z.coerce.number().int().positive();

function parseMetadata(text: string | undefined) {
  try {
    return dismissMetadata.safeParse(JSON.parse(text ?? ''));
  } catch {
    return dismissMetadata.safeParse(undefined);
  }
}

const describe = (refusal: AlertRefusal): string => ('message' in refusal ? refusal.message : describeOffboardRefusal(refusal));

/** The user_change event, and the leaver alert's Start offboarding / Not a leaver buttons and modal. */
export function registerLeavers(app: App, deps: LeaverDeps): void {
  // Bolt acks events before listeners run; a retried delivery adds nothing (one alert row per leaver and mailbox).
  app.event(Events.userChange, async ({ event }) => {
    await deps.leavers.onUserChange(event.user as RawSlackUser | undefined);
  });

  // Both buttons only open a modal (nothing is recorded until it is submitted): ack first, as the Home tab's buttons do.
  app.action<BlockButtonAction>(Actions.leaverStartOffboarding, async ({ ack, action, body, client, respond }) => {
    await ack();
    const id = alertId.safeParse(action.value);
    if (!id.success) return void (await tellClicker(respond, 'This button is malformed; nothing was done.'));
    const prepared = await deps.leavers.prepareStart(id.data, body.user.id);
    if (!prepared.ok) return void (await tellClicker(respond, describe(prepared)));
    await client.views.open({ trigger_id: body.trigger_id, view: buildOffboardModal(prepared.prefill) });
  });

  app.action<BlockButtonAction>(Actions.leaverNotALeaver, async ({ ack, action, body, client, respond }) => {
    await ack();
    const id = alertId.safeParse(action.value);
    if (!id.success) return void (await tellClicker(respond, 'This button is malformed; nothing was done.'));
    const prepared = await deps.leavers.prepareDismiss(id.data, body.user.id);
    if (!prepared.ok) return void (await tellClicker(respond, describe(prepared)));
    await client.views.open({ trigger_id: body.trigger_id, view: buildDismissModal({ alertId: id.data, ...prepared }) });
  });

  app.view(Callbacks.leaverDismissModal, async ({ ack, body, view }) => {
    const metadata = parseMetadata(view.private_metadata);
    if (!metadata.success) {
      return void (await ack({
        response_action: 'errors',
        errors: { [LeaverFields.reason]: 'This form is malformed; close it and press Not a leaver again.' },
      }));
    }
    const reason = readText(view.state.values as ViewStateValues, LeaverFields.reason);
    const result = await deps.leavers.dismiss(metadata.data.alertId, body.user.id, reason);
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: { [LeaverFields.reason]: result.error } }));
    await ack();
  });
}
