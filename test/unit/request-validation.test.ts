// The request modal's field rules that need no I/O, checked where they live (validateRequestForm,
// errors keyed by the form's field names). test/integration/request-validation.test.ts proves through
// signed HTTP that the modal's submission applies them and answers Slack with the errors under the
// blocks, and covers the rules that ask Slack, cPanel or the database.
import { describe, expect, it } from 'vitest';
import { type RawRequestForm, validateRequestForm } from '../../src/services/requests/validation.ts';

/** The integration harness's settings: MAIL_DOMAINS and DEFAULT_PHONE_REGION. */
const settings = { domains: ['example.com', 'example.org'], phoneRegion: 'US' };

/** The harness's good form (test/support/harness.ts goodForm), as the listener reads it from the modal. */
const goodForm: RawRequestForm = {
  fullName: 'Jane Doe',
  localPart: 'jane.doe',
  domain: 'example.com',
  personalEmail: 'jane.doe@gmail.com',
  phone: '(415) 555-2671',
  superiorId: 'U0SUPERIOR',
  startDate: null,
  note: null,
};

const validate = (form: Partial<RawRequestForm>) => validateRequestForm({ ...goodForm, ...form }, { ...settings, today: new Date() });

function errorsFor(form: Partial<RawRequestForm>): Record<string, string> {
  const result = validate(form);
  expect(result.ok).toBe(false);
  return result.ok ? {} : (result.errors as Record<string, string>);
}

describe('request form rules', () => {
  it('accepts the good form', () => {
    expect(validate({})).toMatchObject({
      ok: true,
      value: { address: 'jane.doe@example.com', phone: '+14155552671', superiorId: 'U0SUPERIOR' },
    });
  });

  const cases: Array<[string, Partial<RawRequestForm>, string, RegExp]> = [
    ['empty name', { fullName: ' ' }, 'fullName', /full name/],
    ['bad characters in local part', { localPart: 'jane+doe' }, 'localPart', /letters, digits, dots/],
    ['leading dot', { localPart: '.jane' }, 'localPart', /start or end with a dot/],
    ['trailing dot', { localPart: 'jane.' }, 'localPart', /start or end with a dot/],
    ['double dot', { localPart: 'jane..doe' }, 'localPart', /two dots/],
    ['too long', { localPart: 'a'.repeat(65) }, 'localPart', /at most 64/],
    ['reserved name', { localPart: 'cpanel' }, 'localPart', /reserved/],
    ['domain outside the allow-list', { domain: 'evil.com' }, 'domain', /example\.com, example\.org/],
    ['no domain', { domain: undefined }, 'domain', /Choose a domain/],
    ['invalid personal email', { personalEmail: 'jane@' }, 'personalEmail', /not a valid email/],
    ['personal email on a managed domain', { personalEmail: 'jane@example.org' }, 'personalEmail', /outside/],
    ['invalid phone', { phone: '12345' }, 'phone', /not a valid phone number for US/],
    ['landline, not a cell phone', { phone: '+44 20 7946 0958' }, 'phone', /cell/],
    ['no superior', { superiorId: undefined }, 'superior', /superior/],
    ['start date in the past', { startDate: '2020-01-01' }, 'startDate', /past/],
  ];

  it.each(cases)('%s → error on %s', (_name, form, field, message) => {
    const errors = errorsFor(form);
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]).toMatch(message);
  });

  it('reports every broken field at once', () => {
    const errors = errorsFor({ fullName: '', localPart: 'x..y', personalEmail: 'nope', phone: 'abc', superiorId: undefined });
    expect(Object.keys(errors).sort()).toEqual(['fullName', 'localPart', 'personalEmail', 'phone', 'superior']);
  });

  it('lower-cases the local part and gives the phone as E.164', () => {
    expect(validate({ localPart: '  Mixed.Case ', phone: '+1 (201) 555-0123' })).toMatchObject({
      ok: true,
      value: { localPart: 'mixed.case', address: 'mixed.case@example.com', phone: '+12015550123' },
    });
  });
});
