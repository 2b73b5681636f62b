// The Bolt app with its HTTP routes (health, metrics, credential pages, extras), the ack timing and
// the incident handler. Built by the composition root (app.ts) for the web role; the worker builds
// it too, for its Web API client only, and never starts it.
import { App, type CustomRoute, HTTPReceiver, LogLevel } from '@slack/bolt';
import { newIncidentId, registerIncidentHandler } from '../commands/incidents.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { boltLogger } from '../lib/bolt-logger.ts';
import type { Logger } from '../lib/logger.ts';
import type { Clock } from '../platform/clock.ts';
import { type Metrics, metricsHandler } from '../platform/metrics.ts';
import type { OneTimeSecrets } from '../services/credentials/one-time-secrets.ts';
import { timeAcks } from './ack-timing.ts';
import { buildCredentialRoutes } from './credential-routes.ts';
import { healthHandler } from './health.ts';
import { refuseFutureDated } from './request-age.ts';

export interface SlackAppParts {
  config: Config;
  logger: Logger;
  clock: Clock;
  prisma: PrismaClient;
  metrics: Metrics;
  oneTimeSecrets: OneTimeSecrets;
  lifecycle: { draining: boolean };
  templateSettings: { companyName: string; itContact: string };
}

export function buildSlackApp(parts: SlackAppParts, extraRoutes: CustomRoute[]): App {
  const { config, logger } = parts;
  const credentialRoutes = buildCredentialRoutes({
    secrets: parts.oneTimeSecrets,
    clock: parts.clock,
    logger,
    settings: parts.templateSettings,
    secretKeyHex: config.SECRET_KEY,
    publicUrl: config.PUBLIC_URL,
  });
  const health: CustomRoute = { path: '/healthz', method: ['GET'], handler: healthHandler(parts.prisma, logger, parts.lifecycle) };
  const metrics: CustomRoute = { path: '/metrics', method: ['GET'], handler: metricsHandler(parts.metrics, config.METRICS_TOKEN) };
  const customRoutes = [health, metrics, ...extraRoutes, ...credentialRoutes];
  // Slack calls are retried by the job runner with backoff: the client's own retries stay short, so a shutdown is not held up by them.
  const clientOptions = {
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  };
  // convoStore: false: Bolt's conversation-state middleware (an in-memory store read on every event) is unused here.
  const common = {
    token: config.SLACK_BOT_TOKEN,
    logger: boltLogger(logger),
    logLevel: LogLevel.INFO,
    clientOptions,
    convoStore: false as const,
  };
  let app: App;
  if (config.SLACK_APP_TOKEN) {
    app = new App({
      ...common,
      signingSecret: config.SLACK_SIGNING_SECRET,
      socketMode: true,
      appToken: config.SLACK_APP_TOKEN,
      customRoutes,
    });
  } else {
    const receiver = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      customRoutes,
      logger: common.logger,
      logLevel: LogLevel.INFO,
    });
    const refusing = refuseFutureDated(receiver.requestListener, (req) =>
      logger.warn({ path: req.url?.split('?')[0] }, 'refused a Slack request dated in the future'),
    );
    receiver.requestListener = timeAcks(refusing, parts.metrics);
    app = new App({ ...common, receiver });
  }
  // Listener failures are answered to the person by the incident handler; this catches the rest.
  registerIncidentHandler(app, logger);
  app.error(async (error) => {
    logger.error({ err: error, incidentId: newIncidentId() }, 'unhandled error outside a Slack listener');
  });
  return app;
}
