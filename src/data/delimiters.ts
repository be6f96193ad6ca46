/**
 * The field delimiters we read, defined once: the CSV reader detects and parses them, the command
 * line offers them (`--delimiter`). No imports, so the command line can list them at start.
 *
 * @example
 * DELIMITER_NAMES; // [',', 'tab', ';']: the tab is named `tab` on the command line
 */

/** The field delimiters we read: comma, tab, semicolon. */
export const DELIMITERS = [',', '\t', ';'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** A delimiter as the command line names it: the tab as `tab`, the others as themselves. */
export function delimiterName(d: Delimiter): string {
  return d === '\t' ? 'tab' : d;
}

/** The `--delimiter` choices, in the order of DELIMITERS. */
export const DELIMITER_NAMES: readonly string[] = DELIMITERS.map(delimiterName);
