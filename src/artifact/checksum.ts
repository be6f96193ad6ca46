/**
 * The pipeline file's checksum: sha256 of the file's text without its last member
 * (`"checksum": "…"`). Defined on the text, not on a re-serialisation, so that any runtime can
 * verify a file byte for byte without formatting numbers the way JavaScript does.
 */
import { createHash } from 'node:crypto';

const CHECKSUM_MEMBER = /,\n {2}"checksum": "([0-9a-f]{64})"\n\}\n?$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The file's text for a body (everything but the checksum), with its checksum member added. */
export function withChecksum(bodyText: string): string {
  if (!bodyText.endsWith('\n}')) throw new RangeError('withChecksum: the body must be JSON.stringify(body, null, 2) of an object');
  const sum = sha256Hex(bodyText);
  return `${bodyText.slice(0, -2)},\n  "checksum": "${sum}"\n}\n`;
}

/**
 * Splits a file's text into the body text the checksum covers and the checksum it states;
 * undefined when the text has no checksum member in the exporter's form.
 */
export function splitChecksum(text: string): { body: string; stated: string } | undefined {
  const m = CHECKSUM_MEMBER.exec(text);
  if (!m) return undefined;
  return { body: `${text.slice(0, m.index)}\n}`, stated: m[1]! };
}
