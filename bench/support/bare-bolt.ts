/**
 * The baseline of the ack benchmark: a bare Bolt app on the same HTTPReceiver, acking the request
 * modal and the Approve button at once and doing nothing else. Env: PORT, SLACK_SIGNING_SECRET,
 * SLACK_BOT_TOKEN, SLACK_API_URL (the fake Slack, should Bolt call it).
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  logLevel: LogLevel.ERROR,
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => void res.writeHead(200).end('{"ok":true}') }],
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? '',
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '' },
});
app.view('request_email_modal', async ({ ack }) => {
  await ack();
});
app.action('request_approve', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
