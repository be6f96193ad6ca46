import { describe, expect, it } from 'vitest';
import { murmur3, murmur3Bytes } from '../../src/artifact/murmur3.js';
import { Rng } from '../../src/util/random.js';
import { python } from './python-steps.js';

/** Known answers of MurmurHash3_x86_32 (the reference implementation's and the usual test suites'). */
const KNOWN: [string, number, number][] = [
  ['', 0, 0],
  ['', 1, 0x514e28b7],
  ['', 0xffffffff, 0x81f16f39],
  ['\0\0\0\0', 0, 0x2362f9de],
  ['hello', 0, 0x248bfa47],
  ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ['aaaa', 0x9747b28c, 0x5a97808a],
  ['a', 0x9747b28c, 0x7fa09ea6],
  ['ab', 0x9747b28c, 0x74875592],
  ['abc', 0x9747b28c, 0xc84a62dd],
  ['abcd', 0x9747b28c, 0xf0478627],
  ['Hello, world!', 0x9747b28c, 0x24884cba],
];

/** Strings whose UTF-8 bytes have 1 to 4 bytes per character, every tail length, and the step's grams. */
function tricky(): string[] {
  const fixed = [
    'café',
    'caf\u00e9',
    'cafe\u0301',
    'İ',
    'ß',
    'Σ',
    'ς',
    '日本語',
    '😀',
    'a😀b',
    'w:great',
    'c: gr',
    'w:très bien',
  ];
  const rng = new Rng(15);
  const random: string[] = [];
  const ranges = [
    [0x20, 0x7f],
    [0x80, 0x800],
    [0x800, 0xd800],
    [0xe000, 0x10000],
    [0x10000, 0x110000],
  ] as const;
  for (let i = 0; i < 200; i++) {
    const len = rng.int(12);
    let s = '';
    for (let j = 0; j < len; j++) {
      const [lo, hi] = ranges[rng.int(ranges.length)]!;
      s += String.fromCodePoint(lo + rng.int(hi - lo));
    }
    random.push(s);
  }
  return [...fixed, ...random];
}

describe('murmur3 (MurmurHash3_x86_32 of UTF-8 bytes): the text step hash', () => {
  it.each(KNOWN)('%j with seed %i is the known answer', (text, seed, hash) => {
    expect(murmur3(text, seed)).toBe(hash);
    expect(murmur3Bytes(new TextEncoder().encode(text), seed)).toBe(hash);
  });

  it('is an unsigned 32-bit integer for every input, and hashes the UTF-8 bytes (é is C3 A9)', () => {
    expect(murmur3('é', 7)).toBe(murmur3Bytes(Uint8Array.of(0xc3, 0xa9), 7));
    for (const s of tricky()) {
      const h = murmur3(s, 0x5eed);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it('gives the same hash as the Python runtime on 213 strings of 1- to 4-byte characters', () => {
    const strings = tricky();
    const seeds = [0, 0x5eed, 0xffffffff];
    const py = python<number[][]>("[[d.murmur3(s, seed) for s in req['s']] for seed in req['seeds']]", {
      s: strings,
      seeds,
    });
    seeds.forEach((seed, k) => expect(py[k]).toEqual(strings.map((s) => murmur3(s, seed))));
    expect(py[0]![strings.indexOf('😀')]).toBe(murmur3Bytes(Uint8Array.of(0xf0, 0x9f, 0x98, 0x80), 0));
  });
});
