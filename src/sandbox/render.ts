/**
 * Renders the Block Kit the app sends to Slack as plain HTML for the sandbox page. Pure functions;
 * every piece of text is HTML-escaped (Slack's own escaping is undone first).
 */

import { escapeHtml } from '../views/text.ts';

export const html = escapeHtml;

const unslack = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

type Names = (userId: string) => string;

/** The emoji codes Mailroom's messages use, as Slack would draw them. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  x: '❌',
  question: '❓',
  warning: '⚠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  tada: '🎉',
  rotating_light: '🚨',
  outbox_tray: '📤',
  no_entry_sign: '🚫',
  arrows_counterclockwise: '🔄',
  wastebasket: '🗑️',
  leftwards_arrow_with_hook: '↩️',
  bell: '🔔',
  email: '📧',
  information_source: 'ℹ️',
  calendar: '📅',
  heavy_minus_sign: '➖',
  incoming_envelope: '📨',
};

function styleSegment(segment: string): string {
  return html(unslack(segment))
    .replace(/\*([^*\n]+)\*/g, '<strong>$1</strong>')
    .replace(/(^|\s)_([^_\n]+)_/g, '$1<em>$2</em>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/:([a-z0-9_+-]+):/g, (code, name: string) => EMOJI[name] ?? code)
    .replace(/\n/g, '<br>');
}

/** Slack mrkdwn → HTML: mentions, dates, links, bold, italics, code. */
export function mrkdwn(text: string, names: Names): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/<([^<>]+)>/g)) {
    out += styleSegment(text.slice(last, match.index));
    last = (match.index ?? 0) + match[0].length;
    const token = match[1] ?? '';
    if (token.startsWith('@')) out += `<span class="mention">@${html(names(token.slice(1).split('|')[0] ?? ''))}</span>`;
    else if (token.startsWith('!date^')) out += html(token.split('|').slice(1).join('|') || token);
    else if (/^https?:\/\//.test(token)) {
      const [url, label] = token.split('|');
      out += `<a href="${html(url ?? '')}" rel="noreferrer">${html(label ?? url ?? '')}</a>`;
    } else out += html(`<${token}>`);
  }
  return out + styleSegment(text.slice(last));
}

interface TextObject {
  type?: string;
  text?: string;
}

const textOf = (object: TextObject | undefined, names: Names): string =>
  !object?.text ? '' : object.type === 'mrkdwn' ? mrkdwn(object.text, names) : html(object.text);

type Block = Record<string, any>;

/** Message blocks; buttons become small forms that post `action` back to the sandbox. */
export function renderBlocks(blocks: Block[], names: Names, button: (element: Block, block: Block) => string): string {
  return blocks
    .map((block) => {
      switch (block.type) {
        case 'header':
          return `<h3>${textOf(block.text, names)}</h3>`;
        case 'section': {
          const fields = (block.fields as TextObject[] | undefined)?.map((field) => `<div>${textOf(field, names)}</div>`).join('') ?? '';
          const accessory = block.accessory?.type === 'button' ? button(block.accessory, block) : '';
          return `<div class="section">${block.text ? `<p>${textOf(block.text, names)}</p>` : ''}${fields ? `<div class="fields">${fields}</div>` : ''}${accessory}</div>`;
        }
        case 'context':
          return `<p class="context">${(block.elements as TextObject[]).map((element) => textOf(element, names)).join(' ')}</p>`;
        case 'divider':
          return '<hr>';
        case 'actions':
          return `<div class="actions">${(block.elements as Block[]).map((element) => (element.type === 'button' ? button(element, block) : '')).join('')}</div>`;
        default:
          return `<p class="context">[${html(String(block.type))} block]</p>`;
      }
    })
    .join('\n');
}

export interface SandboxUser {
  id: string;
  name: string;
  role: string;
}

export interface ModalOption {
  value: string;
  label: string;
}

/** A modal's input blocks as an HTML form; `errors` (block id → text) come from `response_action: errors`. */
export function renderModalForm(
  view: Block,
  context: {
    names: Names;
    users: SandboxUser[];
    errors?: Record<string, string>;
    previous?: Record<string, string>;
    /** Options of an external_select, loaded from the app like Slack does. */
    externalOptions?: Record<string, ModalOption[]>;
  },
): string {
  const rows = (view.blocks as Block[]).map((block) => {
    if (block.type !== 'input') return renderBlocks([block], context.names, () => '');
    const element = block.element as Block;
    const name = html(block.block_id);
    const previous = context.previous?.[block.block_id];
    const error = context.errors?.[block.block_id];
    const required = block.optional ? '' : ' required';
    const label = `<label for="f-${name}">${textOf(block.label, context.names)}${block.optional ? ' <span class="context">(optional)</span>' : ''}</label>`;
    let input: string;
    switch (element.type) {
      case 'static_select':
      case 'external_select': {
        const options: ModalOption[] =
          element.type === 'static_select'
            ? (element.options as Array<{ value: string; text: TextObject }>).map((option) => ({ value: option.value, label: option.text.text ?? option.value }))
            : (context.externalOptions?.[block.block_id] ?? []);
        const selected = previous ?? element.initial_option?.value;
        input = `<select id="f-${name}" name="${name}"${required}><option value=""></option>${options
          .map((option) => `<option value="${html(option.value)}"${option.value === selected ? ' selected' : ''}>${html(option.label)}</option>`)
          .join('')}</select>`;
        break;
      }
      case 'users_select': {
        const selected = previous ?? element.initial_user;
        input = `<select id="f-${name}" name="${name}"${required}><option value=""></option>${context.users
          .map((user) => `<option value="${html(user.id)}"${user.id === selected ? ' selected' : ''}>${html(`${user.name} (${user.role})`)}</option>`)
          .join('')}</select>`;
        break;
      }
      case 'datepicker':
        input = `<input id="f-${name}" type="date" name="${name}" value="${html(previous ?? element.initial_date ?? '')}"${required}>`;
        break;
      case 'checkboxes': {
        const initial = new Set(((element.initial_options as Array<{ value: string }> | undefined) ?? []).map((option) => option.value));
        input = (element.options as Array<{ value: string; text: TextObject }>)
          .map(
            (option) =>
              `<label class="check"><input type="checkbox" name="${name}" value="${html(option.value)}"${(previous === undefined ? initial.has(option.value) : previous.split(',').includes(option.value)) ? ' checked' : ''}> ${textOf(option.text, context.names)}</label>`,
          )
          .join('');
        break;
      }
      case 'number_input':
        input = `<input id="f-${name}" type="number" name="${name}" value="${html(previous ?? element.initial_value ?? '')}"${required}>`;
        break;
      default: {
        const value = html(previous ?? element.initial_value ?? '');
        input = element.multiline
          ? `<textarea id="f-${name}" name="${name}" rows="4"${required}>${value}</textarea>`
          : `<input id="f-${name}" type="${element.type === 'email_text_input' ? 'email' : 'text'}" name="${name}" value="${value}"${required}>`;
      }
    }
    return `<div class="field">${label}${input}${block.hint ? `<div class="context">${textOf(block.hint, context.names)}</div>` : ''}${error ? `<div class="error">${html(error)}</div>` : ''}</div>`;
  });
  return rows.join('\n');
}

/** Turns a submitted form back into Slack's `view.state.values` for the view's input blocks. */
export function stateValuesFromForm(view: Block, form: URLSearchParams): Record<string, Record<string, Record<string, unknown>>> {
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const block of view.blocks as Block[]) {
    if (block.type !== 'input') continue;
    const element = block.element as Block;
    const raw = form.get(block.block_id) ?? '';
    let state: Record<string, unknown>;
    switch (element.type) {
      case 'static_select':
      case 'external_select':
        state = { type: element.type, selected_option: raw ? { value: raw, text: { type: 'plain_text', text: raw } } : null };
        break;
      case 'users_select':
        state = { type: 'users_select', selected_user: raw || null };
        break;
      case 'datepicker':
        state = { type: 'datepicker', selected_date: raw || null };
        break;
      case 'checkboxes':
        state = { type: 'checkboxes', selected_options: form.getAll(block.block_id).map((value) => ({ value })) };
        break;
      default:
        state = { type: element.type, value: raw === '' ? null : raw };
    }
    values[block.block_id] = { [element.action_id as string]: state };
  }
  return values;
}
