import { INPUT_ACTION } from './ids.ts';

/** One input's value in `view.state.values`; untouched inputs arrive as nulls, so read defensively. */
interface InputState {
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_user?: string | null;
  selected_date?: string | null;
}

export type ViewStateValues = Record<string, Record<string, InputState | undefined> | undefined>;

export function readInput(values: ViewStateValues | undefined, blockId: string): InputState | undefined {
  return values?.[blockId]?.[INPUT_ACTION];
}

export const readText = (values: ViewStateValues | undefined, blockId: string): string => readInput(values, blockId)?.value ?? '';
export const readSelected = (values: ViewStateValues | undefined, blockId: string): string | undefined =>
  readInput(values, blockId)?.selected_option?.value ?? undefined;
export const readUser = (values: ViewStateValues | undefined, blockId: string): string | undefined =>
  readInput(values, blockId)?.selected_user ?? undefined;
export const readDate = (values: ViewStateValues | undefined, blockId: string): string | null => readInput(values, blockId)?.selected_date ?? null;
