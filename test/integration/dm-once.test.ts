// At most one approval DM per approver, as far as Slack allows: the job posts with its key as
// message metadata, and when it dies between posting and recording (fault point
// `approval-dm-posted`), the retry finds its own earlier post in the DM's history instead of
// posting a second copy with live buttons that would never be updated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainJobs, type Harness, People, startHarness, submitRequestForm } from '../support/harness.ts';

describe('the approval DM after a failure between post and record', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ JOB_BACKOFF_BASE_MS: '60000' });
  });
  afterAll(async () => {
    delete process.env.MAILROOM_FAULT;
    await h?.close();
  });

  it('is posted once, recorded on the retry, and the approver’s email and SMS are queued once', async () => {
    process.env.MAILROOM_FAULT = 'approval-dm-posted:throw';
    await submitRequestForm(h, { localPart: 'dm.once' });
    const request = await h.db.prisma.emailRequest.findFirstOrThrow({ where: { localPart: 'dm.once' } });
    await drainJobs(h);
    const approvalDms = () => h.slack.messagesIn(People.superior).filter((m) => JSON.stringify(m.blocks).includes('request_approve'));
    expect(approvalDms()).toHaveLength(1);
    expect(await h.db.prisma.approvalMessage.count({ where: { requestId: request.id } })).toBe(0);
    const job = await h.db.prisma.job.findFirstOrThrow({ where: { kind: 'request.post_approval_dm', requestId: request.id } });
    expect(job).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'fault injected at approval-dm-posted' });

    h.clock.advance(61_000);
    await drainJobs(h);
    expect(approvalDms()).toHaveLength(1);
    const recorded = await h.db.prisma.approvalMessage.findFirstOrThrow({ where: { requestId: request.id } });
    expect(recorded.ts).toBe(approvalDms()[0]?.ts);
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);
    // The approver's email (and SMS, or its SKIPPED row) that link to the DM: once.
    expect(await h.db.prisma.delivery.count({ where: { requestId: request.id, template: 'approval-request-email' } })).toBe(1);
    expect(await h.db.prisma.delivery.count({ where: { requestId: request.id, template: 'approval-request-sms' } })).toBe(1);
  });
});
