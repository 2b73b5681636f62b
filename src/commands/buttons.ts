import type { AllMiddlewareArgs, App, BlockButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { faultPoint } from '../platform/faults.ts';

/** Answers only the person who clicked, without touching the message (an ephemeral post into someone else's DM would fail). */
export const tellClicker = (respond: RespondFn, text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

const idValue = z.coerce.number().int().positive();

export type IdButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs & { id: number; userId: string };

/**
 * A button whose value is a row id: parses the id (round-tripped data is untrusted; a malformed
 * one is answered and nothing is done), hands over to `run`, and acks only once `run` has recorded
 * the click: a click either takes effect or the clicker is told it did not (a failure, e.g. the
 * database being down, reaches the incident handler unacked, which answers "nothing was saved").
 */
export function onIdButton(app: App, actionId: string, run: (args: IdButtonArgs) => Promise<void>): void {
  app.action<BlockButtonAction>(actionId, async (args) => {
    const id = idValue.safeParse(args.action.value);
    if (!id.success) {
      await args.ack();
      return void (await tellClicker(args.respond, 'This button is malformed; nothing was done.'));
    }
    await run({ ...args, id: id.data, userId: args.body.user.id });
    await args.ack();
    faultPoint('click-acked');
  });
}
