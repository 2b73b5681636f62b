import { describe, expect, it } from 'vitest';
import {
  approvalRequestEmail,
  approvalRequestSms,
  fillSecret,
  newHireCheckInboxSms,
  newHireLinkSms,
  newHirePasswordEmail,
  newHireRejectedSms,
  type RequestFacts,
  SECRET_SLOT,
  smsSegments,
} from '../../src/views/notification-templates.ts';

const settings = { companyName: 'Acme Corporation', itContact: 'it@acme.example' };
const facts: RequestFacts = {
  id: 12345,
  fullName: 'Bartholomew Featherstonehaugh-Montgomery',
  address: 'bartholomew.featherstonehaugh@acme-corporation.example',
  requesterName: 'Rita <Requester>',
  startDate: new Date('2026-12-01T00:00:00Z'),
  note: 'Needs <b>access</b> & "more"',
  decisionReason: 'Wrong team — please resubmit with the right superior, it’s the sales team not marketing',
  failureReason: null,
};
const link = `https://mailroom.example.com/credentials/${'x'.repeat(27)}`;

describe('notification templates', () => {
  it('keeps every SMS within one GSM-7 segment for long names and addresses', () => {
    for (const sms of [
      approvalRequestSms(settings, facts),
      fillSecret(newHireLinkSms(settings, { ...facts, address: 'jane.doe@example.com' }, 72), link, 'text'),
      newHireCheckInboxSms(settings, facts),
      newHireRejectedSms(settings, facts),
    ]) {
      expect(smsSegments(sms), sms).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    }
  });

  it('escapes user-typed text in HTML email and keeps it readable in plain text', () => {
    const email = approvalRequestEmail(settings, facts, 'https://x.slack.com/archives/D1/p1');
    expect(email.html).toContain('Rita &lt;Requester&gt;');
    expect(email.html).toContain('Needs &lt;b&gt;access&lt;/b&gt; &amp; &quot;more&quot;');
    expect(email.html).not.toContain('<b>access');
    expect(email.text).toContain('Needs <b>access</b> & "more"');
  });

  it('fills the secret slot only at send time, escaped in HTML', () => {
    const email = newHirePasswordEmail(settings, facts);
    expect(email.text).toContain(SECRET_SLOT);
    expect(fillSecret(email.html, 'p<w>&"d', 'html')).toContain('<code>p&lt;w&gt;&amp;&quot;d</code>');
    expect(fillSecret(email.text, 'p<w>&"d', 'text')).toContain('Password: p<w>&"d');
  });

  it('counts GSM-7 extension characters twice and falls back to UCS-2', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments(`${'a'.repeat(159)}€`)).toMatchObject({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSegments('Zoë 👋')).toMatchObject({ encoding: 'UCS-2', segments: 1 });
  });
});
