import type { App, BlockButtonAction } from '@slack/bolt';
import type { HomeService } from '../services/home/home-service.ts';
import type { OffboardingService } from '../services/offboarding/offboarding-service.ts';
import { Actions, Events } from '../slack/ids.ts';
import { buildNoticeModal } from '../views/notice-modal.ts';
import { describeOffboardRefusal, openOffboardModal } from './offboard.ts';
import { openRequestModal } from './request-email.ts';

export interface HomeDeps {
  home: HomeService;
  offboarding: OffboardingService;
  domains: readonly string[];
}

/** The App Home tab: published on every open, and its two buttons, which open the same modals as the commands. */
export function registerHome(app: App, deps: HomeDeps): void {
  // Bolt acks events before listeners run; a failure here reaches app.error, which logs it.
  app.event(Events.appHomeOpened, async ({ event }) => {
    // Opening the Messages tab sends this event too.
    if (event.tab !== 'home') return;
    await deps.home.publish(event.user);
  });

  app.action<BlockButtonAction>(Actions.homeRequestMailbox, async ({ ack, body, client }) => {
    await ack();
    await openRequestModal(client, body.trigger_id, deps.domains);
  });

  app.action<BlockButtonAction>(Actions.homeOffboardMailbox, async ({ ack, body, client }) => {
    await ack();
    const refusal = await openOffboardModal(client, deps.offboarding, { userId: body.user.id, triggerId: body.trigger_id });
    // A Home tab click has no response_url to answer through: the refusal gets a modal of its own.
    if (refusal)
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildNoticeModal('Offboard a mailbox', describeOffboardRefusal(refusal)),
      });
  });
}
