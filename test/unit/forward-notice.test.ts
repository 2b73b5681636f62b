// The forward target hears how long senders get an automatic reply. Some hosts keep no end date
// (Aurora without scheduled auto-replies), so the notice never promises one: the reply lasts until
// the mailbox is deleted, and the due date is named as the deletion's.
import { describe, expect, it } from 'vitest';
import type { OffboardingSummary } from '../../src/services/offboarding/summary.ts';
import { forwardNoticeEmail } from '../../src/views/notification-templates.ts';
import { buildForwardNotice } from '../../src/views/offboard-status.ts';

const offboarding: OffboardingSummary = {
  id: 7,
  address: 'jane.doe@example.com',
  leaverName: 'Jane Doe',
  initiatedById: 'U0HRPERSON',
  forwardTo: 'sam@example.com',
  lastDay: new Date('2026-12-03T00:00:00Z'),
  runAt: new Date('2026-12-03T09:00:00Z'),
  deleteAfter: new Date('2027-01-02T09:00:00Z'),
  retentionDays: 30,
  status: 'ACTIVE',
  decidedById: null,
  decidedAt: null,
  cancelledById: null,
  completedAt: null,
  steps: [],
};

describe('the forward target’s notice', () => {
  it('says the auto-reply lasts until the mailbox is deleted, in Slack and by email', () => {
    expect(buildForwardNotice(offboarding).text).toMatch(/automatic reply naming you until the mailbox is deleted \(due .*2027-01-02/);
    const mail = forwardNoticeEmail({ companyName: 'Acme', itContact: 'it@example.com' }, offboarding);
    expect(mail.text).toContain('until the mailbox is deleted (due 2027-01-02)');
    expect(mail.text).not.toMatch(/naming you until 2027/);
  });
});
