/**
 * The pipeline file's checksum: sha256 (hex) of the RFC 8785 canonical JSON (UTF-8) of the file's
 * object without its `checksum` member. Defined on the JSON value, not on the text, so a file
 * re-indented by an editor or `jq` keeps its checksum and any changed value breaks it.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The checksum of a pipeline object: over its canonical JSON without the `checksum` member. */
export function contentChecksum(file: object): string {
  const { checksum: _, ...body } = file as Record<string, unknown>;
  return sha256Hex(canonicalJson(body));
}

/**
 * The file's text for a body text (an object without a checksum, indented by two spaces as
 * `JSON.stringify(body, null, 2)` does), with the checksum added as its last member, on its own line.
 */
export function withChecksum(bodyText: string): string {
  if (!bodyText.endsWith('\n}'))
    throw new RangeError('withChecksum: the body must be an object indented by two spaces, ending in a line "}"');
  const body = JSON.parse(bodyText) as object;
  if ('checksum' in body) throw new RangeError('withChecksum: the body already has a checksum member');
  return `${bodyText.slice(0, -2)},\n  "checksum": "${contentChecksum(body)}"\n}\n`;
}
