import { describe, expect, it } from 'vitest';
import { describeDecided, describeRefusal } from '../../src/commands/request-email.ts';
import type { RequestSummary } from '../../src/services/requests/summary.ts';
import { checkFullName, checkPhone } from '../../src/services/requests/validation.ts';
import { newHireRejectedSms, type RequestFacts, smsSegments } from '../../src/views/notification-templates.ts';
import { buildSubmittedNotice } from '../../src/views/request-messages.ts';

const SAM = 'U0SUPERIOR';

describe('a click on a request that was already decided', () => {
  it('says what became of it in past tense, never "already active by"', () => {
    expect(describeRefusal({ ok: false, code: 'already_decided', status: 'ACTIVE', decidedById: SAM })).toBe(
      `This request was already approved by <@${SAM}>, and the mailbox was already created.`,
    );
    expect(describeDecided('APPROVED', SAM)).toBe(`This request was already approved by <@${SAM}>.`);
    expect(describeDecided('PROVISIONING', SAM)).toBe(`This request was already approved by <@${SAM}>; the mailbox is being created.`);
    expect(describeDecided('FAILED', SAM)).toBe(
      `This request was already approved by <@${SAM}>, but creating the mailbox failed; the admins were told.`,
    );
    expect(describeDecided('REJECTED', SAM)).toBe(`This request was already rejected by <@${SAM}>.`);
    expect(describeDecided('CANCELLED', 'U0REQUEST1')).toBe('This request was already cancelled by <@U0REQUEST1>.');
    expect(describeDecided('EXPIRED', null)).toBe('This request already expired without a decision.');
    for (const status of ['APPROVED', 'PROVISIONING', 'ACTIVE', 'FAILED', 'REJECTED', 'CANCELLED', 'EXPIRED']) {
      expect(describeDecided(status, SAM)).not.toMatch(/already (active|provisioning|failed|approved approval)/);
    }
  });
});

describe('the requester’s notice when they named themself as superior', () => {
  const summary: RequestSummary = {
    id: 7,
    fullName: 'Jane Doe',
    address: 'jane.doe@example.com',
    personalEmail: 'jane@gmail.com',
    phone: '+14155552671',
    requesterId: 'U0REQUEST1',
    superiorId: 'U0REQUEST1',
    routedToAdmins: true,
    escalatedAt: null,
    startDate: null,
    note: null,
    status: 'PENDING_APPROVAL',
    decidedById: null,
    decidedAt: null,
    decisionReason: null,
    failureReason: null,
  };

  it('says "for approval" right after whom it went to, and the reason after that', () => {
    const pending = buildSubmittedNotice(summary, ['U0ADMIN001', 'U0ADMIN002']);
    expect(pending.text).toContain(
      'is on its way to the admins (<@U0ADMIN001>, <@U0ADMIN002>) for approval, because you are the new hire’s superior.',
    );
    expect(pending.text).not.toContain('superior for approval');
    const decided = buildSubmittedNotice({ ...summary, status: 'APPROVED', decidedById: 'U0ADMIN001', decidedAt: new Date() }, [
      'U0ADMIN001',
    ]);
    expect(JSON.stringify(decided.blocks)).toContain(
      'went to the admins (<@U0ADMIN001>) for approval, because you are the new hire’s superior.',
    );
  });

  it('keeps the plain wording for a request that went to the superior', () => {
    const pending = buildSubmittedNotice({ ...summary, superiorId: SAM, routedToAdmins: false }, [SAM]);
    expect(pending.text).toContain(`is on its way to <@${SAM}> for approval.`);
  });
});

describe('phone numbers', () => {
  it('does not ask for a country code that was typed', () => {
    for (const typed of ['+44 12', '+1 415 555', '0044 12']) {
      const checked = checkPhone(typed, 'US');
      expect(checked.ok).toBe(false);
      if (!checked.ok) {
        expect(checked.message).toMatch(/not a valid phone number/);
        expect(checked.message).not.toMatch(/add the country code/);
      }
    }
  });

  it('still suggests one for a number typed without it', () => {
    const checked = checkPhone('12345', 'US');
    expect(checked).toEqual({
      ok: false,
      message: 'This is not a valid phone number for US; add the country code (e.g. +44 …) if it is abroad.',
    });
  });

  it('reads 00 as the international prefix', () => {
    expect(checkPhone('0044 7911 123456', 'US')).toEqual({ ok: true, value: '+447911123456' });
    expect(checkPhone('+44 7911 123456', 'US')).toEqual({ ok: true, value: '+447911123456' });
  });
});

describe('full names', () => {
  it('says why a one-letter name is refused', () => {
    expect(checkFullName('J')).toEqual({ ok: false, message: 'Enter the new hire’s full name, not an initial (at least 2 characters).' });
    expect(checkFullName('  ')).toEqual({ ok: false, message: 'Enter the new hire’s full name.' });
    expect(checkFullName('Jo')).toEqual({ ok: true, value: 'Jo' });
  });
});

describe('the new hire’s rejection SMS', () => {
  const facts: RequestFacts = {
    id: 3,
    fullName: 'Jane Doe',
    address: 'jane.doe@example.com',
    requesterName: 'Rita',
    startDate: null,
    note: null,
    decisionReason: 'Wrong team',
    failureReason: null,
  };
  const settings = { companyName: 'Acme', itContact: 'it@example.com' };

  it('keeps the space after "Reason:"', () => {
    expect(newHireRejectedSms(settings, facts)).toBe(
      'Acme: the request for your work email was not approved. Reason: Wrong team Details sent by email.',
    );
  });

  it('stays in one GSM-7 segment with a long reason full of typographic characters', () => {
    const sms = newHireRejectedSms(settings, { ...facts, decisionReason: `Wrong team… ${'“really” '.repeat(30)}` });
    expect(sms).toContain('Reason: Wrong team...');
    expect(sms.endsWith('... Details sent by email.')).toBe(true);
    expect(smsSegments(sms)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});
