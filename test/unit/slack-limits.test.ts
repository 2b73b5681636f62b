/**
 * Every Block Kit builder, fed extreme text (very long, emoji sequences, `&`, `<`, `>`, RTL marks,
 * mrkdwn control characters), checked against a table of Slack's documented limits: every text
 * fits its field after escaping, is cut between graphemes and never inside an entity or a token,
 * option values are never cut, and fallback texts are escaped like the blocks.
 */
import { describe, expect, it } from 'vitest';
import type { HomeData } from '../../src/services/home/model.ts';
import { defaultAutoReply } from '../../src/services/offboarding/intake.ts';
import type { OffboardingStatus, OffboardingSummary } from '../../src/services/offboarding/summary.ts';
import type { RequestStatus, RequestSummary } from '../../src/services/requests/summary.ts';
import { domainFromOptionValue, domainOptionValue, mailboxOptionValue, parseMailboxOptionValue } from '../../src/slack/option-values.ts';
import { buildDeliveryFailedAlert } from '../../src/views/delivery-messages.ts';
import { buildHomeView } from '../../src/views/home.ts';
import { buildDismissModal, buildLeaverAlertMessage } from '../../src/views/leaver-alert.ts';
import { buildNoticeModal } from '../../src/views/notice-modal.ts';
import { buildConfirmationMessage } from '../../src/views/offboard-confirm.ts';
import { buildOffboardModal, mailboxOption } from '../../src/views/offboard-modal.ts';
import { buildForwardNotice, buildOffboardStatusMessage } from '../../src/views/offboard-status.ts';
import { buildRejectModal } from '../../src/views/reject-modal.ts';
import {
  buildAdminFailureMessage,
  buildApprovalMessage,
  buildCancelledNotice,
  buildDecisionNotice,
  buildExpiredNotice,
  buildMailboxReadyNotice,
  buildProvisioningFailedNotice,
  buildReminderMessage,
  buildSubmittedNotice,
} from '../../src/views/request-messages.ts';
import { buildRequestModal } from '../../src/views/request-modal.ts';
import { escapeMrkdwn, truncate, truncateMrkdwn } from '../../src/views/text.ts';

// --- The limits table (Slack's Block Kit reference), keyed by where a text sits.
const LIMITS = {
  messageText: 40_000,
  messageBlocks: 50,
  viewBlocks: 100,
  header: 150,
  section: 3000,
  sectionField: 2000,
  sectionFields: 10,
  contextElement: 3000,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInput: 3000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
} as const;

// --- Extreme inputs from a seeded generator (no dependency, reproducible).
const PIECES = [
  '&',
  '<',
  '>',
  '&amp;',
  '<@U123>',
  '👩🏽‍💻',
  '🇺🇦',
  'é',
  'e\u0301',
  'שלום',
  'مرحبا',
  '\u202E',
  '\u200F',
  '*',
  '_',
  '~',
  '`',
  'a',
  ' ',
  '\n',
  '|',
];
function* extremeStrings(seed: number): Generator<string> {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
  for (const length of [1, 75, 76, 200, 201, 3001, 5000]) {
    let text = '';
    while (text.length < length) text += PIECES[next() % PIECES.length];
    yield text;
  }
  // Each piece alone, past the longest limit a builder meets (3,000).
  for (const piece of PIECES) yield piece.repeat(Math.ceil(3100 / piece.length));
}
const SAMPLES = [...extremeStrings(7)];

const LONG_DOMAIN = `${'sub-'.repeat(45)}example.com`; // 191 characters: longer than an option value
const LONG_ADDRESS = `${'x'.repeat(64)}@${LONG_DOMAIN}`;

// --- Checks.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Tokens our builders put into mrkdwn on purpose. */
const SLACK_TOKEN = /<(?:@[A-Z0-9]+|!date\^\d+\^[^<>|]*\|[^<>]*|https?:\/\/[^<>|\s]+(?:\|[^<>]*)?)>/g;

function checkMrkdwn(text: string, where: string, problems: string[]): void {
  if (/&(?!amp;|lt;|gt;)/.test(text)) problems.push(`${where}: a raw & or a cut entity: …${text.slice(-40)}`);
  const rest = text.replace(SLACK_TOKEN, '');
  if (/[<>]/.test(rest)) problems.push(`${where}: a raw < or > (a cut token or unescaped input)`);
}

function checkText(text: unknown, max: number, where: string, problems: string[], mrkdwn = false): void {
  if (typeof text !== 'string') return;
  if (text.length > max) problems.push(`${where}: ${text.length} > ${max}`);
  if (LONE_SURROGATE.test(text)) problems.push(`${where}: cut inside a surrogate pair`);
  if (mrkdwn) checkMrkdwn(text, where, problems);
}

type Node = Record<string, unknown>;
const textOf = (value: unknown): Node | undefined => (value && typeof value === 'object' ? (value as Node) : undefined);

function checkTextObject(value: unknown, max: number, where: string, problems: string[]): void {
  const object = textOf(value);
  if (!object) return;
  checkText(object.text, max, where, problems, object.type === 'mrkdwn');
}

function checkOption(option: unknown, where: string, problems: string[], allowedValues?: Set<string>): void {
  const o = textOf(option);
  if (!o) return;
  checkTextObject(o.text, LIMITS.optionText, `${where}.text`, problems);
  checkTextObject(o.description, LIMITS.optionDescription, `${where}.description`, problems);
  checkText(o.value, LIMITS.optionValue, `${where}.value`, problems);
  if (allowedValues && !allowedValues.has(String(o.value))) problems.push(`${where}.value: not one of the values it stands for`);
}

function checkElement(element: Node, where: string, problems: string[]): void {
  switch (element.type) {
    case 'button':
      checkTextObject(element.text, LIMITS.buttonText, `${where}.text`, problems);
      checkText(element.value, LIMITS.buttonValue, `${where}.value`, problems);
      break;
    case 'plain_text_input': {
      const max = typeof element.max_length === 'number' ? element.max_length : LIMITS.plainTextInput;
      checkText(element.initial_value, max, `${where}.initial_value`, problems);
      break;
    }
    case 'mrkdwn':
    case 'plain_text':
      checkText(element.text, LIMITS.contextElement, where, problems, element.type === 'mrkdwn');
      break;
  }
  checkTextObject(element.placeholder, LIMITS.placeholder, `${where}.placeholder`, problems);
  for (const [i, option] of ((element.options as unknown[]) ?? []).entries()) checkOption(option, `${where}.options[${i}]`, problems);
  if (element.initial_option) checkOption(element.initial_option, `${where}.initial_option`, problems);
  const confirm = textOf(element.confirm);
  if (confirm) {
    checkTextObject(confirm.title, LIMITS.confirmTitle, `${where}.confirm.title`, problems);
    checkTextObject(confirm.text, LIMITS.confirmText, `${where}.confirm.text`, problems);
    checkTextObject(confirm.confirm, LIMITS.confirmButton, `${where}.confirm.confirm`, problems);
    checkTextObject(confirm.deny, LIMITS.confirmButton, `${where}.confirm.deny`, problems);
  }
}

function checkBlocks(blocks: unknown[], problems: string[]): void {
  for (const [i, raw] of blocks.entries()) {
    const block = raw as Node;
    const where = `blocks[${i}](${String(block.type)})`;
    switch (block.type) {
      case 'header':
        checkTextObject(block.text, LIMITS.header, where, problems);
        break;
      case 'section': {
        checkTextObject(block.text, LIMITS.section, `${where}.text`, problems);
        const fields = (block.fields as unknown[]) ?? [];
        if (fields.length > LIMITS.sectionFields) problems.push(`${where}: ${fields.length} fields`);
        for (const [j, field] of fields.entries()) checkTextObject(field, LIMITS.sectionField, `${where}.fields[${j}]`, problems);
        if (block.accessory) checkElement(block.accessory as Node, `${where}.accessory`, problems);
        break;
      }
      case 'input':
        checkTextObject(block.label, LIMITS.inputLabel, `${where}.label`, problems);
        checkTextObject(block.hint, LIMITS.inputHint, `${where}.hint`, problems);
        checkElement(block.element as Node, `${where}.element`, problems);
        break;
    }
    for (const [j, element] of ((block.elements as Node[]) ?? []).entries()) checkElement(element, `${where}.elements[${j}]`, problems);
  }
}

function messageProblems(message: { text: string; blocks: unknown[] }): string[] {
  const problems: string[] = [];
  checkText(message.text, LIMITS.messageText, 'text (fallback)', problems, true);
  if (message.blocks.length > LIMITS.messageBlocks) problems.push(`${message.blocks.length} blocks`);
  checkBlocks(message.blocks, problems);
  return problems;
}

function viewProblems(view: Node): string[] {
  const problems: string[] = [];
  checkTextObject(view.title, LIMITS.viewTitle, 'title', problems);
  checkTextObject(view.submit, LIMITS.viewButton, 'submit', problems);
  checkTextObject(view.close, LIMITS.viewButton, 'close', problems);
  checkText(view.private_metadata, LIMITS.privateMetadata, 'private_metadata', problems);
  const blocks = (view.blocks as unknown[]) ?? [];
  if (blocks.length > LIMITS.viewBlocks) problems.push(`${blocks.length} blocks`);
  checkBlocks(blocks, problems);
  return problems;
}

// --- Domain objects full of extreme text.
const at = new Date('2026-12-03T10:00:00Z');
const requestWith = (text: string, status: RequestStatus): RequestSummary => ({
  id: 2_147_483_647,
  fullName: text,
  address: 'jane.doe@example.com',
  personalEmail: `${truncate(text, 40)}@example.net`,
  phone: '+14155550100',
  requesterId: 'U0REQUESTER',
  superiorId: 'U0SUPERIOR',
  routedToAdmins: true,
  escalatedAt: at,
  startDate: at,
  note: text,
  status,
  decidedById: 'U0SUPERIOR',
  decidedAt: at,
  decisionReason: text,
  failureReason: text,
});
const offboardingWith = (text: string, status: OffboardingStatus): OffboardingSummary => ({
  id: 7,
  address: 'jane.doe@example.com',
  leaverName: text,
  initiatedById: 'U0HR',
  forwardTo: 'sam@example.com',
  lastDay: at,
  runAt: at,
  deleteAfter: at,
  retentionDays: 30,
  status,
  decidedById: 'U0HR',
  decidedAt: at,
  cancelledById: 'U0HR',
  completedAt: at,
  steps: ['save_prior_state', 'forward', 'auto_reply', 'suspend_login', 'remove_own_forwarders', 'restore', 'delete'].map((kind, i) => ({
    kind,
    status: (['DONE', 'FAILED', 'SKIPPED', 'PENDING'] as const)[i % 4] ?? 'DONE',
    lastError: text,
    note: text,
    attempts: 3,
    doneAt: at,
  })),
});

const REQUEST_STATUSES: RequestStatus[] = [
  'PENDING_APPROVAL',
  'APPROVED',
  'PROVISIONING',
  'ACTIVE',
  'FAILED',
  'REJECTED',
  'CANCELLED',
  'EXPIRED',
];
const OFFBOARDING_STATUSES: OffboardingStatus[] = [
  'SCHEDULED',
  'ACTIVE',
  'AWAITING_CONFIRMATION',
  'DELETING',
  'DELETED',
  'CANCELLING',
  'CANCELLED',
];

describe('text helpers', () => {
  it('cut between graphemes, never inside a surrogate pair or an emoji sequence', () => {
    const family = '👩🏽‍💻';
    for (let max = 1; max < 40; max++) {
      const cut = truncate(family.repeat(10), max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(
        cut
          .replace('…', '')
          .split(family)
          .every((part) => part === ''),
      ).toBe(true);
    }
    expect(truncate('e\u0301'.repeat(10), 4)).toBe('e\u0301…');
    expect(truncate('short', 5)).toBe('short');
  });

  it('cut escaped mrkdwn never inside an entity or a token', () => {
    const escaped = escapeMrkdwn('&'.repeat(3000));
    const cut = truncateMrkdwn(escaped, 3000);
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut).toMatch(/^(?:&amp;)+…$/);
    const tokens = `${'x'.repeat(2990)}<@U0123456789>`;
    expect(truncateMrkdwn(tokens, 3000)).toBe(`${'x'.repeat(2990)}…`);
  });
});

describe('Block Kit builders stay inside Slack’s limits for any input', () => {
  it('request messages, in every state', () => {
    for (const text of SAMPLES) {
      for (const status of REQUEST_STATUSES) {
        const request = requestWith(text, status);
        expect(messageProblems(buildApprovalMessage(request)), `approval ${status} ${JSON.stringify(text.slice(0, 12))}`).toEqual([]);
        expect(messageProblems(buildSubmittedNotice(request, ['U0ADMIN1', 'U0ADMIN2'])), `submitted ${status}`).toEqual([]);
      }
      // The rest show the same facts whatever the state; one state with every reason set is enough.
      {
        const request = requestWith(text, 'REJECTED');
        const messages = {
          cancelled: buildCancelledNotice(request),
          decision: buildDecisionNotice(request),
          ready: buildMailboxReadyNotice(request),
          failed: buildProvisioningFailedNotice(request),
          adminFailure: buildAdminFailureMessage(request, 5),
          reminder: buildReminderMessage(request, 'https://acme.slack.com/archives/D1/p1'),
          expired: buildExpiredNotice(request, 14),
        };
        for (const [name, message] of Object.entries(messages))
          expect(messageProblems(message), `${name} ${JSON.stringify(text.slice(0, 12))}`).toEqual([]);
      }
    }
  });

  it('offboarding messages, in every state, and the delivery alert', () => {
    for (const text of SAMPLES) {
      for (const status of OFFBOARDING_STATUSES) {
        const o = offboardingWith(text, status);
        for (const [name, message] of Object.entries({
          status: buildOffboardStatusMessage(o),
          forward: buildForwardNotice(o),
          confirm: buildConfirmationMessage(o, 2),
        })) {
          expect(messageProblems(message), `${name} ${status} ${JSON.stringify(text.slice(0, 12))}`).toEqual([]);
        }
      }
      const alert = buildDeliveryFailedAlert({ id: 1, channel: 'EMAIL', recipient: text, template: 't', lastError: text, requestId: 3 });
      expect(messageProblems(alert)).toEqual([]);
    }
  });

  it('leaver alerts, in every state with and without a hold, and the Not a leaver modal', () => {
    for (const text of SAMPLES) {
      for (const status of ['OPEN', 'HANDLED', 'DISMISSED', 'WITHDRAWN'] as const) {
        for (const hold of [
          null,
          { id: 4, kind: 'LEAVER_HOLD' as const, status: 'ACTIVE', suspend: { status: 'FAILED' as const, lastError: text } },
        ]) {
          const message = buildLeaverAlertMessage({
            id: 3,
            slackUserId: 'U0LEAVER',
            leaverName: text,
            address: LONG_ADDRESS,
            deactivatedAt: at,
            detectedBy: 'daily_check',
            status,
            decidedById: 'U0HR',
            reason: text,
            offboardingId: 9,
            hold,
          });
          expect(messageProblems(message), `leaver ${status} ${JSON.stringify(text.slice(0, 12))}`).toEqual([]);
        }
      }
      expect(viewProblems(buildDismissModal({ alertId: 3, address: LONG_ADDRESS, leaverName: text }) as unknown as Node)).toEqual([]);
    }
  });

  it('modals: request (long domains), offboard (a 200-character name’s default subject), reject, notice', () => {
    const domains = ['example.com', LONG_DOMAIN, `${'b'.repeat(240)}.org`];
    for (const text of SAMPLES) {
      expect(
        viewProblems(buildRequestModal({ domains, initialFullName: text, initialLocalPart: text }) as unknown as Node),
        JSON.stringify(text.slice(0, 12)),
      ).toEqual([]);
    }
    const request = buildRequestModal({ domains });
    const domainBlock = (request.blocks as unknown as Node[]).find((block) => block.block_id === 'domain');
    const options = ((domainBlock?.element as Node | undefined)?.options ?? []) as Array<{ value: string }>;
    // Values are never cut: each names exactly its domain again.
    expect(options.map((option) => domainFromOptionValue(option.value, domains))).toEqual(domains);

    for (const text of SAMPLES) {
      const name = truncate(text, 200);
      const reply = defaultAutoReply({
        leaverName: name,
        forwardTo: 'sam@example.com',
        forwardToName: name,
        generalContact: 'info@example.com',
      });
      const view = buildOffboardModal({
        mailbox: { address: LONG_ADDRESS, value: mailboxOptionValue(LONG_ADDRESS, 42, domains), label: `${LONG_ADDRESS} — ${text}` },
        forwardTo: 'sam@example.com',
        lastDay: '2026-12-03',
        autoReplySubject: reply.subject,
        autoReplyBody: reply.body,
        retentionDays: 30,
        generalContactEmail: text,
      });
      expect(viewProblems(view as unknown as Node), JSON.stringify(text.slice(0, 12))).toEqual([]);
      expect(viewProblems(buildRejectModal({ requestId: 1, address: text }) as unknown as Node)).toEqual([]);
      expect(viewProblems(buildNoticeModal(text, escapeMrkdwn(text)) as unknown as Node)).toEqual([]);
    }
  });

  it('the Home tab', () => {
    for (const text of SAMPLES.slice(-6)) {
      const data: HomeData = {
        userId: 'U0HR',
        isHr: true,
        hrCheckFailed: false,
        waiting: {
          items: [{ id: 1, address: 'a@example.com', fullName: text, requesterId: 'U1', createdAt: at, escalatedAt: at }],
          total: 1,
        },
        mine: {
          items: [
            {
              id: 2,
              address: 'b@example.com',
              fullName: text,
              status: 'REJECTED',
              superiorId: 'U2',
              approverIds: ['U2'],
              routedToAdmins: false,
              escalatedAt: null,
              decidedById: 'U2',
              decidedAt: at,
              decisionReason: text,
              failureReason: text,
              createdAt: at,
            },
          ],
          total: 1,
        },
        offboardings: {
          items: [
            {
              id: 3,
              address: 'c@example.com',
              leaverName: text,
              initiatedById: 'U3',
              status: 'ACTIVE',
              runAt: at,
              deleteAfter: at,
              failedSteps: 1,
            },
          ],
          total: 1,
        },
        failedCount: 2,
      };
      expect(viewProblems(buildHomeView(data, at) as unknown as Node)).toEqual([]);
    }
  });
});

describe('option values are never cut', () => {
  it('a domain longer than a value travels as its index', () => {
    const domains = ['example.com', LONG_DOMAIN];
    expect(domainOptionValue('example.com', domains)).toBe('example.com');
    expect(domainOptionValue(LONG_DOMAIN, domains)).toBe('#1');
    expect(domainFromOptionValue('#1', domains)).toBe(LONG_DOMAIN);
    expect(domainFromOptionValue('#9', domains)).toBe('#9');
  });

  it('a mailbox address longer than a value travels as its Mailbox id, or as domain index and local part', () => {
    const domains = ['example.com', LONG_DOMAIN];
    expect(mailboxOptionValue('jane@example.com', 5, domains)).toBe('jane@example.com');
    expect(mailboxOptionValue(LONG_ADDRESS, 5, domains)).toBe('m:5');
    const imported = mailboxOptionValue(LONG_ADDRESS, null, domains);
    expect(imported.length).toBeLessThanOrEqual(150);
    expect(parseMailboxOptionValue(imported)).toEqual({ kind: 'import', domainIndex: 1, localPart: 'x'.repeat(64) });
    expect(parseMailboxOptionValue('m:5')).toEqual({ kind: 'mailbox', id: 5 });
    expect(parseMailboxOptionValue('jane@example.com')).toEqual({ kind: 'address', address: 'jane@example.com' });
    expect(mailboxOption({ address: LONG_ADDRESS, value: 'm:5' })).toEqual({
      text: { type: 'plain_text', text: expect.stringMatching(/…$/) },
      value: 'm:5',
    });
  });
});
