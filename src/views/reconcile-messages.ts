/** The drift and risk report's DM to the admins, with Adopt on each unknown mailbox, and the Adopt modal. */
import type { KnownBlock, ModalView } from '@slack/types';
import { countByKind, FINDING_KINDS, FINDING_TITLES, type ReconcileReport } from '../services/reconcile/model.ts';
import type { SlackMessage } from '../slack/gateway.ts';
import { Actions, AdoptFields, Callbacks, INPUT_ACTION } from '../slack/ids.ts';
import { escapeMrkdwn, truncate, truncateMrkdwn } from './text.ts';

/** Unknown mailboxes shown one per block with their button; the rest are counted (a message holds 50 blocks). */
const MAX_ADOPT_BLOCKS = 15;
const MAX_LINES = 10;

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(text, 3000) } });

function hostLines(report: ReconcileReport): string {
  return report.hosts
    .map((host) =>
      host.ok
        ? `• *${escapeMrkdwn(host.name)}* (${escapeMrkdwn(host.domains.join(', '))}): ${host.mailboxes} mailboxes, ${host.forwarders} forwarders`
        : `• *${escapeMrkdwn(host.name)}* (${escapeMrkdwn(host.domains.join(', '))}): :warning: could not be read, not compared: ${escapeMrkdwn(host.error ?? '')}`,
    )
    .join('\n');
}

export function buildReconcileSummary(report: ReconcileReport): SlackMessage {
  const counts = countByKind(report);
  const total = report.findings.length;
  const down = report.hosts.filter((host) => !host.ok).length;
  const text = `Mailroom drift and risk report: ${total} finding(s)${down > 0 ? `, ${down} mail host(s) could not be read` : ''}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Drift and risk report' } },
    section(hostLines(report) || 'No mail host serves the managed domains.'),
  ];
  for (const kind of FINDING_KINDS) {
    const findings = report.findings.filter((f) => f.kind === kind);
    if (findings.length === 0) continue;
    blocks.push(section(`*${FINDING_TITLES[kind]}: ${counts[kind]}*`));
    if (kind === 'unknown_at_host') {
      for (const f of findings.slice(0, MAX_ADOPT_BLOCKS)) {
        blocks.push({
          type: 'section',
          text: { type: 'mrkdwn', text: truncateMrkdwn(`${escapeMrkdwn(f.address)} on ${escapeMrkdwn(f.host ?? '')}`, 3000) },
          accessory: { type: 'button', action_id: Actions.reconcileAdopt, text: { type: 'plain_text', text: 'Adopt' }, value: f.address },
        });
      }
      if (findings.length > MAX_ADOPT_BLOCKS) blocks.push(section(`…and ${findings.length - MAX_ADOPT_BLOCKS} more.`));
      continue;
    }
    const lines = findings
      .slice(0, MAX_LINES)
      .map((f) => `• ${escapeMrkdwn(f.address)}: ${f.kind === 'owner_gone' ? f.detail : escapeMrkdwn(f.detail)}`);
    if (findings.length > MAX_LINES) lines.push(`…and ${findings.length - MAX_LINES} more.`);
    blocks.push(section(lines.join('\n')));
  }
  if (total === 0) blocks.push(section('No drift: every host matches Mailroom’s records.'));
  const notes = report.notes.map((note) => escapeMrkdwn(note)).join(' ');
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncateMrkdwn(`${notes ? `${notes} ` : ''}Run \`mailroom reconcile\` for the full list (text, CSV or JSON).`, 3000),
      },
    ],
  });
  return { text, blocks };
}

/** `private_metadata` carries the address only; the service checks it again at the host. */
export function buildAdoptModal(address: string): ModalView {
  return {
    type: 'modal',
    callback_id: Callbacks.adoptModal,
    private_metadata: JSON.stringify({ address }),
    title: { type: 'plain_text', text: 'Adopt mailbox' },
    submit: { type: 'plain_text', text: 'Adopt' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'plain_text',
          text: truncate(`${address} exists at the mail host but not in Mailroom. Who owns it? Mailroom will manage it from now on.`, 3000),
        },
      },
      {
        type: 'input',
        block_id: AdoptFields.owner,
        label: { type: 'plain_text', text: 'Owner' },
        element: { type: 'users_select', action_id: INPUT_ACTION },
      },
    ],
  };
}
