// One error handler for every Slack interaction: a listener's unexpected failure is logged once with
// its stack under an incident id, and the person who acted sees that id — under the modal's first
// field, ephemerally through response_url, or in their DM where Slack gives no response_url.
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOffboardModal } from '../../src/views/offboard-modal.ts';
import { buildRequestModal } from '../../src/views/request-modal.ts';
import {
  approvalMessageFor,
  clickButton,
  eventually,
  type Harness,
  People,
  requestFormValues,
  startHarness,
  submitRequestForm,
} from '../support/harness.ts';
import { OFFBOARDING_ENV, offboardFormValues, seedMailbox, today } from '../support/offboarding.ts';

const INCIDENT = /incident ([0-9a-f]{8})/;

describe('incidents: every failed interaction is answered with an id', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(OFFBOARDING_ENV);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Takes a table away for the duration of `run`, so the service's next query fails as in an outage. */
  async function withoutTable<T>(table: string, run: () => Promise<T>): Promise<T> {
    const connection = await createConnection(h.db.url.replace(/^mariadb:/, 'mysql:'));
    await connection.query(`RENAME TABLE \`${table}\` TO \`${table}_away\``);
    try {
      return await run();
    } finally {
      await connection.query(`RENAME TABLE \`${table}_away\` TO \`${table}\``);
      await connection.end();
    }
  }

  const loggedIncident = (incident: string) =>
    h.logs
      .map((line) => JSON.parse(line) as { incidentId?: string; msg?: string; err?: { stack?: string } })
      .find((entry) => entry.incidentId === incident);

  it('shows the id under the request modal’s first field and logs the stack', async () => {
    const answer = await withoutTable('EmailRequest', () =>
      h.driver.viewSubmission({
        userId: People.requester,
        view: {
          callbackId: 'request_email_modal',
          values: requestFormValues(),
          blocks: buildRequestModal({ domains: ['example.com'] }).blocks,
        },
      }),
    );
    expect(answer.status).toBe(200);
    const json = answer.json as { response_action: string; errors: Record<string, string> };
    expect(json.response_action).toBe('errors');
    const message = json.errors.full_name ?? '';
    expect(message).toContain('saved nothing');
    const incident = INCIDENT.exec(message)?.[1] ?? 'none';
    expect(loggedIncident(incident)?.err?.stack).toContain('EmailRequest');
    expect(await h.db.prisma.emailRequest.count()).toBe(0);
  });

  it('shows the id under the offboarding modal’s first field too', async () => {
    await seedMailbox(h, { address: 'leaver@example.com' });
    const answer = await withoutTable('Offboarding', () =>
      h.driver.viewSubmission({
        userId: People.hr,
        view: {
          callbackId: 'offboard_modal',
          values: offboardFormValues({ mailbox: 'leaver@example.com', lastDay: today(h), forwardTo: 'sam@example.com' }),
          blocks: buildOffboardModal({ lastDay: today(h), retentionDays: 30 }).blocks,
        },
      }),
    );
    const json = answer.json as { response_action: string; errors: Record<string, string> };
    expect(json.response_action).toBe('errors');
    const incident = INCIDENT.exec(json.errors.offboard_mailbox ?? '')?.[1] ?? 'none';
    expect(loggedIncident(incident)).toBeDefined();
    expect(await h.db.prisma.offboarding.count()).toBe(0);
    expect(h.cpanel.callsTo('add_forwarder')).toHaveLength(0);
  });

  it('answers a failed button click ephemerally through its response_url', async () => {
    await submitRequestForm(h, { localPart: 'click.fail' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'click.fail' } });
    const dm = await approvalMessageFor(h, request.id, People.superior);
    // The click is acked first and decided after, so the table stays away until the decision has failed.
    await withoutTable('AuditEvent', async () => {
      await clickButton(h, {
        userId: People.superior,
        actionId: 'request_approve',
        requestId: request.id,
        channelId: dm.channelId,
        messageTs: dm.ts,
      });
      await eventually(
        async () => h.logs.some((line) => line.includes('a Slack interaction failed') && line.includes('block_actions')),
        'the failed click in the log',
      );
    });
    const response = await eventually(
      async () => h.slack.responsesTo(`click-${People.superior}-request_approve`)[0],
      'the ephemeral answer',
    );
    const body = response.body as { text: string; response_type: string };
    expect(body.response_type).toBe('ephemeral');
    expect(loggedIncident(INCIDENT.exec(body.text)?.[1] ?? 'none')).toBeDefined();
    expect((await h.db.prisma.emailRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING_APPROVAL');
  });
});
