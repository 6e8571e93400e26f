import { describe, expect, it } from 'vitest';
import { parseNdb } from '../../../../shared/antivirus/signatures/ndb.ts';
import { parseOffset } from '../../../../shared/antivirus/signatures/offset.ts';

describe('.ndb body signatures', () => {
  it('reads name, target, offset and pattern, and names the signature as clamscan reports it', () => {
    const r = parseNdb('Test.One:0:EOF-10,2:41424344\n', 'x.ndb');
    expect(r.errors).toEqual([]);
    expect(r.signatures[0]).toMatchObject({
      name: 'Test.One.UNOFFICIAL',
      target: 0,
      offset: { kind: 'eof', back: 10, shift: 2 },
      staticOnly: true,
      source: { file: 'x.ndb', line: 1 },
    });
  });

  it('supports targets 0 and 7 (and * as 0), reports other ClamAV targets, skips unknown ones', () => {
    const r = parseNdb(
      ['A:0:*:414243', 'B:7:*:4142', 'C:*:*:414243', 'D:1:*:414243', 'E:6:*:414243', 'F:15:*:414243'].join(
        '\n',
      ),
      'x.ndb',
    );
    expect(r.errors).toEqual([]);
    expect(r.signatures.map((s) => s.name)).toEqual(['A.UNOFFICIAL', 'B.UNOFFICIAL', 'C.UNOFFICIAL']);
    expect(r.unsupported.map((u) => u.line)).toEqual([4, 5]);
    expect(r.unsupported[0]?.reason).toContain('target type 1 (PE)');
    expect(r.skipped).toEqual([
      { file: 'x.ndb', line: 6, reason: 'F: target type 15 does not exist in ClamAV 1.4' },
    ]);
  });

  it('skips signatures outside the functionality level range and rejects non-numeric levels', () => {
    const r = parseNdb('A:0:*:414243:999\nB:0:*:414243:1:100\nC:0:*:414243:1:999\nD:0:*:414243:\n', 'x.ndb');
    expect(r.signatures.map((s) => s.name)).toEqual(['C.UNOFFICIAL', 'D.UNOFFICIAL']);
    expect(r.skipped.map((s) => s.line)).toEqual([1, 2]);
    expect(parseNdb('A:0:*:414243:x\n', 'x.ndb').errors[0]?.reason).toContain(
      'invalid minimum functionality level',
    );
  });

  it.each([
    ['A:0:*', /found 3 fields/],
    ['A:0:*:41:1:2:3', /found 7 fields/],
    ['A:-1:*:414243', /invalid target type "-1"/],
    ['A:x:*:414243', /invalid target type/],
    ['A:0:abc:414243', /invalid offset "abc"/],
    ['A:0:EP+0:414243', /not valid for target 0/],
    ['A:0:8,x:414243', /invalid offset shift/],
    ['A:0:*:4142', /at least 3 bytes/],
    [':0:*:414243', /empty signature name/],
  ])('rejects %j with the line', (line, reason) => {
    const r = parseNdb(`Ok:0:*:414243\n${line}\n`, 'db/x.ndb');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'db/x.ndb', line: 2 });
    expect(r.errors[0]?.reason).toMatch(reason);
  });

  it('reports executable-relative offsets of PE/ELF signatures as unsupported', () => {
    const r = parseNdb('A:1:EP+10:414243\nB:6:S1+0:414243\n', 'x.ndb');
    expect(r.errors).toEqual([]);
    expect(r.unsupported.map((u) => u.reason)).toEqual([
      'A: entry-point relative offset "EP+10" needs executable parsing, which this engine does not do',
      'B: section relative offset "S1+0" needs executable parsing, which this engine does not do',
    ]);
  });

  it('reports unsupported pattern constructs with the line', () => {
    const r = parseNdb('A:0:*:41424344[1-2]45\n', 'x.ndb');
    expect(r.unsupported).toEqual([
      { file: 'x.ndb', line: 1, reason: 'A: [x-y] byte ranges are not supported by this engine' },
    ]);
  });
});

describe('offsets', () => {
  it.each([
    ['*', { kind: 'any' }],
    ['8', { kind: 'absolute', offset: 8, shift: 0 }],
    ['08', { kind: 'absolute', offset: 8, shift: 0 }],
    ['7,1', { kind: 'absolute', offset: 7, shift: 1 }],
    ['8,', { kind: 'absolute', offset: 8, shift: 0 }],
    [',8', { kind: 'absolute', offset: 0, shift: 8 }],
    ['EOF-28', { kind: 'eof', back: 28, shift: 0 }],
    ['EOF-29,1', { kind: 'eof', back: 29, shift: 1 }],
    ['EOF-0', { kind: 'eof', back: 0, shift: 0 }],
  ])('reads %s as clamscan does', (text, offset) => {
    expect(parseOffset(text, 0)).toEqual({ ok: true, offset });
  });

  it.each(['*,5', '-1', '+8', '0x8', ' 8', 'EOF', 'EOF+1', 'EOF--28', '1,2,3', '8,1,', 'VI', 'SL+0', '$1$'])(
    'rejects %j for target 0',
    (text) => {
      expect(parseOffset(text, 0)).toMatchObject({ ok: false, unsupported: false });
    },
  );
});
