import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../../../../shared/antivirus/engine/builtin-engine.ts';
import { concat, eicar, latin1 } from './helpers.ts';

const FIXTURE = new URL('../../../fixtures/antivirus/basic/', import.meta.url).pathname;

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

describe('EICAR with the committed fixture database', () => {
  it('the test string is the standard 68 bytes', () => {
    const e = eicar();
    expect(e.length).toBe(68);
    expect(createHash('md5').update(e).digest('hex')).toBe('44d88612fea8a8f36de82e1278abb02f');
  });

  it('is found by its body signature first, then by its hashes', async () => {
    const engine = await BuiltinEngine.load([FIXTURE]);
    const verdict = await engine.scanStream(chunks(eicar()), { path: 'eicar.com', size: 68 });
    expect(verdict).toEqual({
      status: 'infected',
      signature: 'Outboard.Test.EICAR-Body.UNOFFICIAL',
      detections: [
        { signature: 'Outboard.Test.EICAR-Body.UNOFFICIAL', kind: 'body', offset: 0 },
        { signature: 'Outboard.Test.EICAR-MD5.UNOFFICIAL', kind: 'hash' },
        { signature: 'Outboard.Test.EICAR-SHA1.UNOFFICIAL', kind: 'hash' },
        { signature: 'Outboard.Test.EICAR-SHA256-AnySize.UNOFFICIAL', kind: 'hash' },
      ],
    });
  });

  it('with trailing whitespace: the body signature still matches, the hashes do not', async () => {
    const engine = await BuiltinEngine.load([FIXTURE]);
    const padded = concat(eicar(), latin1('  \r\n'));
    const result = engine.scanBuffer(padded);
    expect(result.map((d) => d.signature)).toEqual(['Outboard.Test.EICAR-Body.UNOFFICIAL']);
  });

  it('not at offset 0 (the fixture signature is anchored there): clean', async () => {
    const engine = await BuiltinEngine.load([FIXTURE]);
    expect(engine.scanBuffer(concat(latin1(' '), eicar()))).toEqual([]);
  });
});
