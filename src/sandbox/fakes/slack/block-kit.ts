/**
 * Block Kit validation as Slack does it for messages, modals and Home tabs: the limits that bite in practice,
 * reported as Slack-style "[ERROR] … [json-pointer:…]" lines.
 */
import { asString, isRecord } from './util.ts';

export type Surface = 'message' | 'modal' | 'home';

const MODAL_TEXT_MAX = 24;
const MODAL_BLOCKS_MAX = 100;
const MESSAGE_BLOCKS_MAX = 50;
const PRIVATE_METADATA_MAX = 3000;
const ID_MAX = 255;
const BUTTON_VALUE_MAX = 2000;
const BUTTON_TEXT_MAX = 75;
const BUTTON_URL_MAX = 3000;
const SECTION_TEXT_MAX = 3000;
const SECTION_FIELDS_MAX = 10;
const SECTION_FIELD_TEXT_MAX = 2000;
const HEADER_TEXT_MAX = 150;
const ACTIONS_ELEMENTS_MAX = 25;
const CONTEXT_ELEMENTS_MAX = 10;
const OPTIONS_MAX = 100;
const OPTION_TEXT_MAX = 75;
const OPTION_VALUE_MAX = 150;
const INPUT_LABEL_MAX = 2000;

const tooLong = (max: number, pointer: string): string => `[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}]`;

function checkMaxLength(problems: string[], value: unknown, max: number, pointer: string): void {
  if (typeof value === 'string' && value.length > max) problems.push(tooLong(max, pointer));
}

/** A text object `{ type, text }`: required text, 1..max characters. */
function checkTextObject(problems: string[], value: unknown, max: number, pointer: string): void {
  if (!isRecord(value)) {
    problems.push(`[ERROR] must provide an object [json-pointer:${pointer}]`);
    return;
  }
  const text = value.text;
  if (typeof text !== 'string') {
    problems.push(`[ERROR] must provide a string [json-pointer:${pointer}/text]`);
    return;
  }
  if (text.length === 0) problems.push(`[ERROR] must be more than 0 characters [json-pointer:${pointer}/text]`);
  checkMaxLength(problems, text, max, `${pointer}/text`);
}

function checkOptions(problems: string[], options: unknown, pointer: string): void {
  if (!Array.isArray(options)) return;
  if (options.length > OPTIONS_MAX) problems.push(`[ERROR] no more than ${OPTIONS_MAX} items allowed [json-pointer:${pointer}]`);
  options.forEach((option, j) => {
    if (!isRecord(option)) return;
    if (isRecord(option.text)) checkMaxLength(problems, option.text.text, OPTION_TEXT_MAX, `${pointer}/${j}/text/text`);
    checkMaxLength(problems, option.value, OPTION_VALUE_MAX, `${pointer}/${j}/value`);
  });
}

function checkElement(problems: string[], element: unknown, pointer: string): void {
  if (!isRecord(element)) {
    problems.push(`[ERROR] must provide an object [json-pointer:${pointer}]`);
    return;
  }
  checkMaxLength(problems, element.action_id, ID_MAX, `${pointer}/action_id`);
  if (element.type === 'button') {
    checkTextObject(problems, element.text, BUTTON_TEXT_MAX, `${pointer}/text`);
    checkMaxLength(problems, element.value, BUTTON_VALUE_MAX, `${pointer}/value`);
    checkMaxLength(problems, element.url, BUTTON_URL_MAX, `${pointer}/url`);
  }
  checkOptions(problems, element.options, `${pointer}/options`);
  if (Array.isArray(element.option_groups)) {
    element.option_groups.forEach((group, g) => {
      if (isRecord(group)) checkOptions(problems, group.options, `${pointer}/option_groups/${g}/options`);
    });
  }
}

function checkSection(problems: string[], block: Record<string, unknown>, p: string): void {
  if (block.text === undefined && block.fields === undefined) {
    problems.push(`[ERROR] must provide either text or fields [json-pointer:${p}]`);
  }
  if (block.text !== undefined) checkTextObject(problems, block.text, SECTION_TEXT_MAX, `${p}/text`);
  if (block.fields !== undefined) {
    if (!Array.isArray(block.fields)) {
      problems.push(`[ERROR] must provide an array [json-pointer:${p}/fields]`);
    } else {
      if (block.fields.length > SECTION_FIELDS_MAX) {
        problems.push(`[ERROR] no more than ${SECTION_FIELDS_MAX} items allowed [json-pointer:${p}/fields]`);
      }
      block.fields.forEach((field, j) => {
        checkTextObject(problems, field, SECTION_FIELD_TEXT_MAX, `${p}/fields/${j}`);
      });
    }
  }
  if (block.accessory !== undefined) checkElement(problems, block.accessory, `${p}/accessory`);
}

function checkActions(problems: string[], block: Record<string, unknown>, p: string): void {
  if (!Array.isArray(block.elements) || block.elements.length === 0) {
    problems.push(`[ERROR] must provide at least 1 items [json-pointer:${p}/elements]`);
    return;
  }
  if (block.elements.length > ACTIONS_ELEMENTS_MAX) {
    problems.push(`[ERROR] no more than ${ACTIONS_ELEMENTS_MAX} items allowed [json-pointer:${p}/elements]`);
  }
  const seenActionIds = new Set<string>();
  block.elements.forEach((element, j) => {
    checkElement(problems, element, `${p}/elements/${j}`);
    const actionId = isRecord(element) ? asString(element.action_id) : undefined;
    if (actionId !== undefined) {
      if (seenActionIds.has(actionId)) {
        problems.push(`[ERROR] duplicate action_id "${actionId}" in one block [json-pointer:${p}/elements/${j}/action_id]`);
      }
      seenActionIds.add(actionId);
    }
  });
}

function checkContext(problems: string[], block: Record<string, unknown>, p: string): void {
  if (Array.isArray(block.elements) && block.elements.length > CONTEXT_ELEMENTS_MAX) {
    problems.push(`[ERROR] no more than ${CONTEXT_ELEMENTS_MAX} items allowed [json-pointer:${p}/elements]`);
  }
}

function checkInput(problems: string[], block: Record<string, unknown>, p: string, surface: Surface): void {
  if (surface === 'message') {
    problems.push(`[ERROR] unsupported type: input blocks are only allowed in views [json-pointer:${p}/type]`);
    return;
  }
  checkTextObject(problems, block.label, INPUT_LABEL_MAX, `${p}/label`);
  checkElement(problems, block.element, `${p}/element`);
}

function checkBlockId(problems: string[], block: Record<string, unknown>, p: string, seenBlockIds: Set<string>): void {
  const blockId = asString(block.block_id);
  if (blockId === undefined) return;
  checkMaxLength(problems, blockId, ID_MAX, `${p}/block_id`);
  if (seenBlockIds.has(blockId)) {
    problems.push(`[ERROR] duplicate block_id "${blockId}": block_id must be unique [json-pointer:${p}/block_id]`);
  }
  seenBlockIds.add(blockId);
}

function checkBlock(problems: string[], block: unknown, p: string, surface: Surface, seenBlockIds: Set<string>): void {
  if (!isRecord(block)) {
    problems.push(`[ERROR] must provide an object [json-pointer:${p}]`);
    return;
  }
  if (typeof block.type !== 'string') {
    problems.push(`[ERROR] missing required field: type [json-pointer:${p}]`);
    return;
  }
  checkBlockId(problems, block, p, seenBlockIds);
  switch (block.type) {
    case 'section':
      checkSection(problems, block, p);
      break;
    case 'header':
      checkTextObject(problems, block.text, HEADER_TEXT_MAX, `${p}/text`);
      break;
    case 'actions':
      checkActions(problems, block, p);
      break;
    case 'context':
      checkContext(problems, block, p);
      break;
    case 'input':
      checkInput(problems, block, p, surface);
      break;
    default:
      // divider, image, rich_text, markdown, file, video, …: nothing this fake checks.
      break;
  }
}

function checkBlocks(problems: string[], blocks: unknown, base: string, surface: Surface): void {
  if (!Array.isArray(blocks)) {
    problems.push(`[ERROR] must provide an array [json-pointer:${base}]`);
    return;
  }
  const max = surface === 'message' ? MESSAGE_BLOCKS_MAX : MODAL_BLOCKS_MAX;
  if (blocks.length > max) problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${base}]`);
  const seenBlockIds = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(problems, block, `${base}/${i}`, surface, seenBlockIds);
  });
}

export function validateMessageBlocks(blocks: unknown): string[] {
  const problems: string[] = [];
  checkBlocks(problems, blocks, '/blocks', 'message');
  return problems;
}

/** A modal's title, submit and close buttons (submit is required once the view has input blocks). */
function checkModalChrome(problems: string[], view: Record<string, unknown>): void {
  if (view.title === undefined) problems.push('[ERROR] missing required field: title [json-pointer:/view]');
  else checkTextObject(problems, view.title, MODAL_TEXT_MAX, '/view/title');
  if (view.submit !== undefined && view.submit !== null) {
    checkTextObject(problems, view.submit, MODAL_TEXT_MAX, '/view/submit');
  }
  if (view.close !== undefined && view.close !== null) checkTextObject(problems, view.close, MODAL_TEXT_MAX, '/view/close');
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === 'input');
  if (hasInput && (view.submit === undefined || view.submit === null)) {
    problems.push('[ERROR] must provide submit when the view has input blocks [json-pointer:/view/submit]');
  }
}

export function validateView(view: unknown, expectedTypes: readonly string[]): string[] {
  const problems: string[] = [];
  if (!isRecord(view)) {
    problems.push('[ERROR] must provide an object [json-pointer:/view]');
    return problems;
  }
  const type = asString(view.type);
  if (type === undefined || !expectedTypes.includes(type)) {
    problems.push(`[ERROR] must be one of ${expectedTypes.join(', ')} [json-pointer:/view/type]`);
    return problems;
  }
  const surface: Surface = type === 'home' ? 'home' : 'modal';
  if (surface === 'modal') checkModalChrome(problems, view);
  if (view.private_metadata !== undefined && typeof view.private_metadata !== 'string') {
    problems.push('[ERROR] must provide a string [json-pointer:/view/private_metadata]');
  }
  checkMaxLength(problems, view.private_metadata, PRIVATE_METADATA_MAX, '/view/private_metadata');
  checkMaxLength(problems, view.callback_id, ID_MAX, '/view/callback_id');
  checkMaxLength(problems, view.external_id, ID_MAX, '/view/external_id');
  if (view.blocks === undefined) problems.push('[ERROR] missing required field: blocks [json-pointer:/view]');
  else checkBlocks(problems, view.blocks, '/view/blocks', surface);
  return problems;
}
