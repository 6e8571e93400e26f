import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectApk, fromInstalled } from '../../../shared/inventory/apk.ts';
import { FIXTURES, memFiles } from './mem-files.ts';

const INSTALLED = readFileSync(join(FIXTURES, 'alpine/installed'));
const enc = (s: string) => new TextEncoder().encode(s);

describe('apk installed database', () => {
  it('reads name, version, arch and origin of every block', async () => {
    const r = (await collectApk(memFiles({ '/lib/apk/db/installed': INSTALLED })))!;
    expect(r.notes).toEqual([]);
    expect(r.packages.map((p) => [p.name, p.version, p.arch, p.source.name, p.source.version])).toEqual([
      ['musl', '1.2.5-r0', 'x86_64', 'musl', '1.2.5-r0'],
      ['busybox', '1.36.1-r29', 'x86_64', 'busybox', '1.36.1-r29'],
      ['libcrypto3', '3.3.2-r0', 'x86_64', 'openssl', '3.3.2-r0'],
      ['linux-lts', '6.6.54-r0', 'x86_64', 'linux-lts', '6.6.54-r0'],
    ]);
    expect(r.packages[0]!.evidence).toEqual({ file: '/lib/apk/db/installed', collector: 'apk-installed' });
  });

  it('also under /usr/lib/apk/db, and none at all is undefined', async () => {
    const r = (await collectApk(memFiles({ '/usr/lib/apk/db/installed': INSTALLED })))!;
    expect(r.packages).toHaveLength(4);
    expect(r.packages[0]!.evidence.file).toBe('/usr/lib/apk/db/installed');
    expect(await collectApk(memFiles({ '/etc/alpine-release': '3.20.3' }))).toBeUndefined();
  });

  it('refuses blocks it does not understand and says the inventory is incomplete', () => {
    const text = [
      'P:ok\nV:1.0-r0\nA:x86_64\n',
      'V:1.0-r0\nA:x86_64\n', // no P
      'P:noversion\nA:x86_64\n',
      'P:badversion\nV:one-r0\n',
      'P:twice\nV:1.0-r0\nV:1.0-r1\n',
      'P:junkline\nV:1.0-r0\nthis is not a field\n',
      'P:badarch\nV:1.0-r0\nA:x86 64\n',
    ].join('\n');
    const r = fromInstalled(enc(text), '/lib/apk/db/installed');
    expect(r.packages.map((p) => p.name)).toEqual(['ok']);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(
      /6 package block\(s\) could not be read, so the package inventory is incomplete/,
    );
    expect(r.notes[0]).toMatch(/package without P:/);
  });

  it('binary junk is refused as a whole', () => {
    const r = fromInstalled(new Uint8Array([0x50, 0x3a, 0x00, 0xff, 0x0a]), '/lib/apk/db/installed');
    expect(r.packages).toEqual([]);
    expect(r.notes[0]).toMatch(/NUL bytes.*incomplete/);
  });

  it('accepts the version forms apk uses, and not openssh-style 9.4p1', () => {
    const versions = [
      '1.2.3-r0',
      '2.4_git20240101-r1',
      '1.0_rc1_p2-r3',
      '9.7_p1-r4',
      '1.1.1w-r1',
      '1.36.1-r29',
      '0.1~abc123-r0',
    ];
    const text = versions.map((v, i) => `P:p${i}\nV:${v}\n`).join('\n');
    expect(fromInstalled(enc(text), 'x').packages).toHaveLength(versions.length);
    expect(fromInstalled(enc('P:openssh\nV:9.4p1-r0\n'), 'x').notes[0]).toMatch(
      /invalid version "9\.4p1-r0"/,
    );
  });
});
