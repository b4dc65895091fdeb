/**
 * The rules for the free text of an entry (its description) and of filter
 * texts, in one place for the API's schemas and the console's forms, which
 * check them as the admin types.
 */

/** One line, no control characters: they end up in one-per-line exports and in logs. */
export const ONE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
export const ONE_LINE_WORDS = 'one line without control characters';

export const MAX_DESCRIPTION_LENGTH = 200;

const ONE_LINE = new RegExp(ONE_LINE_PATTERN, 'u');

/** What is wrong with a description, or undefined when it may be stored. */
export function descriptionProblem(text: string): string | undefined {
  if (text.length > MAX_DESCRIPTION_LENGTH) return `at most ${MAX_DESCRIPTION_LENGTH} characters (this has ${text.length})`;
  if (!ONE_LINE.test(text)) return `must be ${ONE_LINE_WORDS}`;
  return undefined;
}
