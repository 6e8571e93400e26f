import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseHashDatabase } from '../../../../shared/antivirus/signatures/hash-db.ts';
import { ignoreMatcher, parseIgnoreList } from '../../../../shared/antivirus/signatures/ign2.ts';

const MD5 = '44d88612fea8a8f36de82e1278abb02f';
const SHA1 = '3395856ce81f2b7382dee72602f798b642f14140';
const SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';

describe('hash databases (.hdb/.hsb)', () => {
  it('reads the hash type from the hash length, in either file kind', () => {
    const r = parseHashDatabase(`${MD5}:68:A\n${SHA1}:68:B\n${SHA256.toUpperCase()}:68:C\n`, 'x.hsb');
    expect(r.errors).toEqual([]);
    expect(r.signatures.map((s) => [s.type, s.hash, s.size, s.name])).toEqual([
      ['md5', MD5, 68, 'A.UNOFFICIAL'],
      ['sha1', SHA1, 68, 'B.UNOFFICIAL'],
      ['sha256', SHA256, 68, 'C.UNOFFICIAL'],
    ]);
    expect(r.signatures[0]?.source).toEqual({ file: 'x.hsb', line: 1 });
  });

  it('accepts a wildcard size only with a minimum functionality level of 73 or more', () => {
    expect(parseHashDatabase(`${SHA256}:*:Any:73\n`, 'x.hsb').signatures[0]?.size).toBeUndefined();
    const missing = parseHashDatabase(`# comment\n${SHA256}:*:Any\n`, 'x.hsb');
    expect(missing.errors).toEqual([
      {
        file: 'x.hsb',
        line: 2,
        reason: 'a wildcard (*) size needs a minimum functionality level of at least 73',
      },
    ]);
    expect(parseHashDatabase(`${SHA256}:*:Any:72\n`, 'x.hsb').errors).toHaveLength(1);
  });

  it('skips lines whose functionality levels exclude ClamAV 1.4 before checking them further', () => {
    const r = parseHashDatabase(
      `${MD5}:68:New:999\n${MD5}:68:Old:1:100\nnot-a-hash:0:Skipped:9999\n`,
      'x.hdb',
    );
    expect(r.signatures).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.skipped.map((s) => s.line)).toEqual([1, 2, 3]);
  });

  it('reads level fields like atoi: a non-number is level 0', () => {
    expect(parseHashDatabase(`${MD5}:68:X:abc\n`, 'x.hdb').signatures).toHaveLength(1);
  });

  it.each([
    [`${MD5}:68`, /expected Hash:Size:Name/],
    [`${MD5}:68:X:1:300:7`, /too many fields/],
    [`${MD5}:0:X`, /invalid size "0"/],
    [`${MD5}:-68:X`, /invalid size/],
    [`${MD5}:68k:X`, /invalid size/],
    [`${MD5}:68:`, /empty signature name/],
    [`${MD5}0:68:X`, /malformed hash/],
    [`${MD5.slice(0, 31)}g:68:X`, /malformed hash/],
    ['', /expected Hash:Size:Name, found 1 field/],
  ])('rejects %j with the line and the reason', (line, reason) => {
    const r = parseHashDatabase(`${MD5}:68:Good\n${line}\n`, 'db/x.hdb');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'db/x.hdb', line: 2 });
    expect(r.errors[0]?.reason).toMatch(reason);
  });

  it('accepts a leading plus on the size, as strtoul does, and strips CR line ends', () => {
    const r = parseHashDatabase(`${MD5}:+68:Crlf\r\n`, 'x.hdb');
    expect(r.signatures[0]).toMatchObject({ size: 68, name: 'Crlf.UNOFFICIAL' });
  });

  it('calls an empty file malformed but a comment-only file fine', () => {
    expect(parseHashDatabase('', 'x.hdb').errors).toEqual([{ file: 'x.hdb', reason: 'empty database file' }]);
    expect(parseHashDatabase('# nothing\n', 'x.hdb').errors).toEqual([]);
  });

  it('leaves out names on the ignore list, by name or by the MD5 of the whole line', () => {
    const pinned = `${MD5}:68:Pinned`;
    const md5 = (t: string) => createHash('md5').update(t).digest('hex');
    const ign = parseIgnoreList(`Plain\nPinned:${md5(pinned)}\nOther:${md5('something else')}\n`, 'x.ign2');
    const r = parseHashDatabase(
      `${MD5}:68:Plain\n${pinned}\n${MD5}:68:Other\n${MD5}:68:Kept\n`,
      'x.hdb',
      ignoreMatcher(ign.entries),
    );
    expect(r.signatures.map((s) => s.name)).toEqual(['Other.UNOFFICIAL', 'Kept.UNOFFICIAL']);
    expect(r.skipped.map((s) => s.line)).toEqual([1, 2]);
  });
});
