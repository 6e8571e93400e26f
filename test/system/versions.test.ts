/**
 * Version comparison checked live against the real tools: a fresh seeded random corpus (the seed is in
 * the test name, to replay a failure) answered by `dpkg --compare-versions` and rpm's Lua `rpm.vercmp`,
 * compared with the library and with `outboard versions compare` line by line.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dpkg, rpm } from '../../shared/versions/index.ts';
import { requireTools } from '../support/system-tools.ts';
import {
  DPKG_EDGE,
  dpkgString,
  makePairs,
  RPM_EDGE,
  RPM_REAL,
  rpmString,
  seededRng,
} from '../unit/versions/generate.ts';
import { type Answer, dpkgAnswers, rpmAnswers } from '../unit/versions/oracle.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED = Number(process.env.OUTBOARD_VERSIONS_SEED) || Math.floor(Math.random() * 2 ** 31);

function cli(scheme: string, pairs: readonly (readonly [string, string])[]) {
  const r = spawnSync('node', ['bin/outboard.ts', 'versions', 'compare', '--scheme', scheme], {
    cwd: ROOT,
    input: pairs.map(([a, b]) => `${a}\t${b}\n`).join(''),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, lines: r.stdout.split('\n').slice(0, -1), stderr: r.stderr };
}

function disagreements(
  pairs: readonly (readonly [string, string])[],
  expected: readonly Answer[],
  actual: readonly string[],
) {
  return pairs
    .map(([a, b], i) => ({ a, b, tool: expected[i], ours: actual[i] }))
    .filter((d) => d.tool !== d.ours)
    .slice(0, 20);
}

function installedDebianVersions(): string[] {
  const r = spawnSync('dpkg-query', ['-W', '-f', '\x24{Version}\n'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

describe(`version comparison against dpkg and rpm (seed ${SEED})`, () => {
  beforeAll(() => requireTools('dpkg', 'dpkg-query', 'rpm', 'node'));

  it('dpkg: the library and the CLI agree with dpkg --compare-versions', async () => {
    const rng = seededRng(SEED);
    const pool = [
      ...DPKG_EDGE,
      ...installedDebianVersions().slice(0, 300),
      ...Array.from({ length: 800 }, () => dpkgString(rng)),
    ];
    const pairs = makePairs(pool, 3000, rng, dpkg.compareOrUndefined);
    const expected = await dpkgAnswers(pairs);
    const ours = pairs.map(([a, b]) => String(dpkg.compareOrUndefined(a, b) ?? 'invalid'));
    expect(disagreements(pairs, expected, ours)).toEqual([]);
    const out = cli('dpkg', pairs);
    expect(out.code).toBe(0);
    expect(out.lines).toHaveLength(pairs.length);
    expect(disagreements(pairs, expected, out.lines)).toEqual([]);
  });

  it('rpm: the library and the CLI agree with rpm.vercmp', () => {
    const rng = seededRng(SEED ^ 0x5a5a5a5a);
    const pool = [...RPM_EDGE, ...RPM_REAL, ...Array.from({ length: 2000 }, () => rpmString(rng))];
    const pairs = makePairs(pool, 6000, rng, rpm.compareOrUndefined);
    const expected = rpmAnswers(pairs);
    const ours = pairs.map(([a, b]) => String(rpm.compareOrUndefined(a, b) ?? 'invalid'));
    expect(disagreements(pairs, expected, ours)).toEqual([]);
    const out = cli('rpm', pairs);
    expect(out.code).toBe(0);
    expect(out.lines).toHaveLength(pairs.length);
    expect(disagreements(pairs, expected, out.lines)).toEqual([]);
  });

  it('the CLI refuses a missing or unknown --scheme with exit 2', () => {
    for (const args of [[], ['--scheme', 'deb']]) {
      const r = spawnSync('node', ['bin/outboard.ts', 'versions', 'compare', ...args], {
        cwd: ROOT,
        input: '1\t2\n',
        encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--scheme must be dpkg, rpm or apk');
      expect(r.stdout).toBe('');
    }
  });
});
