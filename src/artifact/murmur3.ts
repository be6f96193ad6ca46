/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's `MurmurHash3_x86_32`), of a string's UTF-8
 * bytes: the hash of the pipeline file's `text` step. Every runtime must reproduce it bit for bit;
 * the test vectors are in test/artifact/murmur.test.ts.
 *
 * @example
 * murmur3('hello', 0);  // 0x248bfa47 (613153351)
 * murmur3('', 0);       // 0
 */

const encoder = new TextEncoder();

/** The 32-bit MurmurHash3 (x86_32) of `text`'s UTF-8 bytes with `seed` (an unsigned 32-bit integer); an unsigned 32-bit result. */
export function murmur3(text: string, seed: number): number {
  return murmur3Bytes(encoder.encode(text), seed);
}

/** {@link murmur3} of bytes. A lone surrogate in a string is encoded as U+FFFD (EF BF BD), as TextEncoder does. */
export function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const n = bytes.length;
  const blocks = n & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail > 0) {
    let k = bytes[blocks]!;
    if (tail > 1) k ^= bytes[blocks + 1]! << 8;
    if (tail > 2) k ^= bytes[blocks + 2]! << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
