/**
 * The scoring side's CSV reader (src/serve/csv-records.ts): records and fields, line numbers,
 * chunk boundaries, errors with file:line, numbers read exactly as `Number` reads them; and the
 * block cutter of parallel scoring (`cutAfterLastRecord`).
 */
import { describe, expect, it } from 'vitest';
import { CsvTokenizer, readCsvRecords, type CsvDelimiter } from '../../src/serve/csv-records.js';
import { cutAfterLastRecord } from '../../src/serve/parallel.js';
import { Rng } from '../../src/util/random.js';

interface Rec {
  line: number;
  fields: string[];
}

interface Read {
  delimiter: CsvDelimiter;
  header: Rec;
  records: Rec[];
  /** Field `numberField` of each record through `CsvRecord.number`. */
  numbers: (number | undefined)[];
}

async function* streamOf(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

/** Reads a CSV given as chunks; every record copied out (the record object is reused). */
async function read(
  chunks: readonly Buffer[],
  opts: { delimiter?: CsvDelimiter; numberField?: number } = {},
): Promise<Read> {
  let header: Rec | undefined;
  let delimiter: CsvDelimiter | undefined;
  const records: Rec[] = [];
  const numbers: (number | undefined)[] = [];
  await readCsvRecords(streamOf(chunks), {
    source: 'f.csv',
    ...(opts.delimiter ? { delimiter: opts.delimiter } : {}),
    onHeader: (rec, d) => {
      delimiter = d;
      header = { line: rec.line, fields: Array.from({ length: rec.nFields }, (_, j) => rec.text(j)) };
    },
    onRecord: (rec) => {
      records.push({ line: rec.line, fields: Array.from({ length: rec.nFields }, (_, j) => rec.text(j)) });
      if (opts.numberField !== undefined) numbers.push(rec.number(opts.numberField));
    },
  });
  return { delimiter: delimiter!, header: header!, records, numbers };
}

/** The error message reading the chunks ends with (fails the test when there is none). */
async function readError(chunks: readonly Buffer[]): Promise<string> {
  try {
    await read(chunks);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the read to fail');
}

/** `buf` cut into pieces of `size` bytes. */
function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

/** `buf` cut into two pieces at every position, then into pieces of 1, 2, 3 and 7 bytes. */
function splits(buf: Buffer): { name: string; chunks: Buffer[] }[] {
  const out = [1, 2, 3, 7].map((size) => ({ name: `${size}-byte chunks`, chunks: pieces(buf, size) }));
  for (let i = 1; i < buf.length; i++)
    out.push({ name: `split at byte ${i}`, chunks: [buf.subarray(0, i), buf.subarray(i)] });
  return out;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A file with every case at once: quoted fields holding the delimiter, doubled quotes, CRLF and
 * LF (also inside quotes), empty lines, an empty field, a field that is just a doubled quote, and a
 * last line without a line end.
 */
const MIXED = Buffer.from(
  'id,text,value\r\n' + // line 1
    '1,"a, b",1.5\n' + // line 2
    '2,"say ""hi""",2\r\n' + // line 3
    '\r\n' + // line 4: empty
    '3,"line one\r\nline two\nline three",-3e2\n' + // lines 5-7
    '\n' + // line 8: empty
    '4,,\r\n' + // line 9
    '5,"""",.5\r\n' + // line 10
    '6,"x""",7', // line 11, no line end
);

const MIXED_RECORDS: Rec[] = [
  { line: 2, fields: ['1', 'a, b', '1.5'] },
  { line: 3, fields: ['2', 'say "hi"', '2'] },
  { line: 5, fields: ['3', 'line one\r\nline two\nline three', '-3e2'] },
  { line: 9, fields: ['4', '', ''] },
  { line: 10, fields: ['5', '"', '.5'] },
  { line: 11, fields: ['6', 'x"', '7'] },
];

describe('csv-records: records and fields', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks inside; CRLF and LF; empty lines skipped; a last line without a line end', async () => {
    const r = await read([MIXED], { numberField: 2 });
    expect(r.delimiter).toBe(',');
    expect(r.header).toEqual({ line: 1, fields: ['id', 'text', 'value'] });
    expect(r.records).toEqual(MIXED_RECORDS);
    expect(r.numbers).toEqual([1.5, 2, -300, undefined, 0.5, 7]);
  });

  it('reads CRLF and LF files alike', async () => {
    const lf = await read([Buffer.from('a,b\n1,2\n3,"x\ny"\n')]);
    const crlf = await read([Buffer.from('a,b\r\n1,2\r\n3,"x\ny"\r\n')]);
    expect(crlf.records).toEqual(lf.records);
    expect(lf.records).toEqual([
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', 'x\ny'] },
    ]);
  });

  it('skips a UTF-8 byte order mark', async () => {
    const r = await read([Buffer.concat([BOM, Buffer.from('psa_bar,y\n1,2\n')])]);
    expect(r.header.fields).toEqual(['psa_bar', 'y']);
    expect(r.records).toEqual([{ line: 2, fields: ['1', '2'] }]);
  });

  it('skips empty lines (blank CRLF, LF) but counts them as lines; a quoted empty field is a record', async () => {
    const r = await read([Buffer.from('a\n\n\r\n""\n\nx\n\n')]);
    expect(r.records).toEqual([
      { line: 4, fields: [''] },
      { line: 6, fields: ['x'] },
    ]);
  });

  it('reads a trailing empty field: before a line end, at the end of the file, after a quoted field', async () => {
    expect((await read([Buffer.from('a,b\n1,\n')])).records).toEqual([{ line: 2, fields: ['1', ''] }]);
    expect((await read([Buffer.from('a,b\n1,')])).records).toEqual([{ line: 2, fields: ['1', ''] }]);
    expect((await read([Buffer.from('a,b\n"1",')])).records).toEqual([{ line: 2, fields: ['1', ''] }]);
    expect((await read([Buffer.from('a,b\n,\n')])).records).toEqual([{ line: 2, fields: ['', ''] }]);
  });

  it('detects tab and semicolon delimiters from the header (not inside quotes), comma on a tie; a given delimiter wins', async () => {
    const tab = await read([Buffer.from('a\tb\tc\n1\t"x,y"\t3\n')]);
    expect(tab.delimiter).toBe('\t');
    expect(tab.records).toEqual([{ line: 2, fields: ['1', 'x,y', '3'] }]);
    const semi = await read([Buffer.from('a;b;c\n1,5;2;"3;4"\n')]);
    expect(semi.delimiter).toBe(';');
    expect(semi.records).toEqual([{ line: 2, fields: ['1,5', '2', '3;4'] }]);
    // Delimiters inside a quoted header name are not counted.
    expect((await read([Buffer.from('"a;b;c",d\n1,2\n')])).delimiter).toBe(',');
    expect((await read([Buffer.from('a;b,c\n1;2,3\n')])).delimiter).toBe(',');
    const given = await read([Buffer.from('a;b,c\n1;2,3\n')], { delimiter: ';' });
    expect(given.delimiter).toBe(';');
    expect(given.records).toEqual([{ line: 2, fields: ['1', '2,3'] }]);
  });

  it('counts lines physically: a record after quoted line breaks (LF and CRLF) reports its own line', async () => {
    const r = await read([Buffer.from('a,b\n"one\ntwo\nthree",1\r\n"x\r\ny",2\n3,4\n')]);
    expect(r.records.map((x) => x.line)).toEqual([2, 5, 7]);
  });

  it('ends a file without records or a header clearly', async () => {
    expect(await readError([])).toBe('f.csv is empty; it needs a header line and rows to score');
    expect(await readError([Buffer.from('\n\r\n\n')])).toBe(
      'f.csv has no header line; its first line must name the columns',
    );
    const headerOnly = await read([Buffer.from('a,b')]);
    expect(headerOnly.header).toEqual({ line: 1, fields: ['a', 'b'] });
    expect(headerOnly.records).toEqual([]);
  });
});

describe('csv-records: chunk boundaries', () => {
  it('gives the same records, numbers and lines however the file is cut into chunks (CR LF and doubled quotes split too)', async () => {
    const whole = await read([MIXED], { numberField: 2 });
    // Cuts that split a CR LF and a doubled quote are among them: check that they exist.
    const crlf = MIXED.indexOf('\r\n');
    const doubled = MIXED.indexOf('""');
    const all = splits(MIXED);
    expect(all.some((s) => s.chunks[0]!.length === crlf + 1 && s.chunks.length === 2)).toBe(true);
    expect(all.some((s) => s.chunks[0]!.length === doubled + 1 && s.chunks.length === 2)).toBe(true);
    for (const { name, chunks } of all) {
      const r = await read(chunks, { numberField: 2 });
      expect(r.header, name).toEqual(whole.header);
      expect(r.records, name).toEqual(whole.records);
      expect(r.numbers, name).toEqual(whole.numbers);
    }
    // Three pieces at random places (seeded).
    const rng = new Rng(7);
    for (let t = 0; t < 200; t++) {
      const a = 1 + rng.int(MIXED.length - 2);
      const b = a + 1 + rng.int(MIXED.length - a - 1);
      const r = await read([MIXED.subarray(0, a), MIXED.subarray(a, b), MIXED.subarray(b)], { numberField: 2 });
      expect(r.records, `cut at ${a} and ${b}`).toEqual(whole.records);
    }
  });

  it('skips the byte order mark and detects the delimiter whatever bytes the first chunk holds', async () => {
    // A stream's first chunk may be shorter than the header line (a pipe written to in pieces).
    const files = [
      Buffer.concat([BOM, Buffer.from('a,b\n1,2\n')]),
      Buffer.from('alpha\tbeta\tgamma\r\n1\t"x\ty"\t3\r\n'),
      Buffer.concat([BOM, Buffer.from('a;b;c\n1;2;3\n')]),
    ];
    const wrong: string[] = [];
    for (const file of files) {
      const whole = await read([file]);
      for (const { name, chunks } of splits(file)) {
        const r = await read(chunks);
        if (
          r.delimiter !== whole.delimiter ||
          JSON.stringify([r.header, r.records]) !== JSON.stringify([whole.header, whole.records])
        ) {
          wrong.push(
            `${JSON.stringify(file.toString('latin1').slice(0, 8))}…, ${name}: delimiter ${JSON.stringify(r.delimiter)}, header ${JSON.stringify(r.header.fields)}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('csv-records: errors name file:line', () => {
  const cases: [string, string, string][] = [
    [
      'an unclosed quote',
      'a,b\n1,2\n\n3,"open\nmore\n',
      'f.csv:4: a quoted field is not closed before the end of the file; close it with a double quote',
    ],
    [
      'text after a closing quote',
      'a,b\n"x"y,1\n',
      'f.csv:2: text follows the closing quote of a field; quote the whole field, with doubled quotes inside',
    ],
    [
      'text after a closing quote, after a quoted line break',
      'a,b\n1,2\n"p\nq"z,2\n',
      'f.csv:4: text follows the closing quote of a field; quote the whole field, with doubled quotes inside',
    ],
    [
      'a row with too many fields',
      'a,b\n1,2\n"p\nq",1\n\n1,2,3\n',
      'f.csv:6: this row has 3 fields, the header has 2; every row needs one value per column (quote values that hold the delimiter)',
    ],
    [
      'a row with too few fields',
      'a,b,c\r\n1,2,3\r\n4\r\n',
      'f.csv:3: this row has 1 field, the header has 3; every row needs one value per column (quote values that hold the delimiter)',
    ],
  ];
  for (const [what, text, message] of cases) {
    it(`${what}: ${JSON.stringify(message.slice(0, 8))}, whole or in chunks`, async () => {
      const buf = Buffer.from(text);
      expect(await readError([buf])).toBe(message);
      for (const size of [1, 2, 3, 7]) expect(await readError(pieces(buf, size)), `${size}-byte chunks`).toBe(message);
    });
  }
});

/** `CsvRecord.number` of field 0 of each text, as one CSV (a second field keeps an empty text a record). */
function numbers(texts: readonly string[]): (number | undefined)[] {
  const buf = Buffer.from(`v,x\n${texts.map((t) => `${t},x`).join('\n')}\n`);
  const tok = new CsvTokenizer('n.csv', ',');
  const out: (number | undefined)[] = [];
  let header = true;
  tok.parse(buf, 0, true, (rec) => {
    if (header) header = false;
    else out.push(rec.number(0));
  });
  expect(out).toHaveLength(texts.length);
  return out;
}

/** A random double from 64 random bits (any exponent; NaN and infinities left out). */
function randomDouble(rng: Rng): number {
  const view = new DataView(new ArrayBuffer(8));
  while (true) {
    view.setUint32(0, rng.nextUint32());
    view.setUint32(4, rng.nextUint32());
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) return x;
  }
}

/** A decimal text of `digits` significant digits, the point somewhere, maybe an exponent and a sign. */
function randomDecimal(rng: Rng, digits: number): string {
  let s = String(1 + rng.int(9));
  for (let i = 1; i < digits; i++) s += String(rng.int(10));
  const point = rng.int(digits + 1);
  let text = point === digits ? s : `${s.slice(0, point)}.${s.slice(point)}`;
  if (rng.int(3) === 0) text = `${text}e${rng.int(2) ? '-' : ''}${rng.int(40)}`;
  if (rng.int(4) === 0) text = `-${text}`;
  return text;
}

describe('csv-records: CsvRecord.number', () => {
  it('equals Number(text) bit for bit on many texts (random doubles in every printing, 15 to 25 digits, integers past 2^53, edge cases)', () => {
    const rng = new Rng(20240601);
    const texts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = randomDouble(rng);
      texts.push(String(x), x.toExponential(rng.int(21)), x.toPrecision(17), x.toPrecision(1 + rng.int(21)));
      if (Math.abs(x) < 1e21) texts.push(x.toFixed(rng.int(21)));
      // Values of everyday size, as sensors and String() print them.
      const y = (rng.next() - 0.5) * 10 ** (rng.int(21) - 10);
      texts.push(String(y), y.toFixed(rng.int(12)), y.toExponential(rng.int(17)), y.toPrecision(17));
    }
    for (const digits of [15, 16, 17, 19, 25]) for (let i = 0; i < 500; i++) texts.push(randomDecimal(rng, digits));
    for (let i = 0; i < 500; i++)
      texts.push(
        String(rng.nextUint32() * 2 ** 21 + rng.int(2 ** 21)),
        `${rng.nextUint32()}${rng.nextUint32()}${rng.int(1000)}`,
      );
    texts.push(
      ...[
        '9007199254740991',
        '9007199254740992',
        '9007199254740993',
        '9007199254740995',
        '18446744073709551616',
        '123456789012345678901234567890',
      ],
      ...[
        '007',
        '000.5',
        '0000000000000000000001.5',
        '-0001e3',
        '00000000000000000000000000000',
        '0.000000000000000000000000000001e30',
      ],
      ...[
        '+1.5',
        '.5',
        '5.',
        '-.5',
        '+.5e1',
        '1e22',
        '1e23',
        '1e-7',
        '1E5',
        '1e+5',
        '-1e-22',
        '123456789012345e22',
        '999999999999999e-22',
      ],
      ...['-0', '0', '-0.0', '0e10', '-0e-400', '  1.5 ', '\t2.5\t', ' -3 '],
      ...[
        '0.1',
        '0.2',
        '0.3',
        '1.005',
        '2.675',
        '4.35',
        '160.67349166666665',
        '2538.929166666667',
        '1.7976931348623157e308',
        '1e308',
        '1e309',
        '-1e400',
      ],
      ...[
        '5e-324',
        '2e-324',
        '1e-323',
        '2.2250738585072011e-308',
        '2.2250738585072014e-308',
        '4.9406564584124654e-324',
        '1e-400',
      ],
      ...['1e99999999999', '1e-99999999999', '1.5e0000000000000000000001'],
    );
    const got = numbers(texts);
    const wrong = texts.flatMap((t, i) =>
      Object.is(got[i], Number(t)) ? [] : [`${JSON.stringify(t)}: ${got[i]} (Number: ${Number(t)})`],
    );
    expect(wrong).toEqual([]);
    expect(Object.is(numbers(['-0'])[0], -0)).toBe(true);
  });

  it('equals Number(text) bit for bit near rounding ties: 16 to 19 digits around the midpoint of two doubles, and the midpoints themselves', () => {
    const rng = new Rng(99);
    const view = new DataView(new ArrayBuffer(8));
    const texts: string[] = [];
    for (let t = 0; t < 2000; t++) {
      const x = (1 + rng.next()) * 10 ** (rng.int(44) - 4);
      view.setFloat64(0, x);
      const bits = view.getBigUint64(0);
      const m = (1n << 52n) | (bits & ((1n << 52n) - 1n));
      const e = Number((bits >> 52n) & 0x7ffn) - 1075; // x = m · 2^e
      // The midpoint between x and the next double, (2m + 1) · 2^(e − 1), in exact decimal digits.
      const num = 2n * m + 1n;
      const e2 = e - 1;
      const digits = (e2 >= 0 ? num << BigInt(e2) : num * 5n ** BigInt(-e2)).toString();
      const p10 = e2 >= 0 ? 0 : e2;
      texts.push(`${digits}e${p10}`);
      for (const keep of [16, 17, 18, 19]) {
        if (digits.length <= keep) continue;
        const head = BigInt(digits.slice(0, keep));
        const exp10 = p10 + digits.length - keep;
        for (const d of [-1n, 0n, 1n]) {
          texts.push(`${head + d}e${exp10}`);
          const h = String(head + d);
          texts.push(`${h.slice(0, 3)}.${h.slice(3)}e${exp10 + h.length - 3}`);
        }
      }
    }
    const got = numbers(texts);
    const wrong = texts.flatMap((t, i) =>
      Object.is(got[i], Number(t)) ? [] : [`${t}: ${got[i]} (Number: ${Number(t)})`],
    );
    expect(wrong).toEqual([]);
  });

  it('is undefined for text that is not a plain decimal number, which the caller handles', () => {
    const texts = [
      'abc',
      '1.2.3',
      '0x10',
      '0b1',
      '0o7',
      'Infinity',
      '-Infinity',
      '1e',
      '1e+',
      '1e-',
      '--1',
      '+-1',
      '',
      '   ',
      'NaN',
      'na',
      '?',
      '+',
      '-',
      '.',
      'e5',
      '.e5',
      '1 2',
      '1_000',
      '1.5x',
      'x1.5',
      '1e5.5',
      '١',
    ];
    expect(numbers(texts)).toEqual(texts.map(() => undefined));
  });

  it('reads a quoted number; a quoted field with doubled quotes is left to the caller', async () => {
    const r = await read([Buffer.from('v,x\n"1.5",a\n" -2e3 ",b\n"1""",c\n')], { numberField: 0 });
    expect(r.numbers).toEqual([1.5, -2000, undefined]);
  });
});

describe('parallel: cutAfterLastRecord', () => {
  const cut = (text: string): number => cutAfterLastRecord(Buffer.from(text));
  it('is 0 without a line end', () => {
    expect(cut('')).toBe(0);
    expect(cut('a,b,c')).toBe(0);
    expect(cut('1,"x')).toBe(0);
  });

  it('cuts after the last line end', () => {
    expect(cut('a,b\n1,2\n3,')).toBe(8);
    expect(cut('a,b\n1,2\n')).toBe(8);
    expect(cut('a,b\r\n1,2\r\n3')).toBe(10);
    expect(cut('1,"a,b"\n2,"c""d"\n3')).toBe('1,"a,b"\n2,"c""d"\n'.length);
  });

  it('does not cut at a line end inside quotes', () => {
    expect(cut('1,"x\ny"\n')).toBe(8);
    expect(cut('1,"x\ny"\n2,"p\nq')).toBe(8);
    expect(cut('1,2\n3,"x\ny')).toBe(4);
    expect(cut('1,"x\ny')).toBe(0);
    expect(cut('1,"a""\n""b"\n2,"c\n')).toBe('1,"a""\n""b"\n'.length);
  });
});
