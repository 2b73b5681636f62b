/**
 * The sandbox page, as HTML: a shell that loads once, and panels that the page's script refreshes
 * in place (GET /sandbox/state) so nothing the person is typing is ever touched. Pure functions
 * over a snapshot of the fakes; every piece of text is escaped.
 */
import type { FakeView } from './fakes/slack-server.ts';
import { html, linkify, mrkdwn, renderBlocks, renderModalForm, type SandboxUser } from './render.ts';

type Block = Record<string, any>;
type Names = (userId: string) => string;

export interface SandboxPerson extends SandboxUser {
  email: string;
}

export interface Note {
  id: number;
  text: string;
}

/** What the panels show, read from the fakes and the database at one moment. */
export interface PageSnapshot {
  me: SandboxPerson;
  people: SandboxPerson[];
  names: Names;
  notes: Note[];
  modal?: {
    view: FakeView;
    errors?: Record<string, string>;
    previous?: Record<string, string>;
  };
  home?: FakeView;
  messages: Array<{ channel: string; ts: string; text: string; blocks: Block[] }>;
  mailboxes: Array<{ address: string; quotaMb: number; state: string; forwardsTo: string[]; autoReply: string }>;
  sms: Array<{ to: string; body: string }>;
  mail: Array<{ to: string[]; subject: string; text: string }>;
  clock: Date;
  /** Each sandbox person's Slack account, and whether a mailbox at the mail server has their profile email. */
  accounts: Array<{ id: string; name: string; deleted: boolean; mailbox: string | undefined }>;
  audit: Array<{ at: Date; actor: string; action: string; subject: string; outcome: string }>;
}

export type Panels = Record<'notes' | 'home' | 'dms' | 'mailserver' | 'accounts' | 'sms' | 'email' | 'clock' | 'audit', string> & {
  /** The open modal and its identity: the page redraws it only when the identity changes (views.update, push, close). */
  modal: { key: string; html: string };
};

const HEX = ['#4a154b', '#1264a3', '#2bac76', '#e8912d', '#e01e5a', '#36c5f0'];

/** A person's initials on a coloured square, as Slack shows a profile picture that is not set. */
export function avatar(name: string, extraClass = ''): string {
  const initials = name
    .split(/\s+/)
    .map((part) => part[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  const colour = HEX[[...name].reduce((sum, char) => sum + char.charCodeAt(0), 0) % HEX.length];
  return `<span class="avatar ${extraClass}" style="background:${colour}" aria-hidden="true">${html(initials)}</span>`;
}

const timeOf = (at: Date) => at.toISOString().slice(0, 16).replace('T', ' ');

/** A Block Kit button as a small form; its `confirm` dialog travels along for the page to show first. */
function buttonForm(action: string, meId: string, extra: Record<string, string>) {
  return (element: Block, block: Block): string => {
    const confirm = element.confirm as Block | undefined;
    const dialog = confirm
      ? ` data-confirm="${html(
          JSON.stringify({
            title: confirm.title?.text ?? 'Are you sure?',
            text: confirm.text?.text ?? '',
            confirm: confirm.confirm?.text ?? 'Yes',
            deny: confirm.deny?.text ?? 'Cancel',
            style: confirm.style ?? element.style ?? '',
          }),
        )}"`
      : '';
    const hidden = {
      as: meId,
      action_id: String(element.action_id ?? ''),
      block_id: String(block.block_id ?? ''),
      value: String(element.value ?? ''),
      ...extra,
    };
    return `<form method="post" action="${action}" class="inline"${dialog}>${Object.entries(hidden)
      .map(([name, value]) => `<input type="hidden" name="${html(name)}" value="${html(value)}">`)
      .join('')}<button class="btn ${html(element.style ?? '')}">${html(element.text?.text ?? 'Button')}</button></form>`;
  };
}

function renderNotes(snapshot: PageSnapshot): string {
  return snapshot.notes
    .map(
      (note) =>
        `<div class="note" role="status"><div class="note-meta">${avatar('Mailroom', 'small')}<b>Mailroom</b> <span class="badge">APP</span> <span class="context">Only visible to you</span></div><div class="note-text">${mrkdwn(note.text, snapshot.names)}</div><form method="post" action="/sandbox/dismiss" class="dismiss"><input type="hidden" name="as" value="${html(snapshot.me.id)}"><input type="hidden" name="note" value="${note.id}"><button class="btn link" aria-label="Dismiss this note">Dismiss</button></form></div>`,
    )
    .join('');
}

function renderModal(snapshot: PageSnapshot): { key: string; html: string } {
  const open = snapshot.modal;
  if (!open) return { key: '', html: '' };
  const { view } = open;
  const title = (view.title as { text?: string } | null)?.text ?? 'Form';
  const submit = (view.submit as { text?: string } | null)?.text;
  const close = (view.close as { text?: string } | null)?.text ?? (submit ? 'Cancel' : 'Close');
  const form = renderModalForm(view as unknown as Block, {
    names: snapshot.names,
    users: snapshot.people,
    ...(open.errors ? { errors: open.errors } : {}),
    ...(open.previous ? { previous: open.previous } : {}),
  });
  const body = `<div class="overlay"><div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title"><form method="post" action="/sandbox/modal" class="modal-form" novalidate>
<div class="modal-head">${avatar('Mailroom', 'small')}<h2 id="modal-title">${html(title)}</h2></div>
<input type="hidden" name="as" value="${html(snapshot.me.id)}"><input type="hidden" name="view_id" value="${html(view.id)}"><input type="hidden" name="hash" value="${html(view.hash)}">
<div class="modal-body">${form}<div class="error" id="err-_" role="alert">${html(open.errors?._ ?? '')}</div></div>
<div class="modal-foot"><button class="btn" name="cancel" value="1" formnovalidate>${html(close)}</button>${submit ? `<button class="btn primary" name="submit" value="1">${html(submit)}</button>` : ''}</div>
</form></div></div>`;
  // Errors are part of the identity only for pages without script, which redraw from the server.
  return { key: `${view.id}:${view.hash}`, html: body };
}

function renderHome(snapshot: PageSnapshot): string {
  const { me, home } = snapshot;
  const open = `<form method="post" action="/sandbox/home" class="inline"><input type="hidden" name="as" value="${html(me.id)}"><button class="btn">${home ? 'Reopen' : 'Open'} the Home tab</button></form>`;
  const body = home
    ? `<div class="blocks">${renderBlocks(home.blocks as Block[], snapshot.names, buttonForm('/sandbox/home-action', me.id, {}))}</div>`
    : '<p class="context">Not opened yet. In Slack, this is the Home tab of the Mailroom app.</p>';
  return `${open}${body}`;
}

function renderMessages(snapshot: PageSnapshot): string {
  if (snapshot.messages.length === 0) return '<p class="context">No messages from Mailroom yet.</p>';
  return snapshot.messages
    .map((message) => {
      const content = message.blocks.length
        ? renderBlocks(
            message.blocks,
            snapshot.names,
            buttonForm('/sandbox/action', snapshot.me.id, { channel: message.channel, ts: message.ts }),
          )
        : `<p>${mrkdwn(message.text, snapshot.names)}</p>`;
      return `<article class="message">${avatar('Mailroom')}<div class="message-body"><div class="meta"><b>Mailroom</b> <span class="badge">APP</span></div><div class="blocks">${content}</div></div></article>`;
    })
    .join('\n');
}

const table = (head: string[], rows: string[][], empty: string) =>
  rows.length === 0
    ? `<p class="context">${html(empty)}</p>`
    : `<div class="scroll"><table><thead><tr>${head.map((cell) => `<th>${html(cell)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;

export function renderPanels(snapshot: PageSnapshot): Panels {
  const { names } = snapshot;
  return {
    notes: renderNotes(snapshot),
    modal: renderModal(snapshot),
    home: renderHome(snapshot),
    dms: renderMessages(snapshot),
    mailserver: table(
      ['Address', 'Quota', 'State', 'Forwards to', 'Auto-reply'],
      snapshot.mailboxes.map((box) => [
        html(box.address),
        `${box.quotaMb} MB`,
        html(box.state),
        html(box.forwardsTo.join(', ')),
        html(box.autoReply),
      ]),
      'No mailboxes.',
    ),
    accounts: renderAccounts(snapshot),
    sms: table(
      ['To', 'Text'],
      snapshot.sms.map((message) => [html(message.to), `<span class="long">${linkify(message.body)}</span>`]),
      'None yet.',
    ),
    email: snapshot.mail.length
      ? snapshot.mail
          .map(
            (message) =>
              `<details><summary><b>${html(message.to.join(', '))}</b>: ${html(message.subject)}</summary><pre>${linkify(message.text.slice(0, 4000))}</pre></details>`,
          )
          .join('')
      : '<p class="context">None yet.</p>',
    clock: `Sandbox clock: <time>${html(timeOf(snapshot.clock))}</time> UTC`,
    audit: table(
      ['Time (UTC)', 'Who', 'Action', 'Subject', 'Outcome'],
      snapshot.audit.map((event) => [
        html(timeOf(event.at)),
        html(names(event.actor)),
        html(event.action),
        html(event.subject),
        html(event.outcome),
      ]),
      'Nothing yet.',
    ),
  };
}

/** Slack's admin page, in short: deactivating an account sends Mailroom user_change, as Slack does. */
function renderAccounts(snapshot: PageSnapshot): string {
  const rows = snapshot.accounts.map((account) => {
    const form = `<form method="post" action="/sandbox/account" class="inline"><input type="hidden" name="as" value="${html(snapshot.me.id)}"><input type="hidden" name="who" value="${html(account.id)}"><input type="hidden" name="deleted" value="${account.deleted ? '0' : '1'}"><button class="btn${account.deleted ? '' : ' danger'}" aria-label="${account.deleted ? 'Reactivate' : 'Deactivate'} ${html(account.name)}">${account.deleted ? 'Reactivate' : 'Deactivate'}</button></form>`;
    return [html(account.name), account.deleted ? '<b>deactivated</b>' : 'active', html(account.mailbox ?? '—'), form];
  });
  const hint =
    '<p class="context">Deactivate someone who owns a mailbox (Olga owns olga@example.com) and HR (Hana) gets a leaver alert; reactivate them before anyone acts and it is withdrawn. Skipping a day also runs the daily check of the member list.</p>';
  return `${hint}${table(['Person', 'Slack account', 'Owns mailbox', ''], rows, 'Nobody.')}`;
}

const COMMANDS = [
  '/request-email jane.doe',
  '/request-email Jane Doe',
  '/offboard',
  '/offboard jane.doe@example.com',
  '/offboard undo jane.doe@example.com',
  '/reset-email-password',
  '/reset-email-password jane.doe@example.com',
];

/** The whole page: loads once; the script keeps the panels current. */
export function renderShell(snapshot: PageSnapshot, panels: Panels): string {
  const { me } = snapshot;
  const section = (id: string, title: string, content: string, extra = '') =>
    `<section class="card" aria-labelledby="h-${id}"><h2 id="h-${id}">${title}</h2>${extra}<div id="panel-${id}" data-panel="${id}">${content}</div></section>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mailroom sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/sandbox/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/sandbox/assets/sandbox.css">
<script type="module" src="/sandbox/assets/sandbox.js"></script>
</head><body data-as="${html(me.id)}">
<header class="top"><div class="brand">${avatar('Mailroom', 'small')}<strong>Mailroom sandbox</strong><span class="context-light">Everything stays on this machine: Slack, cPanel, SMS and email are played by local fakes.</span></div>
<nav class="people" aria-label="Who you are">${snapshot.people
    .map(
      (person) =>
        `<a class="person${person.id === me.id ? ' me' : ''}" href="/sandbox?as=${html(person.id)}"${person.id === me.id ? ' aria-current="page"' : ''}>${avatar(person.name, 'small')}<span>${html(person.name)} <span class="role">${html(person.role)}</span></span></a>`,
    )
    .join('')}</nav></header>
<main class="layout">
<div class="slack">
<section class="card composer-card" aria-labelledby="h-composer"><h2 id="h-composer">Message Mailroom as ${html(me.name)}</h2>
<form method="post" action="/sandbox/command" class="composer" id="composer"><input type="hidden" name="as" value="${html(me.id)}"><input name="text" id="command" aria-label="Slash command" list="commands" placeholder="Type a command, e.g. /request-email jane.doe" autocomplete="off"><button class="btn primary">Send</button><datalist id="commands">${COMMANDS.map((command) => `<option value="${html(command)}">`).join('')}</datalist></form>
<p class="context">Try <code>/request-email jane.doe</code> as Rita, approve as Sam, then <code>/offboard</code> as Hana (HR).</p>
<div id="panel-notes" data-panel="notes" aria-live="polite">${panels.notes}</div></section>
${section('home', `Mailroom’s Home tab, as ${html(me.name)} sees it`, panels.home)}
${section('dms', `Direct messages from Mailroom to ${html(me.name)}`, panels.dms)}
</div>
<div class="world">
${section('mailserver', 'Mail server (cPanel fake)', panels.mailserver)}
${section('accounts', 'Slack accounts (workspace admin)', panels.accounts)}
${section('sms', 'Text messages (Twilio fake)', panels.sms)}
${section('email', 'Email (SMTP fake)', panels.email)}
${section('clock', 'Time', panels.clock, '')}
<form method="post" action="/sandbox/skip" class="skip card-tail"><input type="hidden" name="as" value="${html(me.id)}"><label for="skip-days">Skip ahead</label> <input id="skip-days" name="days" type="number" value="1" min="1" max="3650"> <span>day(s)</span> <button class="btn">Skip</button></form>
${section('audit', 'Audit log', panels.audit)}
</div></main>
<div id="panel-modal" data-panel="modal" data-key="${html(panels.modal.key)}">${panels.modal.html}</div>
<dialog id="confirm" aria-labelledby="confirm-title"><form method="dialog"><h2 id="confirm-title"></h2><p id="confirm-text"></p><div class="modal-foot"><button class="btn" value="deny" id="confirm-deny">Cancel</button><button class="btn primary" value="confirm" id="confirm-ok">Yes</button></div></form></dialog>
<noscript><p class="note">This page works best with JavaScript: without it, reload to see what changed.</p></noscript>
</body></html>`;
}
