import type { Credentials, SecretState } from '../services/credentials/one-time-secrets.ts';
import type { TemplateSettings } from '../services/notifications/model.ts';
import { escapeHtml } from './text.ts';

/** The pages behind a one-time credential link. Pure: every value is escaped here. */

export interface PageContext {
  settings: TemplateSettings;
  /** Per-response nonce for the inline style (the CSP allows nothing else). */
  styleNonce: string;
}

const STYLE = `
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; background: #f4f4f6; color: #1d1c1d; margin: 0; }
main { max-width: 34rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { font-size: 1.4rem; margin-top: 0; }
button { font-size: 1rem; padding: .6rem 1.4rem; border: 0; border-radius: 4px; background: #007a5a; color: #fff; cursor: pointer; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .5rem 1rem; }
dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 1.1rem; word-break: break-all; }
.note { color: #616061; font-size: .9rem; }
`;

function page(context: PageContext, title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(title)}</title>`,
    `<style nonce="${escapeHtml(context.styleNonce)}">${STYLE}</style>`,
    '</head><body><main>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    `<p class="note">${escapeHtml(context.settings.companyName)} IT · ${escapeHtml(context.settings.itContact)}</p>`,
    '</main></body></html>',
  ].join('\n');
}

/** GET: explains, and asks for a deliberate click; reveals nothing (link scanners only GET). */
export function buildRevealPromptPage(context: PageContext, input: { formNonce: string; action: string }): string {
  return page(
    context,
    `Your ${context.settings.companyName} sign-in details`,
    [
      '<p>This link shows your new email address and password <strong>once</strong>. ',
      'After you press the button they cannot be shown again, so have a safe place ready to store the password.</p>',
      `<form method="post" action="${escapeHtml(input.action)}">`,
      `<input type="hidden" name="nonce" value="${escapeHtml(input.formNonce)}">`,
      '<button type="submit">Reveal my password</button>',
      '</form>',
    ].join('\n'),
  );
}

export function buildRevealedPage(context: PageContext, credentials: Credentials): string {
  return page(
    context,
    'Your sign-in details',
    [
      '<dl>',
      `<dt>Email address</dt><dd>${escapeHtml(credentials.address)}</dd>`,
      `<dt>Password</dt><dd>${escapeHtml(credentials.password)}</dd>`,
      '</dl>',
      '<p>Store the password now: this page will not show it again, and reloading it will not bring it back.</p>',
    ].join('\n'),
  );
}

const UNAVAILABLE: Record<Exclude<SecretState, 'ready'>, { title: string; text: string }> = {
  used: { title: 'This link has already been used', text: 'The sign-in details behind it were shown once and then destroyed.' },
  expired: { title: 'This link has expired', text: 'The sign-in details behind it were destroyed for your safety.' },
  not_found: { title: 'This link is not valid', text: 'Check that you opened the whole link from your SMS or email.' },
};

export function buildUnavailablePage(context: PageContext, state: Exclude<SecretState, 'ready'>): string {
  const { title, text } = UNAVAILABLE[state];
  return page(
    context,
    title,
    `<p>${escapeHtml(text)}</p>\n<p>To get a new password, contact <strong>${escapeHtml(context.settings.itContact)}</strong>.</p>`,
  );
}

export function buildStaleFormPage(context: PageContext): string {
  return page(
    context,
    'Please open your link again',
    '<p>This page was open too long or did not come from your link. Nothing was revealed; open the link from your SMS or email again.</p>',
  );
}
