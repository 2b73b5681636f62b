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
  speech_balloon: '💬',
  lock: '🔒',
  key: '🔑',
  link: '🔗',
};

function styleSegment(segment: string): string {
  return (
    html(unslack(segment))
      // As in Slack, a marker inside a word (a*b*c) formats nothing.
      .replace(/(^|[^\p{L}\p{N}])\*([^*\n]+)\*(?![\p{L}\p{N}])/gu, '$1<strong>$2</strong>')
      .replace(/(^|\s)_([^_\n]+)_/g, '$1<em>$2</em>')
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/:([a-z0-9_+-]+):/g, (code, name: string) => EMOJI[name] ?? code)
      .replace(/\n/g, '<br>')
  );
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
      out += `<a href="${html(url ?? '')}" target="_blank" rel="noopener noreferrer">${html(label ?? url ?? '')}</a>`;
    } else out += html(`<${token}>`);
  }
  return out + styleSegment(text.slice(last));
}

/** Plain text (an SMS, an email body) as HTML with its http(s) links made clickable. */
export function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g)) {
    out += html(text.slice(last, match.index));
    out += `<a href="${html(match[0])}" target="_blank" rel="noopener noreferrer">${html(match[0])}</a>`;
    last = (match.index ?? 0) + match[0].length;
  }
  return out + html(text.slice(last));
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

/** `placeholder`, `min_length`/`max_length` of a Block Kit input element, as HTML attributes. */
function inputAttributes(element: Block): string {
  const parts: string[] = [];
  if (element.placeholder?.text) parts.push(` placeholder="${html(element.placeholder.text)}"`);
  if (Number.isInteger(element.min_length)) parts.push(` minlength="${element.min_length}"`);
  if (Number.isInteger(element.max_length)) parts.push(` maxlength="${element.max_length}"`);
  return parts.join('');
}

interface FormContext {
  names: Names;
  users: SandboxUser[];
  errors?: Record<string, string>;
  previous?: Record<string, string>;
}

/** One input block's control: what the form field is named, what was typed before, whether it is required. */
interface Field {
  block: Block;
  element: Block;
  name: string;
  previous: string | undefined;
  required: string;
}

const optionTag = (value: string, label: string, selected: boolean) =>
  `<option value="${html(value)}"${selected ? ' selected' : ''}>${html(label)}</option>`;

function selectInput(field: Field, placeholder: string, options: ModalOption[], selected: string | undefined): string {
  const choices = options.map((option) => optionTag(option.value, option.label, option.value === selected)).join('');
  return `<select id="f-${field.name}" name="${field.name}"${field.required}><option value="">${html(placeholder)}</option>${choices}</select>`;
}

/** An external_select: a type-ahead whose hidden input holds the chosen option's value. */
function comboInput(field: Field): string {
  const { block, element, name } = field;
  const value = field.previous ?? element.initial_option?.value ?? '';
  const shown = element.initial_option?.text?.text ?? value;
  const data = `data-block="${name}" data-action="${html(element.action_id)}" data-min="${Number(element.min_query_length ?? 3)}"${block.optional ? '' : ' data-required="1"'}`;
  const text = `<input id="f-${name}" type="text" role="combobox" autocomplete="off" aria-autocomplete="list" aria-expanded="false" aria-controls="lb-${name}" value="${html(shown)}"${inputAttributes(element)}>`;
  return `<div class="combo" ${data}>${text}<input type="hidden" name="${name}" value="${html(value)}"><ul class="listbox" role="listbox" id="lb-${name}" hidden></ul></div>`;
}

function checkboxesInput(field: Field, names: Names): string {
  const { element, name, previous } = field;
  const initial = new Set(((element.initial_options as Array<{ value: string }> | undefined) ?? []).map((option) => option.value));
  const options = element.options as Array<{ value: string; text: TextObject; description?: TextObject }>;
  const boxes = options.map((option) => {
    const checked = previous === undefined ? initial.has(option.value) : previous.split(',').includes(option.value);
    const description = option.description ? ` <span class="context">${textOf(option.description, names)}</span>` : '';
    return `<label class="check"><input type="checkbox" name="${name}" value="${html(option.value)}"${checked ? ' checked' : ''}> ${textOf(option.text, names)}${description}</label>`;
  });
  return `<div id="f-${name}" class="checks">${boxes.join('')}</div>`;
}

function numberInput(field: Field): string {
  const { element, name } = field;
  const min = element.min_value !== undefined ? ` min="${html(String(element.min_value))}"` : '';
  const max = element.max_value !== undefined ? ` max="${html(String(element.max_value))}"` : '';
  const step = element.is_decimal_allowed ? ' step="any"' : '';
  const value = html(field.previous ?? element.initial_value ?? '');
  return `<input id="f-${name}" type="number" inputmode="numeric" name="${name}" value="${value}"${min}${max}${step}${inputAttributes(element)}${field.required}>`;
}

function textInput(field: Field): string {
  const { element, name, required } = field;
  const value = html(field.previous ?? element.initial_value ?? '');
  if (element.multiline)
    return `<textarea id="f-${name}" name="${name}" rows="4"${inputAttributes(element)}${required}>${value}</textarea>`;
  const type = element.type === 'email_text_input' ? 'email' : element.type === 'url_text_input' ? 'url' : 'text';
  return `<input id="f-${name}" type="${type}" name="${name}" value="${value}"${inputAttributes(element)}${required}>`;
}

function renderInput(field: Field, context: FormContext): string {
  const { element, previous } = field;
  switch (element.type) {
    case 'static_select': {
      const options = (element.options as Array<{ value: string; text: TextObject }>).map((option) => ({
        value: option.value,
        label: option.text.text ?? option.value,
      }));
      return selectInput(field, element.placeholder?.text ?? 'Select an option', options, previous ?? element.initial_option?.value);
    }
    case 'external_select':
      return comboInput(field);
    case 'users_select': {
      const people = context.users.map((user) => ({ value: user.id, label: `${user.name} (${user.role})` }));
      return selectInput(field, element.placeholder?.text ?? 'Select a person', people, previous ?? element.initial_user);
    }
    case 'datepicker':
      return `<input id="f-${field.name}" type="date" name="${field.name}" value="${html(previous ?? element.initial_date ?? '')}"${field.required}>`;
    case 'checkboxes':
      return checkboxesInput(field, context.names);
    case 'number_input':
      return numberInput(field);
    default:
      return textInput(field);
  }
}

/**
 * A modal's input blocks as an HTML form; `errors` (block id → text) come from `response_action:
 * errors`. Each field has an error slot (`err-<block id>`) the page fills in place, so what the
 * person typed stays. An external_select is a type-ahead that asks the app for options as Slack
 * does (block_suggestion with what was typed): its list is filled by the page's script.
 */
export function renderModalForm(view: Block, context: FormContext): string {
  const rows = (view.blocks as Block[]).map((block) => {
    if (block.type !== 'input') return renderBlocks([block], context.names, () => '');
    const name = html(block.block_id);
    const field: Field = {
      block,
      element: block.element as Block,
      name,
      previous: context.previous?.[block.block_id],
      required: block.optional ? '' : ' required',
    };
    const error = context.errors?.[block.block_id];
    const optional = block.optional ? ' <span class="context">(optional)</span>' : '';
    const label = `<label for="f-${name}">${textOf(block.label, context.names)}${optional}</label>`;
    const hint = block.hint ? `<div class="context">${textOf(block.hint, context.names)}</div>` : '';
    return `<div class="field" data-block="${name}">${label}${renderInput(field, context)}${hint}<div class="error" id="err-${name}" role="alert">${error ? html(error) : ''}</div></div>`;
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
