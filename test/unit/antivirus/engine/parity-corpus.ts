/**
 * A generated corpus for clamscan parity: a signature database (`.hdb`, `.hsb`, `.ndb`, `.ign2`, plus an
 * unsupported `.ldb` and a PUA `.hdu` that clamscan does not load by default) and files with planted
 * signatures of every construct, near misses (one byte off, or the offset violated), text variants that
 * only match after normalisation, and EICAR variants. Each file records the detection we intend; the
 * system test checks clamscan reports exactly what the engine reports.
 *
 * Files are built so that no two signatures meet at the same place (where clamscan's choice depends on
 * its memory layout), text files hold plain words only (no HTML or mail markers, which clamscan parses),
 * and binary files start with 00 01 00 02 (typed binary) or are random (often typed UTF-16 by clamscan).
 */
import { createHash } from 'node:crypto';
import { concat, eicar, latin1, seeded } from './helpers.ts';

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  /** The signature we planted to be reported, or 'OK'. */
  expect: string;
}

export interface Corpus {
  database: Record<string, string>;
  files: CorpusFile[];
}

const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike oscar papa quebec romeo sierra tango uniform victor whiskey yankee zulu'.split(
    ' ',
  );

const hex = (s: string | Uint8Array) => Buffer.from(typeof s === 'string' ? latin1(s) : s).toString('hex');
const U = (name: string) => `${name}.UNOFFICIAL`;

/** Builds the corpus; the seed varies the filler and the positions, not the cases. */
export function buildCorpus(seed = 1): Corpus {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const int = (n: number) => Math.floor(random() * n);

  const textFill = (n: number) => {
    let s = '';
    while (s.length < n) s += `${pick(WORDS)}${pick([' ', ' ', '  ', '\n', ', '])}`;
    return latin1(s.slice(0, n));
  };
  const binFill = (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  const binFile = (...parts: Uint8Array[]) => concat(latin1('\x00\x01\x00\x02'), ...parts);

  const ndb: string[] = [];
  const files: CorpusFile[] = [];
  let fileNo = 0;
  const add = (bytes: Uint8Array, expect: string) => {
    files.push({ name: `f${String(fileNo++).padStart(3, '0')}`, bytes, expect });
  };
  /** A signature with hits and near misses, each planted in a binary and in a text file. */
  const body = (name: string, line: string, hits: string[], misses: string[]) => {
    ndb.push(`${name}:${line}`);
    for (const content of [...hits, ...misses]) {
      const planted = latin1(content);
      add(
        binFile(binFill(20 + int(200)), planted, binFill(int(200))),
        hits.includes(content) ? U(name) : 'OK',
      );
      // In text, a near miss by letter case is a hit: clamscan also scans the lower-cased text.
      const textHit = hits.includes(content) || hits.includes(content.toLowerCase());
      add(
        concat(textFill(20 + int(300)), latin1(' '), planted, latin1(' '), textFill(int(300))),
        textHit ? U(name) : 'OK',
      );
    }
  };

  // Plain bytes (Boyer-Moore class), wildcards, nibbles.
  body(
    'Par.Plain',
    `0:*:${hex('plain-static-sig')}`,
    ['plain-static-sig'],
    ['plain-static-sih', 'plain-Static-sig'],
  );
  body(
    'Par.Wild',
    `0:*:${hex('wild-')}????${hex('-card')}`,
    ['wild-xy-card', 'wild-..-card'],
    ['wild-x-card', 'wild-xyz-card'],
  );
  body(
    'Par.NibbleHigh',
    `0:*:${hex('nib-hi-')}6?${hex('-end')}`,
    ['nib-hi-a-end', 'nib-hi-o-end'],
    ['nib-hi-q-end'],
  );
  body(
    'Par.NibbleLow',
    `0:*:${hex('nib-lo-')}?1${hex('-end')}`,
    ['nib-lo-a-end', 'nib-lo-q-end'],
    ['nib-lo-b-end'],
  );
  // Alternatives and negations.
  body(
    'Par.AltByte',
    `0:*:${hex('alt-byte-')}(78|79)${hex('-end')}`,
    ['alt-byte-x-end', 'alt-byte-y-end'],
    ['alt-byte-z-end'],
  );
  body(
    'Par.AltMulti',
    `0:*:${hex('alt-multi-')}(6162|6364)${hex('-end')}`,
    ['alt-multi-ab-end', 'alt-multi-cd-end'],
    ['alt-multi-ad-end'],
  );
  body(
    'Par.AltUneven',
    `0:*:${hex('alt-uneven-')}(61|626262)${hex('-end')}`,
    ['alt-uneven-a-end', 'alt-uneven-bbb-end'],
    ['alt-uneven-bb-end'],
  );
  body(
    'Par.Negate',
    `0:*:${hex('neg-byte-')}!(78|79)${hex('-end')}`,
    ['neg-byte-a-end'],
    ['neg-byte-x-end', 'neg-byte-y-end'],
  );
  body(
    'Par.NegateMulti',
    `0:*:${hex('neg-multi-')}!(6162|6364)${hex('-end')}`,
    ['neg-multi-ac-end'],
    ['neg-multi-ab-end'],
  );
  // Gaps.
  body('Par.GapFixed', `0:*:${hex('gap-fixed')}{3}${hex('-end')}`, ['gap-fixed...-end'], ['gap-fixed..-end']);
  body(
    'Par.GapRange',
    `0:*:${hex('gap-range')}{2-4}${hex('-end')}`,
    ['gap-range..-end', 'gap-range....-end'],
    ['gap-range.-end', 'gap-range.....-end'],
  );
  body(
    'Par.GapMax',
    `0:*:${hex('gap-max')}{-2}${hex('-end')}`,
    ['gap-max-end', 'gap-max..-end'],
    ['gap-max...-end'],
  );
  body(
    'Par.GapMin',
    `0:*:${hex('gap-min')}{3-}${hex('-end')}`,
    ['gap-min...-end', 'gap-min.......-end'],
    ['gap-min..-end'],
  );
  body(
    'Par.GapStar',
    `0:*:${hex('star-begin')}*${hex('star-end')}`,
    ['star-begin star-end', 'star-beginstar-end'],
    ['star-end star-begin'],
  );
  body(
    'Par.GapLong',
    `0:*:${hex('long-gap')}{130}${hex('-end')}`,
    [`long-gap${'.'.repeat(130)}-end`],
    [`long-gap${'.'.repeat(129)}-end`],
  );
  body(
    'Par.ThreeParts',
    `0:*:${hex('one')}*${hex('two')}{1-3}${hex('three')}`,
    ['one...two..three'],
    ['one...two....three'],
  );

  // Offsets (binary files with the planted bytes at a known place).
  const offsetSig = (name: string, offset: string, at: number, after: number, found: boolean) => {
    const planted = latin1(`off-${name.toLowerCase()}`);
    const bytes = binFile(binFill(at - 4), planted, binFill(after));
    if (!ndb.some((l) => l.startsWith(`Par.Off${name}:`)))
      ndb.push(`Par.Off${name}:0:${offset}:${hex(planted)}`);
    add(bytes, found ? U(`Par.Off${name}`) : 'OK');
  };
  offsetSig('Abs', '40', 40, 30, true);
  offsetSig('Abs', '40', 41, 30, false);
  offsetSig('Float', '40,5', 45, 30, true);
  offsetSig('Float', '40,5', 46, 30, false);
  offsetSig('Eof', 'EOF-20', 60, 20 - 'off-eof'.length, true);
  offsetSig('Eof', 'EOF-20', 61, 19 - 'off-eof'.length, false);
  offsetSig('EofFloat', 'EOF-30,4', 70, 26 - 'off-eoffloat'.length, true);
  offsetSig('EofFloat', 'EOF-30,4', 70, 31 - 'off-eoffloat'.length, false);
  ndb.push(`Par.OffParts:0:8:${hex('first-part')}*${hex('second-part')}`);
  add(binFile(latin1('....first-part....second-part'), binFill(40)), U('Par.OffParts'));
  add(binFile(latin1('.....first-part....second-part'), binFill(40)), 'OK');

  // Text: normalised matching (target 7, and target 0 on normalised text).
  ndb.push(`Par.Text7:7:*:${hex('quick brown fox')}`);
  add(concat(textFill(50), latin1(' The QUICK   Brown\tFOX '), textFill(50)), U('Par.Text7'));
  add(binFile(latin1('quick brown fox'), binFill(50)), 'OK');
  ndb.push(`Par.Text0:0:*:${hex('lazy dog sleeps')}`);
  add(concat(textFill(50), latin1(' LAZY\n\nDog SLEEPS '), textFill(50)), U('Par.Text0'));
  add(binFile(latin1('LAZY dog sleeps'), binFill(50)), 'OK');

  // Hash signatures.
  const hashed = binFile(binFill(500));
  const md5 = createHash('md5').update(hashed).digest('hex');
  const sha1 = createHash('sha1').update(hashed).digest('hex');
  const hashed2 = binFile(binFill(300));
  const sha256b = createHash('sha256').update(hashed2).digest('hex');
  const textHashed = concat(textFill(200), latin1('\n'));
  const textMd5 = createHash('md5').update(textHashed).digest('hex');
  add(hashed, U('Par.HashMd5'));
  add(hashed2, U('Par.HashSha256Any'));
  add(textHashed, U('Par.HashText'));
  add(concat(hashed, latin1('\x00')), 'OK');

  // EICAR: our own signatures (a hash and a body signature).
  const e = eicar();
  add(e, U('Par.EICAR-Body'));
  add(concat(e, latin1('\n')), U('Par.EICAR-Body'));
  add(concat(e, latin1('   \r\n')), U('Par.EICAR-Body'));
  add(concat(latin1('\x00\x01\x00\x02prefix'), e), U('Par.EICAR-Body'));
  const broken = e.slice();
  broken[30] = 0x2e;
  add(broken, 'OK');
  add(latin1(Buffer.from(e).toString('latin1').toLowerCase()), 'OK');
  ndb.push(
    `Par.EICAR-Body:0:*:${hex('X5O!P%@AP[4\\PZX54(P^)7CC)7}$')}{0-4}${hex('EICAR-STANDARD-ANTIVIRUS-TEST-FILE!')}`,
  );

  // Ignore lists, functionality levels, unsupported targets.
  ndb.push(`Par.IgnoredByName:0:*:${hex('ignored-by-name')}`);
  add(binFile(binFill(40), latin1('ignored-by-name'), binFill(40)), 'OK');
  const pinnedLine = `Par.IgnoredByLine:0:*:${hex('ignored-by-line')}`;
  ndb.push(pinnedLine);
  add(binFile(binFill(40), latin1('ignored-by-line'), binFill(40)), 'OK');
  ndb.push(`Par.NotIgnored:0:*:${hex('wrong-line-md5')}`);
  add(binFile(binFill(40), latin1('wrong-line-md5'), binFill(40)), U('Par.NotIgnored'));
  ndb.push(`Par.FutureLevel:0:*:${hex('future-level')}:999`);
  add(binFile(binFill(40), latin1('future-level'), binFill(40)), 'OK');
  ndb.push(`Par.PeOnly:1:*:${hex('pe-only-sig')}`);
  add(binFile(binFill(40), latin1('pe-only-sig'), binFill(40)), 'OK');

  // Several signatures in one file, at different places: clamscan's order decides.
  add(
    binFile(binFill(30), latin1('wild-ab-card'), binFill(30), latin1('plain-static-sig'), binFill(30)),
    U('Par.Plain'),
  );
  add(
    binFile(binFill(30), latin1('gap-range...-end'), binFill(30), latin1('alt-byte-x-end'), binFill(30)),
    U('Par.GapRange'),
  );
  add(binFile(binFill(30), latin1('alt-multi-ab-end'), binFill(300), textHashed), U('Par.AltMulti'));
  add(
    concat(textFill(40), latin1(' QUICK BROWN FOX '), textFill(20), latin1(' wild-zz-card ')),
    U('Par.Wild'),
  );

  // Large files: clamscan scans in 128 KiB buffers (overlapping by its longest pattern) and, within a
  // buffer, reports static signatures before wildcard ones; text is normalised whatever its size.
  const large = (wildAt: number, plainAt: number) => {
    const b = binFile(binFill(400_000));
    b.set(latin1('wild-xy-card'), wildAt);
    b.set(latin1('plain-static-sig'), plainAt);
    return b;
  };
  add(large(1000, 131_000), U('Par.Plain'));
  add(large(140_000, 200_000), U('Par.Plain'));
  add(large(131_065, 250_000), U('Par.Plain'));
  add(large(131_000, 250_000), U('Par.Wild'));
  add(large(262_000, 300_000), U('Par.Wild'));
  add(concat(textFill(3_000_000), latin1(' The QUICK brown FOX '), textFill(3_000_000)), U('Par.Text7'));

  // Clean filler.
  for (let i = 0; i < 6; i++) add(binFile(binFill(100 + int(2000))), 'OK');
  for (let i = 0; i < 6; i++) add(textFill(100 + int(2000)), 'OK');
  for (let i = 0; i < 6; i++) {
    const r = binFill(100 + int(2000));
    if (r[0] === 0x4d) r[0] = 0x4e;
    add(r, 'OK');
  }

  const database: Record<string, string> = {
    'parity.ndb': `${ndb.join('\n')}\n`,
    'parity.hdb': `${md5}:${hashed.length}:Par.HashMd5\n${md5}:${hashed.length + 1}:Par.HashWrongSize\n${textMd5}:${textHashed.length}:Par.HashText\n`,
    'parity.hsb': `${sha1}:${hashed.length}:Par.HashSha1\n${sha256b}:*:Par.HashSha256Any:73\n`,
    'parity.ign2': `Par.IgnoredByName\nPar.IgnoredByLine:${createHash('md5').update(pinnedLine).digest('hex')}\nPar.NotIgnored:${'0'.repeat(32)}\n`,
    'unsupported.ldb': `Par.Logical;Engine:51-255,Target:0;0;${hex('plain-static-sig')}\n`,
    'pua.hdu': `${md5}:${hashed.length}:Par.Pua\n`,
  };
  return { database, files };
}
