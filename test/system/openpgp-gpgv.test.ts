/**
 * InRelease verification against gpgv, read the way apt reads it (`--status-fd`, SHA-1 refused as a weak
 * digest): good when gpgv reports a GOODSIG and no BADSIG. Every committed fixture with every keyring,
 * and seeded alterations of each signed file (a byte of the text, of the signature, a line added), must
 * get the same verdict from both.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyring } from '../../shared/feeds/openpgp/keyring.ts';
import { verifyCleartext } from '../../shared/feeds/openpgp/verify.ts';
import { requireTools } from '../support/system-tools.ts';

const DIR = new URL('../fixtures/feeds/openpgp/', import.meta.url).pathname;
const SEED = Number(process.env.OUTBOARD_OPENPGP_SEED) || Math.floor(Math.random() * 2 ** 31);

let work: string;

function gpgvGood(keyring: string, file: string): boolean {
  const r = spawnSync('gpgv', ['--weak-digest', 'sha1', '--status-fd', '1', '--keyring', keyring, file], {
    encoding: 'utf8',
  });
  const lines = r.stdout.split('\n');
  return (
    lines.some((l) => l.startsWith('[GNUPG:] GOODSIG')) && !lines.some((l) => l.startsWith('[GNUPG:] BADSIG'))
  );
}

/** A binary keyring for gpgv (it does not read armour) made from our key files by gpg itself. */
function gpgvKeyring(names: string[]): string {
  const path = join(work, `${names.join('+').replace(/[^A-Za-z0-9+.-]/g, '_')}.gpg`);
  const parts = names.map((n) => {
    const bytes = readFileSync(join(DIR, n));
    if (!n.endsWith('.asc')) return bytes;
    const r = spawnSync('gpg', ['--dearmor'], { input: bytes });
    expect(r.status, r.stderr?.toString()).toBe(0);
    return r.stdout;
  });
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

describe(`InRelease verification agrees with gpgv (seed ${SEED})`, () => {
  beforeAll(() => {
    requireTools('gpgv', 'gpg');
    work = mkdtempSync(join(tmpdir(), 'ob-gpgv-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('gives the same verdict on every fixture, with every keyring, and on altered copies', () => {
    const keyFiles = readdirSync(DIR).filter((n) => /\.(asc|gpg)$/.test(n));
    const signed = readdirSync(DIR).filter((n) => n.endsWith('InRelease'));
    const keyrings = [...keyFiles.map((k) => [k]), keyFiles];
    const random = rng(SEED);
    const now = Date.now();
    const disagreements: string[] = [];
    let compared = 0;
    let goods = 0;
    for (const names of keyrings) {
      const ours = readKeyring(names.map((name) => ({ name, bytes: readFileSync(join(DIR, name)) })));
      const theirs = gpgvKeyring(names);
      for (const file of signed) {
        const original = readFileSync(join(DIR, file), 'utf8');
        const variants: [string, string][] = [['as is', original]];
        const sigAt = original.indexOf('-----BEGIN PGP SIGNATURE-----');
        const textAt = original.indexOf('\n\n') + 2;
        const pick = (from: number, to: number) => from + Math.floor(random() * (to - from));
        const flip = (at: number) => {
          const c = original[at]!;
          const swapped = c === 'a' ? 'b' : c === '\n' ? ' \n' : 'a';
          return original.slice(0, at) + swapped + original.slice(at + 1);
        };
        variants.push(['a byte of the text', flip(pick(textAt, sigAt - 1))]);
        const body = original.indexOf('\n\n', sigAt) + 2;
        const sigText = original.slice(body, original.indexOf('\n=', body));
        const line = sigText.split('\n')[0]!;
        const k = body + Math.floor(random() * line.length);
        variants.push([
          'a byte of the signature',
          original.slice(0, k) + (original[k] === 'A' ? 'B' : 'A') + original.slice(k + 1),
        ]);
        variants.push(['a line added', original.replace('\nSHA256:', '\nX-Added: yes\nSHA256:')]);
        for (const [what, content] of variants) {
          const path = join(work, 'InRelease');
          writeFileSync(path, content);
          const expected = gpgvGood(theirs, path);
          const actual = verifyCleartext(content, ours, now);
          compared++;
          if (expected) goods++;
          if (actual.ok !== expected)
            disagreements.push(
              `${file} (${what}) with ${names.join(', ')}: gpgv ${expected ? 'good' : 'not good'}, ours ${
                actual.ok ? 'good' : `not good: ${actual.reasons.join('; ')}`
              }`,
            );
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(100);
    // Both verdicts occur: each fixture that should verify does so with its own key and with all keys.
    expect(goods).toBeGreaterThanOrEqual(7);
  });
});
