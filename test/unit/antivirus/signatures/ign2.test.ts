import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applyClamName,
  ignoreMatcher,
  parseIgnoreList,
} from '../../../../shared/antivirus/signatures/ign2.ts';

describe('ignore lists (.ign2)', () => {
  it('reads Name, Name:MD5 and the old Database:Line:Name forms', () => {
    const md5 = 'A'.repeat(32);
    const r = parseIgnoreList(`# comment\nOne\nTwo:${md5}\ndaily.ndb:12:Three\r\n`, 'x.ign2');
    expect(r.errors).toEqual([]);
    expect(r.entries.map((e) => [e.name, e.lineMd5, e.source.line])).toEqual([
      ['One', undefined, 2],
      ['Two', 'a'.repeat(32), 3],
      ['Three', undefined, 4],
    ]);
  });

  it('rejects empty names, bad MD5s and extra fields with their line', () => {
    const r = parseIgnoreList('Good\n\nName:1234\na:b:c:d\n', 'x.ign2');
    expect(r.errors).toEqual([
      { file: 'x.ign2', line: 2, reason: 'no signature name' },
      { file: 'x.ign2', line: 3, reason: 'malformed MD5 "1234"' },
      { file: 'x.ign2', line: 4, reason: 'too many fields (4); expected Name[:MD5]' },
    ]);
  });

  it('accepts an empty list', () => {
    expect(parseIgnoreList('', 'x.ign2')).toEqual({ entries: [], errors: [] });
  });

  it('matches whole names exactly, after dropping a .UNOFFICIAL suffix of the signature name', () => {
    const m = ignoreMatcher(parseIgnoreList('Eicar-X\n', 'x.ign2').entries);
    expect(m.ignores('Eicar-X', 'line')).toBe(true);
    expect(m.ignores('Eicar-X.UNOFFICIAL', 'line')).toBe(true);
    expect(m.ignores('Eicar', 'line')).toBe(false);
    expect(m.ignores('Eicar-XY', 'line')).toBe(false);
    expect(m.ignores('eicar-x', 'line')).toBe(false);
  });

  it('does not match an entry written with .UNOFFICIAL (clamscan compares the database name)', () => {
    const m = ignoreMatcher(parseIgnoreList('Eicar-X.UNOFFICIAL\n', 'x.ign2').entries);
    expect(m.ignores('Eicar-X', 'line')).toBe(false);
  });

  it('with an MD5, ignores only the signature whose database line has that MD5', () => {
    const line = 'Sig:0:*:414243';
    const md5 = createHash('md5').update(line).digest('hex');
    const m = ignoreMatcher(parseIgnoreList(`Sig:${md5}\n`, 'x.ign2').entries);
    expect(m.ignores('Sig', line)).toBe(true);
    expect(m.ignores('Sig', `${line}44`)).toBe(false);
  });

  it('names signatures from local databases as clamscan reports them', () => {
    expect(applyClamName('Win.Test.EICAR_HDB-1')).toBe('Win.Test.EICAR_HDB-1.UNOFFICIAL');
    expect(applyClamName('Old (Clam)')).toBe('Old.UNOFFICIAL');
  });
});
