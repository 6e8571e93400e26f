/**
 * Hex signature parsing. The accept/reject tables were checked one by one against clamscan 1.4.6
 * (`clamscan -d` on a one-line .ndb); the system test re-checks them against the installed clamscan.
 */
import { describe, expect, it } from 'vitest';
import { parseHexSignature } from '../../../../shared/antivirus/signatures/hex-pattern.ts';
import { ACCEPTED_BY_CLAMSCAN, REJECTED_BY_CLAMSCAN } from './hex-tables.ts';

describe('hex signatures', () => {
  it.each(ACCEPTED_BY_CLAMSCAN)('accepts %s', (hex) => {
    expect(parseHexSignature(hex, 0, '*')).toMatchObject({ ok: true });
  });

  it.each(REJECTED_BY_CLAMSCAN)('rejects %s', (hex) => {
    expect(parseHexSignature(hex, 0, '*')).toMatchObject({ ok: false, unsupported: false });
  });

  it('parses bytes, nibbles and wildcards into masked elements', () => {
    const r = parseHexSignature('4a4b?b??c?', 0, '*');
    expect(r.ok && r.parts[0]?.elements).toEqual([
      { kind: 'byte', value: 0x4a, mask: 0xff },
      { kind: 'byte', value: 0x4b, mask: 0xff },
      { kind: 'byte', value: 0x0b, mask: 0x0f },
      { kind: 'byte', value: 0, mask: 0 },
      { kind: 'byte', value: 0xc0, mask: 0xf0 },
    ]);
  });

  it('expands {n} below 128 into wildcards while it is the first brace', () => {
    const r = parseHexSignature('4142{2}4344{200}4546{3}4748', 0, '*');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parts.map((p) => p.elements.length)).toEqual([6, 2, 2]);
    expect(r.gaps).toEqual([
      { min: 200, max: 200 },
      { min: 3, max: 3 },
    ]);
  });

  it('reads every gap form; * and {0} are unbounded', () => {
    const r = parseHexSignature('4142*4344{-5}4546{3-}4748{2-7}494a{0}4b4c', 0, '*');
    expect(r.ok && r.gaps).toEqual([
      { min: 0, max: undefined },
      { min: 0, max: 5 },
      { min: 3, max: undefined },
      { min: 2, max: 7 },
      { min: 0, max: undefined },
    ]);
  });

  it('keeps alternatives with uneven options and records the length range', () => {
    const r = parseHexSignature('4142(43|4445)46', 0, '*');
    expect(r.ok && [r.parts[0]?.minLength, r.parts[0]?.maxLength]).toEqual([4, 5]);
  });

  it('gives fully static target-0 signatures the Boyer-Moore rule: 3 bytes', () => {
    expect(parseHexSignature('414243', 0, '*')).toMatchObject({ ok: true, staticOnly: true });
    expect(parseHexSignature('4142', 0, '*')).toMatchObject({ ok: false });
    expect(parseHexSignature('4142', 7, '*')).toMatchObject({ ok: true, staticOnly: false });
    expect(parseHexSignature('4142??', 0, '*')).toMatchObject({ ok: true, staticOnly: false });
  });

  it.each([
    ['41424344[1-2]45', '[x-y] byte ranges'],
    ['4142(B)4344', 'boundary class (B)'],
    ['41424344(W)', 'boundary class (W)'],
  ])('reports %s as unsupported, not malformed', (hex, reason) => {
    const r = parseHexSignature(hex, 0, '*');
    expect(r).toMatchObject({ ok: false, unsupported: true });
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('reports a malformed part before an unsupported construct in another part', () => {
    expect(parseHexSignature('(B)41424344{130}(41|42)', 0, '*')).toMatchObject({
      ok: false,
      unsupported: false,
    });
  });
});
