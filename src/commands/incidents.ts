import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, App, Middleware } from '@slack/bolt';
import type { Logger } from '../lib/logger.ts';

export const newIncidentId = (): string => randomUUID().slice(0, 8);

export const incidentMessage = (incident: string): string =>
  `Mailroom hit an unexpected error and saved nothing; please try again in a minute. If it persists, tell IT: incident ${incident}.`;

type Body = Record<string, any>;
type Ack = (response?: unknown) => Promise<void>;

/** The first input block of a submitted modal: where Slack can show an error (its blocks, else its state's first field). */
function firstInputBlockId(view: Body | undefined): string | undefined {
  const blocks = Array.isArray(view?.blocks) ? (view?.blocks as Body[]) : [];
  const fromBlocks = blocks.find((block) => block.type === 'input' && typeof block.block_id === 'string')?.block_id;
  return fromBlocks ?? Object.keys((view?.state?.values as Body | undefined) ?? {})[0];
}

/** Acks when no listener has yet; false when the interaction was already acknowledged. */
async function ackIfPending(ack: Ack | undefined, response?: unknown): Promise<boolean> {
  if (!ack) return false;
  try {
    await ack(response);
    return true;
  } catch {
    return false; // ReceiverMultipleAckError: a listener acked before it failed.
  }
}

/**
 * The one place a failed interaction ends up: every listener's unexpected error is logged once with
 * its stack under an incident id, and the person who acted is shown that id — under the modal's
 * first field while the submission can still be answered, otherwise ephemerally (response_url) or,
 * where Slack gives no response_url (Home tab clicks, answered modals), in their DM.
 */
export function incidentHandler(logger: Logger): Middleware<AnyMiddlewareArgs> {
  const log = logger.child({ module: 'incidents' });
  return async (args) => {
    try {
      await args.next();
    } catch (error) {
      const incident = newIncidentId();
      const body = args.body as Body;
      const userId: string | undefined = body.user?.id ?? body.user_id ?? body.event?.user;
      log.error(
        { err: error, incidentId: incident, interaction: body.type ?? body.command ?? body.event?.type, userId },
        'a Slack interaction failed',
      );
      const ack = (args as { ack?: Ack }).ack;
      const text = incidentMessage(incident);
      try {
        if (body.type === 'block_suggestion') return void (await ackIfPending(ack, { options: [] }));
        if (body.type === 'view_submission') {
          const blockId = firstInputBlockId(body.view);
          if (blockId && (await ackIfPending(ack, { response_action: 'errors', errors: { [blockId]: text } }))) return;
          await ackIfPending(ack);
        } else {
          await ackIfPending(ack);
          const responseUrl: string | undefined = body.response_url ?? body.response_urls?.[0]?.response_url;
          const respond = (args as { respond?: (message: unknown) => Promise<unknown> }).respond;
          if (responseUrl && respond) return void (await respond({ response_type: 'ephemeral', replace_original: false, text }));
        }
        if (userId && body.type !== 'event_callback') await args.client.chat.postMessage({ channel: userId, text });
      } catch (tellError) {
        log.error({ err: tellError, incidentId: incident }, 'could not tell the person about the incident');
      }
    }
  };
}

export function registerIncidentHandler(app: App, logger: Logger): void {
  app.use(incidentHandler(logger));
}
