import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { ReconcileService } from '../services/reconcile/reconcile-service.ts';
import { Actions, AdoptFields, Callbacks } from '../slack/ids.ts';
import { readUser, type ViewStateValues } from '../slack/view-state.ts';
import { buildAdoptModal } from '../views/reconcile-messages.ts';
import { mention } from '../views/text.ts';
import { tellClicker } from './buttons.ts';

export interface ReconcileDeps {
  reconcile: ReconcileService;
}

/** The button's value and the modal's metadata carry an address; the service checks it again. */
const address = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .regex(/^[^@\s]+@[^@\s]+$/);
const adoptMetadata = z.object({ address });

const safeJson = (text: string | undefined): unknown => {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
};

/** Adopt on the report's DM: an admin picks the owner in a small modal; the service links and audits. */
export function registerReconcile(app: App, deps: ReconcileDeps): void {
  app.action<BlockButtonAction>(Actions.reconcileAdopt, async ({ ack, action, body, client, respond }) => {
    await ack();
    const parsed = address.safeParse(action.value);
    if (!parsed.success) return void (await tellClicker(respond, 'This button is malformed; nothing was done.'));
    const refused = await deps.reconcile.checkAdmin(body.user.id, parsed.data);
    if (refused && !refused.ok) return void (await tellClicker(respond, refused.message));
    await client.views.open({ trigger_id: body.trigger_id, view: buildAdoptModal(parsed.data) });
  });

  app.view(Callbacks.adoptModal, async ({ ack, body, view, client }) => {
    const metadata = adoptMetadata.safeParse(safeJson(view.private_metadata));
    const ownerId = readUser(view.state.values as ViewStateValues, AdoptFields.owner);
    if (!metadata.success || !ownerId) {
      const message = metadata.success ? 'Choose the owner.' : 'This form is malformed; close it and press Adopt again.';
      return void (await ack({ response_action: 'errors', errors: { [AdoptFields.owner]: message } }));
    }
    const result = await deps.reconcile.adopt({ actorId: body.user.id, address: metadata.data.address, ownerId });
    if (!result.ok) return void (await ack({ response_action: 'errors', errors: { [AdoptFields.owner]: result.message } }));
    await ack();
    await client.chat.postMessage({
      channel: body.user.id,
      text: `${result.address} is now managed by Mailroom, owned by ${mention(result.ownerId)}.`,
    });
  });
}
