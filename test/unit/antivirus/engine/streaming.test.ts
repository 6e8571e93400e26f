/**
 * The streaming API must give the same answer however a file is cut into chunks: every split point for
 * a few signatures of each construct, one-byte chunks, and random files checked against the whole-buffer
 * matcher.
 */
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../../../shared/antivirus/engine/program.ts';
import { CompiledDatabase } from '../../../../shared/antivirus/engine/scan.ts';
import { StreamPass } from '../../../../shared/antivirus/engine/stream-pass.ts';
import { matchWhole } from '../../../../shared/antivirus/engine/whole-match.ts';
import { binary, concat, dbFrom, eicar, hexOf, latin1, seeded } from './helpers.ts';

const NDB = [
  `Plain:0:*:${hexOf('hello')}`,
  `Wild:0:*:${hexOf('wor')}??${hexOf('d!')}`,
  `Alt:0:*:${hexOf('tra')}(696c|61696c)${hexOf('er')}`,
  `Gap:0:*:${hexOf('begin')}{3-20}${hexOf('end')}`,
  `Star:0:*:${hexOf('first')}*${hexOf('last')}`,
  `Abs:0:4:${hexOf('AAAA')}`,
  `Eof:0:EOF-6:${hexOf('tail!')}`,
  `EofFloat:0:EOF-40,30:${hexOf('zz')}??${hexOf('zz')}`,
].join('\n');

function scanChunks(db: CompiledDatabase, data: Uint8Array, cuts: number[]): string[] {
  const scan = db.createScan();
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    scan.update(data.subarray(at, cut));
    at = cut;
  }
  return scan.finish().map((d) => d.signature);
}

describe('streaming', () => {
  const db = new CompiledDatabase(dbFrom({ 'x.ndb': NDB }));
  const file = concat(
    binary(4, seeded(1)),
    latin1('AAAA hello wor!d! trailer begin...end first..last zz.zz tail!\n'),
  );

  it('finds the same signatures at every single split point', () => {
    const whole = db.scanBuffer(file).map((d) => d.signature);
    expect(whole.sort()).toEqual(
      ['Abs', 'Alt', 'Eof', 'EofFloat', 'Gap', 'Plain', 'Star', 'Wild'].map((n) => `${n}.UNOFFICIAL`),
    );
    for (let cut = 1; cut < file.length; cut++) {
      expect(scanChunks(db, file, [cut]).sort(), `split at ${cut}`).toEqual(whole);
    }
  });

  it('finds them with two split points anywhere in the signatures', () => {
    const whole = db
      .scanBuffer(file)
      .map((d) => d.signature)
      .sort();
    for (let a = 5; a < file.length; a += 3) {
      for (let b = a + 1; b < file.length; b += 7) expect(scanChunks(db, file, [a, b]).sort()).toEqual(whole);
    }
  });

  it('finds them in one-byte chunks, without a size known up front', () => {
    const cuts = Array.from({ length: file.length - 1 }, (_, i) => i + 1);
    expect(scanChunks(db, file, cuts).sort()).toEqual(
      db
        .scanBuffer(file)
        .map((d) => d.signature)
        .sort(),
    );
  });

  it('finds EICAR across every split of the text file', () => {
    const edb = new CompiledDatabase(
      dbFrom({ 'e.ndb': `E:0:*:${hexOf('X5O!P%@AP')}{2-40}${hexOf('STANDARD-ANTIVIRUS')}` }),
    );
    const e = eicar();
    for (let cut = 1; cut < e.length; cut++) expect(scanChunks(edb, e, [cut])).toEqual(['E.UNOFFICIAL']);
  });
});

describe('streaming agrees with the whole-buffer matcher', () => {
  it('on random signatures over random data', () => {
    const random = seeded(7);
    const pick = (n: number) => Math.floor(random() * n);
    for (let round = 0; round < 40; round++) {
      const data = binary(3000, random);
      // Small alphabet so parts recur and gaps are exercised.
      for (let i = 4; i < data.length; i++) data[i] = 0x61 + ((data[i] as number) % 4);
      const sigs: string[] = [];
      for (let k = 0; k < 8; k++) {
        const a = pick(2900);
        const part = (at: number, n: number) => Buffer.from(data.subarray(at, at + n)).toString('hex');
        const gap = ['*', `{${pick(3)}-${3 + pick(6)}}`, `{${1 + pick(4)}-}`, `{-${2 + pick(5)}}`][pick(4)];
        const second = part(a + 4 + pick(20), 3);
        sigs.push(`S${k}:0:*:${part(a, 4)}${gap}${second}`);
      }
      const sdb = dbFrom({ 'r.ndb': sigs.join('\n') });
      expect(sdb.report.errors).toEqual([]);
      const program = compileProgram(sdb.bodies);
      const pass = new StreamPass(program);
      for (let at = 0; at < data.length; at += 97) pass.push(data.subarray(at, at + 97));
      const streamed = new Map(pass.finish().map((m) => [m.sig, m]));
      program.signatures.forEach((cs, i) => {
        const whole = matchWhole(cs, data, 0, data.length);
        expect(streamed.has(i), `${sigs[i]} round ${round}`).toBe(whole !== undefined);
      });
    }
  });
});
