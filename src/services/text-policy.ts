/**
 * What a person may type into a free-text field, everywhere (modals, the batch file): single-line
 * fields take no line breaks, control characters or text-direction overrides (which make "evil"
 * display as "live"); multi-line fields take line breaks only. Each answer names the problem so the
 * field can say it. Lengths are checked where each field is, against its documented maximum.
 */

/** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const LINE_BREAKS = /[\r\n\u2028\u2029]/u;
const CONTROL = /\p{Cc}/u;

const DIRECTION_PROBLEM =
  'This contains invisible text-direction characters, which can make it read differently from what it is; type it again without them.';
const CONTROL_PROBLEM = 'This contains invisible control characters; type it again without them.';

export function singleLineProblem(value: string): string | undefined {
  if (LINE_BREAKS.test(value)) return 'Keep this on one line (no line breaks).';
  if (CONTROL.test(value)) return CONTROL_PROBLEM;
  if (DIRECTION_CONTROLS.test(value)) return DIRECTION_PROBLEM;
  return undefined;
}

export function multiLineProblem(value: string): string | undefined {
  const lines = value.replace(/\r\n|\r|\n/g, '');
  if (CONTROL.test(lines) || /[\u2028\u2029]/u.test(lines)) return CONTROL_PROBLEM;
  if (DIRECTION_CONTROLS.test(lines)) return DIRECTION_PROBLEM;
  return undefined;
}

/** The documented maximum of each free-text field (characters, after trimming). */
export const TEXT_LIMITS = {
  fullName: 200,
  note: 2000,
  rejectReason: 1000,
  autoReplySubject: 200,
  autoReplyBody: 3000,
} as const;
