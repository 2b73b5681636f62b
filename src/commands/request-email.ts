import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { DecisionRefusal, RequestService, RetryResult } from '../services/requests/request-service.ts';
import { Actions, Callbacks, Commands, RejectFields, RequestFields } from '../slack/ids.ts';
import { blockErrors, readDate, readSelected, readText, readUser, type ViewStateValues } from '../slack/view-state.ts';
import { buildRejectModal } from '../views/reject-modal.ts';
import { buildCancelledNotice } from '../views/request-messages.ts';
import { buildRequestModal } from '../views/request-modal.ts';
import { mention } from '../views/text.ts';
import { onIdButton, tellClicker } from './buttons.ts';
import { parseRequestCommandText, type RequestPrefill } from './request-prefill.ts';

export interface RequestEmailDeps {
  requests: RequestService;
  domains: readonly string[];
}

const rejectMetadata = z.object({ requestId: z.number().int().positive() });

export function describeRefusal(refusal: DecisionRefusal): string {
  switch (refusal.code) {
    case 'not_found':
      return 'This request no longer exists.';
    case 'not_approver':
      return refusal.isRequester
        ? 'You filed this request, so you cannot decide it: nobody approves their own request.'
        : `Only ${refusal.approverIds.map(mention).join(', ') || 'the approver'} or an admin can decide on this request.`;
    case 'already_decided':
      return describeDecided(refusal.status, refusal.decidedById);
    case 'reason_required':
      return 'Give a reason for the rejection.';
    case 'reason_invalid':
      return refusal.message;
    case 'guest':
      return 'Guests in this Slack workspace cannot decide on mailbox requests; ask a full member or an admin.';
  }
}

/** What became of a request someone clicks on too late, in plain past tense: "already approved by @Sam". */
export function describeDecided(status: string, decidedById: string | null): string {
  const by = decidedById ? ` by ${mention(decidedById)}` : '';
  switch (status) {
    case 'APPROVED':
      return `This request was already approved${by}.`;
    case 'PROVISIONING':
      return `This request was already approved${by}; the mailbox is being created.`;
    case 'ACTIVE':
      return `This request was already approved${by}, and the mailbox was already created.`;
    case 'FAILED':
      return `This request was already approved${by}, but creating the mailbox failed; the admins were told.`;
    case 'REJECTED':
      return `This request was already rejected${by}.`;
    case 'CANCELLED':
      return `This request was already cancelled${by}.`;
    case 'EXPIRED':
      return 'This request already expired without a decision.';
    default:
      return `This request was already decided${by}.`;
  }
}

const describeRetry = (result: RetryResult): string =>
  result.ok
    ? ':arrows_counterclockwise: Provisioning will be tried again; this message will not change, watch the approval message.'
    : {
        not_found: 'This request no longer exists.',
        not_admin: 'Only an admin can retry provisioning.',
        not_failed: 'This request is not in the failed state any more; nothing to retry.',
        address_taken: 'Another open request holds this address now, so this one cannot be retried.',
      }[result.code];

/** `/request-email`, its modal, and the approve/reject/retry buttons. Handlers parse, ack, delegate. */
export function registerRequestEmail(app: App, deps: RequestEmailDeps): void {
  app.command(Commands.requestEmail, async ({ ack, command, client }) => {
    await ack();
    await openRequestModal(client, command.trigger_id, deps.domains, parseRequestCommandText(command.text, deps.domains));
  });

  // An unexpected failure is answered under the first field by the incident handler (incidents.ts).
  app.view(Callbacks.requestModal, async ({ ack, body, view }) => {
    const values = view.state.values as ViewStateValues;
    const result = await deps.requests.submit(body.user.id, {
      fullName: readText(values, RequestFields.fullName),
      localPart: readText(values, RequestFields.localPart),
      domain: readSelected(values, RequestFields.domain),
      personalEmail: readText(values, RequestFields.personalEmail),
      phone: readText(values, RequestFields.phone),
      superiorId: readUser(values, RequestFields.superior),
      startDate: readDate(values, RequestFields.startDate),
      note: readText(values, RequestFields.note),
    });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: blockErrors(result.errors, RequestFields) });
      return;
    }
    await ack();
  });

  onIdButton(app, Actions.approve, async ({ id, userId, respond }) => {
    const result = await deps.requests.decide({ requestId: id, actorId: userId, decision: 'approve' });
    if (!result.ok) await tellClicker(respond, describeRefusal(result));
  });

  onIdButton(app, Actions.reject, async ({ id, userId, respond, client, body }) => {
    const allowed = await deps.requests.checkCanDecide(id, userId);
    if (!allowed.ok) return void (await tellClicker(respond, describeRefusal(allowed)));
    await client.views.open({ trigger_id: body.trigger_id, view: buildRejectModal({ requestId: id, address: allowed.address }) });
  });

  app.view(Callbacks.rejectModal, async ({ ack, body, view }) => {
    const metadata = rejectMetadata.safeParse(safeJson(view.private_metadata));
    if (!metadata.success) {
      await ack({
        response_action: 'errors',
        errors: { [RejectFields.reason]: 'This form is malformed; close it and press Reject again.' },
      });
      return;
    }
    const reason = readText(view.state.values as ViewStateValues, RejectFields.reason).trim();
    if (reason.length < 3) {
      await ack({
        response_action: 'errors',
        errors: { [RejectFields.reason]: 'Give a reason of at least a few words: the requester and the new hire will see it.' },
      });
      return;
    }
    const result = await deps.requests.decide({ requestId: metadata.data.requestId, actorId: body.user.id, decision: 'reject', reason });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [RejectFields.reason]: describeRefusal(result) } });
      return;
    }
    await ack();
  });

  onIdButton(app, Actions.cancelRequest, async ({ id, userId, respond }) => {
    const result = await deps.requests.cancel(id, userId);
    if (result.ok) {
      const notice = buildCancelledNotice(result.summary);
      await respond({ replace_original: true, text: notice.text, blocks: notice.blocks });
      return;
    }
    await tellClicker(
      respond,
      result.code === 'already_decided'
        ? describeRefusal(result)
        : result.code === 'not_requester'
          ? 'Only the person who filed this request (or an admin) can cancel it.'
          : 'This request no longer exists.',
    );
  });

  onIdButton(app, Actions.retryProvisioning, async ({ id, userId, respond }) => {
    await tellClicker(respond, describeRetry(await deps.requests.retryProvisioning(id, userId)));
  });
}

/** The request modal, for `/request-email` and the Home tab's button alike; first thing after ack (the trigger lives 3 s). */
export async function openRequestModal(
  client: WebClient,
  triggerId: string,
  domains: readonly string[],
  prefill: RequestPrefill = {},
): Promise<void> {
  const { fullName, localPart, domain } = prefill;
  const initial = {
    ...(fullName ? { initialFullName: fullName } : {}),
    ...(localPart ? { initialLocalPart: localPart } : {}),
    ...(domain ? { initialDomain: domain } : {}),
  };
  await client.views.open({ trigger_id: triggerId, view: buildRequestModal({ domains, ...initial }) });
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
