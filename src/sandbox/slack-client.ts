import type { FakeSlack } from './fakes/slack-server.ts';
import type { ModalOption } from './render.ts';
import { SlackDriver } from './slack-driver.ts';

export interface ClickOutcome {
  /** A modal the app opened in answer (views.open with this interaction's trigger). */
  viewId?: string;
  /** What the app said back to the clicker only (response_url / ephemeral). */
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Plays the Slack client for the sandbox page: signed requests in, then watches what the app did. */
export class SandboxSlackClient {
  private readonly driver: SlackDriver;

  constructor(private readonly options: { appUrl: string; signingSecret: string; slack: FakeSlack }) {
    this.driver = new SlackDriver({ appUrl: options.appUrl, signingSecret: options.signingSecret });
  }

  /** An Events API delivery from the fake Slack (user_change), signed as Slack signs it. */
  async deliverEvent(event: Record<string, unknown>): Promise<void> {
    await this.driver.event({ event });
  }

  async slashCommand(userId: string, command: string, text: string): Promise<ClickOutcome> {
    const triggerId = this.options.slack.issueTriggerId({ userId });
    const responseUrl = this.options.slack.responseUrl(`command-${userId}`);
    const answer = await this.driver.slashCommand({ command, text, userId, triggerId, responseUrl });
    const notes =
      answer.status === 200 ? [] : [`Slack would show: "${command} failed with the error \\"dispatch_failed\\"" (HTTP ${answer.status}).`];
    if (answer.body && answer.status === 200) notes.push(extractText(answer.json) ?? answer.body);
    return this.watch(triggerId, responseUrl, notes);
  }

  async clickButton(
    userId: string,
    input: { actionId: string; blockId: string; value: string; channelId: string; messageTs: string },
  ): Promise<ClickOutcome> {
    const triggerId = this.options.slack.issueTriggerId({ userId });
    // Bound to the clicked message, so `replace_original` answers change it as they would in Slack.
    const responseUrl = this.options.slack.responseUrl(`click-${userId}`, { channel: input.channelId, messageTs: input.messageTs });
    await this.driver.blockAction({ userId, ...input, triggerId, responseUrl });
    return this.watch(triggerId, responseUrl, []);
  }

  /** Opens the person's Home tab as the Slack client does (app_home_opened), then waits briefly for the app to publish it. */
  async openHome(userId: string): Promise<void> {
    const slack = this.options.slack;
    const published = () => slack.okCallsTo('views.publish').filter((call) => call.args.user_id === userId).length;
    const before = published();
    await this.driver.appHomeOpened({ userId, channelId: slack.dmChannelFor(userId) });
    for (let waited = 0; waited < 2000 && published() === before; waited += 50) await sleep(50);
  }

  /** A button on the person's Home tab: block_actions from a `home` view, which carries no response_url. */
  async clickHomeButton(userId: string, input: { actionId: string; blockId: string; value: string }): Promise<ClickOutcome> {
    const home = this.options.slack.homeViewOf(userId);
    if (!home) return { notes: ['Open the Home tab first.'] };
    const triggerId = this.options.slack.issueTriggerId({ userId });
    await this.driver.blockAction({
      userId,
      ...input,
      triggerId,
      responseUrl: '',
      channelId: '',
      messageTs: '',
      container: { type: 'view', view_id: home.id },
      view: {
        id: home.id,
        team_id: home.team_id,
        type: 'home',
        blocks: home.blocks,
        private_metadata: home.private_metadata,
        callback_id: home.callback_id,
        hash: home.hash,
      },
    });
    return this.watch(triggerId, undefined, []);
  }

  async submitView(
    userId: string,
    view: { id: string; callback_id: string; private_metadata: string; hash: string },
    values: Record<string, Record<string, Record<string, unknown>>>,
  ): Promise<{ errors?: Record<string, string>; responseAction?: { response_action: string; view?: unknown } }> {
    const answer = await this.driver.viewSubmission({
      userId,
      view: { id: view.id, callbackId: view.callback_id, privateMetadata: view.private_metadata, hash: view.hash, values: values as never },
    });
    const json = answer.json as { response_action?: string; errors?: Record<string, string>; view?: unknown } | undefined;
    if (answer.status !== 200)
      return { errors: { _: `Slack would show: "We had some trouble connecting" (the app answered HTTP ${answer.status}).` } };
    if (json?.response_action === 'errors' && json.errors) return { errors: json.errors };
    if (json?.response_action)
      return { responseAction: { response_action: json.response_action, ...(json.view !== undefined ? { view: json.view } : {}) } };
    return {};
  }

  /** An external_select's options for what the person typed, requested from the app as Slack does (block_suggestion). */
  async loadOptions(
    userId: string,
    view: { id?: string; callback_id?: string; private_metadata?: string },
    blockId: string,
    actionId: string,
    query: string,
  ): Promise<ModalOption[]> {
    const payload = {
      type: 'block_suggestion',
      user: { id: userId, username: userId, team_id: this.driver.teamId },
      team: { id: this.driver.teamId, domain: 'sandbox' },
      api_app_id: 'A0SANDBOX',
      block_id: blockId,
      action_id: actionId,
      value: query,
      view: {
        id: view.id,
        type: 'modal',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata ?? '',
        team_id: this.driver.teamId,
      },
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const answer = await this.driver.post(body, { ...this.driver.sign(body), 'content-type': 'application/x-www-form-urlencoded' });
    const options = (answer.json as { options?: Array<{ value: string; text?: { text?: string } }> } | undefined)?.options ?? [];
    return options.map((option) => ({ value: option.value, label: option.text?.text ?? option.value }));
  }

  /** Waits briefly for the app's asynchronous answer: a modal opened with the trigger, or a response_url post. */
  private async watch(triggerId: string, responseUrl: string | undefined, notes: string[]): Promise<ClickOutcome> {
    const slack = this.options.slack;
    for (let waited = 0; waited < 2000; waited += 50) {
      const opened = slack.okCallsTo('views.open').find((call) => call.args.trigger_id === triggerId);
      const responses = responseUrl === undefined ? [] : slack.responsesTo(responseUrl);
      if (opened || responses.length > 0) {
        const viewId = (opened?.response.view as { id?: string } | undefined)?.id;
        return { ...(viewId ? { viewId } : {}), notes: [...notes, ...responses.map((response) => extractText(response.body) ?? '')] };
      }
      await sleep(50);
    }
    return { notes };
  }
}

function extractText(body: unknown): string | undefined {
  const text = (body as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
}
