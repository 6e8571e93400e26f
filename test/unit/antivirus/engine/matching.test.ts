/**
 * Body and hash matching, construct by construct, each with a hit and a near miss (one byte off, or the
 * offset violated). Files start with 00 01 00 02 so they are typed binary (no text normalisation) unless
 * a test is about text.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompiledDatabase } from '../../../../shared/antivirus/engine/scan.ts';
import { dbFrom, hexOf, latin1 } from './helpers.ts';

const BIN = '\x00\x01\x00\x02';

function names(ndb: string, content: string, extra: Record<string, string> = {}): string[] {
  const db = dbFrom({ 'test.ndb': ndb, ...extra });
  expect(db.report.errors).toEqual([]);
  return new CompiledDatabase(db).scanBuffer(latin1(content)).map((d) => d.signature);
}

const hit = (ndb: string, content: string) => expect(names(ndb, content)).toEqual(['T.UNOFFICIAL']);
const miss = (ndb: string, content: string) => expect(names(ndb, content)).toEqual([]);

describe('body signature constructs', () => {
  it.each([
    ['plain bytes', '68656c6c6f', `${BIN}xxhelloxx`, `${BIN}xxhellpxx`],
    ['?? any byte', '6865??6c6f', `${BIN}heZlo`, `${BIN}heZZo`],
    ['a? high nibble', '68656c6?6f', `${BIN}hel\x6ao`, `${BIN}hel\x7co`],
    ['?a low nibble', '68656c?c6f', `${BIN}hel\x1co`, `${BIN}hel\x1do`],
    ['(aa|bb) alternatives', '68656c(6c|4c)6f', `${BIN}helLo`, `${BIN}helMo`],
    ['multi-byte alternatives', '6865(6c6c|4c4c)6f21', `${BIN}heLLo!`, `${BIN}heLlo!`],
    ['uneven alternatives', '6865(6c6c|4c)6f21', `${BIN}heLo!`, `${BIN}heLLo!`],
    ['!(aa|bb) negation', '68656c!(6c|4c)6f', `${BIN}helxo`, `${BIN}helLo`],
    ['multi-byte negation', '6865!(6c6c|4c4c)6f21', `${BIN}heLlo!`, `${BIN}heLLo!`],
    ['{n} fixed gap', '68656c{2}6f21', `${BIN}helxxo!`, `${BIN}helxo!`],
    ['* gap', '68656c*6f2121', `${BIN}hel and much later o!!`, `${BIN}o!! comes before hel`],
    ['{n-m} gap, shortest', '68656c6c{2-4}6f2121', `${BIN}hellxxo!!`, `${BIN}hellxo!!`],
    ['{n-m} gap, longest', '68656c6c{2-4}6f2121', `${BIN}hellxxxxo!!`, `${BIN}hellxxxxxo!!`],
    ['{-m} gap', '68656c6c{-2}6f2121', `${BIN}hello!!`, `${BIN}hellxxxo!!`],
    ['{n-} gap', '68656c6c{3-}6f2121', `${BIN}hellxxx and more o!!`, `${BIN}hellxxo!!`],
    [
      '{n} of 128+ (a split gap)',
      '68656c6c{130}6f2121',
      `${BIN}hell${'x'.repeat(130)}o!!`,
      `${BIN}hell${'x'.repeat(129)}o!!`,
    ],
    ['three parts', '6162*6364{1-2}6566', `${BIN}ab..cd.ef`, `${BIN}ab..cd...ef`],
  ])('%s', (_name, hex, good, bad) => {
    hit(`T:0:*:${hex}`, good);
    miss(`T:0:*:${hex}`, bad);
  });

  it('chains parts from any earlier occurrence within the gap', () => {
    // The first "hell" is too far from "o!!", the second is close enough.
    hit('T:0:*:68656c6c{-3}6f2121', `${BIN}hell.......hell..o!!`);
  });
});

describe('offsets', () => {
  const content = `${BIN}AAAAhello-world`; // "hello" at 8, file size 19
  it.each([
    ['8', true],
    ['7', false],
    ['7,1', true],
    ['6,1', false],
    ['0,8', true],
    ['EOF-11', true],
    ['EOF-12', false],
    ['EOF-12,1', true],
    ['EOF-13,1', false],
    ['*', true],
  ])('offset %s → %s', (offset, found) => {
    (found ? hit : miss)(`T:0:${offset}:68656c6c6f`, content);
  });

  it('applies the offset to the first part of a multi-part signature', () => {
    hit('T:0:8:68656c6c6f*776f726c64', content);
    miss('T:0:7:68656c6c6f*776f726c64', content);
  });

  it('counts a leading wildcard as part of the signature for the offset', () => {
    hit('T:0:7:??68656c6c6f', content);
    miss('T:0:8:??68656c6c6f', content);
  });

  it('never matches EOF-n beyond the start of the file', () => {
    miss('T:0:EOF-99:68656c6c6f', content);
  });
});

describe('hash signatures', () => {
  const data = latin1(`${BIN}some file content`);
  const digest = (type: string) => createHash(type).update(data).digest('hex');

  it('matches MD5, SHA1 and SHA256 with the size, or any size', () => {
    const db = dbFrom({
      'a.hdb': `${digest('md5')}:${data.length}:Md5\n${digest('md5')}:${data.length + 1}:WrongSize\n`,
      'a.hsb': `${digest('sha1')}:${data.length}:Sha1\n${digest('sha256')}:*:Sha256Any:73\n`,
    });
    const found = new CompiledDatabase(db).scanBuffer(data);
    expect(found).toEqual([
      { signature: 'Md5.UNOFFICIAL', kind: 'hash' },
      { signature: 'Sha1.UNOFFICIAL', kind: 'hash' },
      { signature: 'Sha256Any.UNOFFICIAL', kind: 'hash' },
    ]);
  });

  it('reports the later of two identical hash entries first, as clamscan does', () => {
    const db = dbFrom({
      'a.hdb': `${digest('md5')}:${data.length}:First\n${digest('md5')}:${data.length}:Second\n`,
    });
    expect(new CompiledDatabase(db).scanBuffer(data)[0]?.signature).toBe('Second.UNOFFICIAL');
  });

  it('never matches an empty file (clamscan does not scan them)', () => {
    const empty = createHash('md5').update('').digest('hex');
    const db = dbFrom({ 'a.hdb': `${empty}:*:Empty:73\n` });
    expect(new CompiledDatabase(db).scanBuffer(new Uint8Array(0))).toEqual([]);
  });
});

describe('which detection comes first (what clamscan reports)', () => {
  it('reports a fully static signature before a wildcard one, even when it matches later', () => {
    const found = names(
      `Late:0:*:${hexOf('abcdef')}\nEarly:0:*:${hexOf('hello')}??${hexOf('world')}\n`,
      `${BIN}hello-world-XYZ-abcdef`,
    );
    expect(found).toEqual(['Late.UNOFFICIAL', 'Early.UNOFFICIAL']);
  });

  it('orders wildcard signatures by where the scan reaches them', () => {
    const ndb = `Second:0:*:${hexOf('XYZ')}??${hexOf('abc')}\nFirst:0:*:${hexOf('hello')}??${hexOf('world')}\n`;
    expect(names(ndb, `${BIN}hello-world-XYZ-abcdef`)).toEqual(['First.UNOFFICIAL', 'Second.UNOFFICIAL']);
  });

  it('reports body matches before hash matches', () => {
    const content = `${BIN}hello`;
    const md5 = createHash('md5').update(latin1(content)).digest('hex');
    expect(names(`Body:0:*:${hexOf('hello')}`, content, { 'a.hdb': `${md5}:9:Hash\n` })).toEqual([
      'Body.UNOFFICIAL',
      'Hash.UNOFFICIAL',
    ]);
  });
});

describe('text files (normalised as ClamAV does)', () => {
  it('also matches target-0 signatures against lower-cased, space-squeezed text', () => {
    hit(`T:0:*:${hexOf('hello world')}`, 'Say HELLO   World\n');
    miss(`T:0:*:${hexOf('hello world')}`, `${BIN}Say HELLO   World\n`);
  });

  it('matches target-7 signatures only against normalised text', () => {
    hit(`T:7:*:${hexOf('hello world')}`, 'Say HELLO\tWorld\n');
    miss(`T:7:*:${hexOf('HELLO')}`, 'Say HELLO\tWorld\n');
    miss(`T:7:*:${hexOf('hello')}`, `${BIN}hello`);
  });

  it('counts offsets in the normalised text', () => {
    hit(`T:7:8:${hexOf('ghi')}`, 'abc   def GHI jkl\n');
    miss(`T:7:10:${hexOf('ghi')}`, 'abc   def GHI jkl\n');
  });

  it('ignores EOF-n target-0 signatures on normalised text unless a target-7 one is relative', () => {
    miss(`T:0:EOF-8:${hexOf('ghi')}`, 'abc   def GHI jkl\n');
    expect(names(`T:0:EOF-8:${hexOf('ghi')}\nR:7:EOF-1:${hexOf('zzzz')}`, 'abc   def GHI jkl\n')).toEqual([
      'T.UNOFFICIAL',
    ]);
  });

  it('puts target-7 matches before target-0 ones, and both after hashes', () => {
    const content = 'ABC   DEF GHI jkl\n';
    const md5 = createHash('md5').update(content).digest('hex');
    const ndb = `Seven:7:*:${hexOf('def')}\nZero:0:*:${hexOf('abc')}??\n`;
    expect(names(ndb, content, { 'a.hdb': `${md5}:${content.length}:Hash\n` })).toEqual([
      'Hash.UNOFFICIAL',
      'Seven.UNOFFICIAL',
      'Zero.UNOFFICIAL',
    ]);
  });

  it('treats random-looking data with no 00-control pair as UTF-16 text, like clamscan', () => {
    hit(`T:7:*:${hexOf('helloworld')}`, 'Hello\x00World\x01bin');
  });
});

describe('ignore lists', () => {
  it('keep an ignored signature out of the engine', () => {
    expect(names(`T:0:*:${hexOf('hello')}`, `${BIN}hello`, { 'x.ign2': 'T\n' })).toEqual([]);
  });
});
