import { INPUT_ACTION } from './ids.ts';

/** One input's value in `view.state.values`; untouched inputs arrive as nulls, so read defensively. */
interface InputState {
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_user?: string | null;
  selected_date?: string | null;
  selected_options?: Array<{ value?: string }> | null;
}

export type ViewStateValues = Record<string, Record<string, InputState | undefined> | undefined>;

/** `actionId` only for inputs whose element needs its own (an external_select keyed to its options listener). */
export function readInput(values: ViewStateValues | undefined, blockId: string, actionId: string = INPUT_ACTION): InputState | undefined {
  return values?.[blockId]?.[actionId];
}

export const readText = (values: ViewStateValues | undefined, blockId: string): string => readInput(values, blockId)?.value ?? '';
export const readSelected = (values: ViewStateValues | undefined, blockId: string, actionId?: string): string | undefined =>
  readInput(values, blockId, actionId)?.selected_option?.value ?? undefined;
/** The values of the ticked checkboxes. */
export const readChecked = (values: ViewStateValues | undefined, blockId: string): string[] =>
  (readInput(values, blockId)?.selected_options ?? []).flatMap((option) => (option.value ? [option.value] : []));
export const readUser = (values: ViewStateValues | undefined, blockId: string): string | undefined =>
  readInput(values, blockId)?.selected_user ?? undefined;
export const readDate = (values: ViewStateValues | undefined, blockId: string): string | null =>
  readInput(values, blockId)?.selected_date ?? null;

/** A service's field errors, keyed by its domain field names, as Slack's `response_action: errors` (keyed by block id). */
export function blockErrors<K extends string>(
  errors: Partial<Record<K, string>>,
  blockIds: Readonly<Record<K, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors) as Array<[K, string | undefined]>) {
    if (message !== undefined) out[blockIds[field]] = message;
  }
  return out;
}
