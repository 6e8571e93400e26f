/**
 * `outboard feeds import --keyring` (and OUTBOARD_FEED_KEYRINGS) end to end: a mirror whose InRelease is
 * Debian's real signed file is imported, one whose Release is unsigned or whose InRelease was altered is
 * refused with exit 2 and the reason, and the feed index is left as it was.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/outboard.ts', import.meta.url).pathname;
const FEEDS = new URL('../fixtures/feeds/', import.meta.url).pathname;
const KEY = join(FEEDS, 'openpgp', 'debian-archive-bookworm-automatic.asc');

function outboard(home: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OUTBOARD_HOME: home, OUTBOARD_FEED_KEYRINGS: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A mirror holding only bookworm-updates, whose InRelease is the real one Debian signed. */
function updatesMirror(): string {
  const root = mkdtempSync(join(tmpdir(), 'ob-keyring-mirror-'));
  mkdirSync(join(root, 'dists'));
  cpSync(join(FEEDS, 'debian-mirror', 'dists', 'bookworm-updates'), join(root, 'dists', 'bookworm-updates'), {
    recursive: true,
  });
  return root;
}

const indexOf = (home: string) => join(home, 'objects');

describe('outboard feeds import with a keyring', () => {
  it('imports a mirror whose InRelease Debian signed, with --keyring or the environment', () => {
    const mirror = updatesMirror();
    const home = mkdtempSync(join(tmpdir(), 'ob-keyring-home-'));
    const flag = outboard(home, ['feeds', 'import', mirror, '--keyring', KEY]);
    expect(flag.stderr).toBe('');
    expect(flag.code).toBe(0);
    expect(flag.stdout).toMatch(/deb-repo\tDebian:12\t/);
    const env = outboard(mkdtempSync(join(tmpdir(), 'ob-keyring-home-')), ['feeds', 'import', mirror], {
      OUTBOARD_FEED_KEYRINGS: join(FEEDS, 'openpgp'),
    });
    expect(env.code).toBe(0);
  });

  it('refuses an altered InRelease and an unsigned Release, naming why, and saves nothing', () => {
    const mirror = updatesMirror();
    const inRelease = join(mirror, 'dists', 'bookworm-updates', 'InRelease');
    writeFileSync(
      inRelease,
      readFileSync(inRelease, 'utf8').replace('Suite: oldstable-updates', 'Suite: stable-updates'),
    );
    const home = mkdtempSync(join(tmpdir(), 'ob-keyring-home-'));
    const altered = outboard(home, ['feeds', 'import', mirror, '--keyring', KEY]);
    expect(altered.code).toBe(2);
    expect(altered.stderr).toMatch(/InRelease .*signature not verified: .*BAD/);
    const unsigned = outboard(home, ['feeds', 'import', join(FEEDS, 'debian-mirror'), '--keyring', KEY]);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toMatch(/dists\/bookworm\/Release.*not signed/);
    const saved = existsSync(indexOf(home)) ? readdirSync(indexOf(home), { recursive: true }) : [];
    expect(saved.map(String).filter((f) => /feed/.test(f))).toEqual([]);
  });

  it('refuses a keyring without a usable key', () => {
    const home = mkdtempSync(join(tmpdir(), 'ob-keyring-home-'));
    const r = outboard(home, [
      'feeds',
      'import',
      updatesMirror(),
      '--keyring',
      join(FEEDS, 'openpgp', 'revoked.asc'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/keyring: no usable signing key .*revoked/);
  });
});
