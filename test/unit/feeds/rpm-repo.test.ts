import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrimary, parseSourceRpm } from '../../../shared/feeds/rpm-repo/primary.ts';
import { readRpmRepo } from '../../../shared/feeds/rpm-repo/repo.ts';
import { parseRepomd } from '../../../shared/feeds/rpm-repo/repomd.ts';
import { parseUpdateinfo } from '../../../shared/feeds/rpm-repo/updateinfo.ts';
import { dateOf } from '../../../shared/feeds/rpm-repo/xml.ts';
import type { AvailablePackage, RpmAdvisory } from '../../../shared/feeds/types.ts';

const REPO = 'test/fixtures/feeds/rpm-repo';
async function* bytesOf(text: string) {
  yield new TextEncoder().encode(text);
}
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('RPM repository', () => {
  it('reads repomd → primary.xml.gz + updateinfo.xml.xz, classifying packages from the errata', async () => {
    const feed = await readRpmRepo(REPO);
    expect(feed.release).toBe('Rocky Linux:9');
    expect(feed.revision).toBe('1720051200');
    expect(feed.source.date).toBe('2024-07-04T00:01:00.000Z');
    const byName = Object.fromEntries(feed.packages.map((p) => [p.name, p]));
    expect(byName.openssl).toMatchObject({
      version: '1:3.0.7-27.el9',
      arch: 'x86_64',
      source: { name: 'openssl', version: '3.0.7-27.el9' },
      classification: 'security',
    });
    expect(byName['openssh-server']?.classification).toBe('security');
    expect(byName.tzdata?.classification).toBe('updates');
    expect(byName.bash?.classification).toBe('unknown');
    const ssh = feed.advisories.filter((a) => a.id === 'RLSA-2024:4312');
    expect(ssh.map((a) => a.package)).toEqual(['openssh', 'openssh-server']);
    expect(ssh[0]).toMatchObject({
      ecosystem: 'Rocky Linux:9',
      aliases: ['CVE-2024-6387'],
      kind: 'security',
      severity: { cvss: [], text: 'Important' },
      published: '2024-07-03T00:00:00.000Z',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.7p1-38.el9_4.1' }] }],
    });
    const glibc = feed.advisories.find((a) => a.id === 'RLSA-2023:5455');
    expect(glibc?.published).toBe('2023-10-04T00:00:00.000Z');
    const tz = feed.advisories.find((a) => a.package === 'tzdata');
    expect(tz?.kind).toBe('bugfix');
    expect(tz?.severity.text).toBeUndefined();
  });

  it('takes an explicit release and accepts zstd-compressed updateinfo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rpm-'));
    dirs.push(dir);
    await cp(REPO, dir, { recursive: true });
    const xml = await readFile(`${REPO}/repodata/updateinfo.xml.src`);
    await writeFile(join(dir, 'repodata/updateinfo.xml.zst'), zstdCompressSync(xml));
    const repomd = (await readFile(`${REPO}/repodata/repomd.xml`, 'utf8')).replace(
      'updateinfo.xml.xz',
      'updateinfo.xml.zst',
    );
    await writeFile(join(dir, 'repodata/repomd.xml'), repomd);
    const feed = await readRpmRepo(dir, { release: 'AlmaLinux:9' });
    expect(feed.release).toBe('AlmaLinux:9');
    expect(feed.advisories.every((a) => a.ecosystem === 'AlmaLinux:9')).toBe(true);
    expect(feed.advisories).toHaveLength(6);
  });

  it('rejects bzip2 updateinfo clearly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rpm-'));
    dirs.push(dir);
    await cp(REPO, dir, { recursive: true });
    await writeFile(join(dir, 'repodata/updateinfo.xml.xz'), new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0x31]));
    await expect(readRpmRepo(dir)).rejects.toThrow(/bzip2 is not supported/);
  });

  it('reads repodata dates in their several spellings', () => {
    expect(dateOf('2024-07-03 00:00:00')).toBe('2024-07-03T00:00:00.000Z');
    expect(dateOf('2024-04-30')).toBe('2024-04-30T00:00:00.000Z');
    expect(dateOf('1696377600')).toBe('2023-10-04T00:00:00.000Z');
    expect(dateOf('2024-07-03 00:00:00 UTC')).toBe('2024-07-03T00:00:00.000Z');
    expect(dateOf('3 July')).toBeUndefined();
  });

  it('splits source rpm names', () => {
    expect(parseSourceRpm('openssl-3.0.7-27.el9.src.rpm')).toEqual({
      name: 'openssl',
      version: '3.0.7-27.el9',
    });
    expect(parseSourceRpm('python3.11-pip-22.3.1-4.el9.src.rpm')).toEqual({
      name: 'python3.11-pip',
      version: '22.3.1-4.el9',
    });
    expect(parseSourceRpm('nonsense.rpm')).toBeUndefined();
  });

  const primary = (body: string, root = 'metadata') =>
    `<?xml version="1.0"?><${root} xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm">${body}</${root}>`;
  const pkgs = (xml: string) => {
    const out: AvailablePackage[] = [];
    return parsePrimary(bytesOf(xml), 'primary.xml', 'repo', (p) => out.push(p)).then(() => out);
  };

  it('skips source packages in primary', async () => {
    const xml = primary(
      '<package type="rpm"><name>a</name><arch>src</arch><version epoch="0" ver="1" rel="1"/></package>' +
        '<package type="rpm"><name>a</name><arch>noarch</arch><version ver="1" rel="1"/></package>',
    );
    expect((await pkgs(xml)).map((p) => [p.name, p.arch, p.version, p.source.name])).toEqual([
      ['a', 'noarch', '1-1', 'a'],
    ]);
  });

  it.each([
    ['the wrong root', primary('', 'repomd'), /root element/],
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE metadata [<!ENTITY x "y">]>${primary('')}`, /DOCTYPE/],
    ['broken XML', primary('<package><name>a</package>'), /xml/],
    [
      'a package without a version',
      primary('<package type="rpm"><name>a</name><arch>x86_64</arch></package>'),
      /lacks name, arch or version/,
    ],
    [
      'a bad epoch',
      primary(
        '<package type="rpm"><name>a</name><arch>x86_64</arch><version epoch="x" ver="1" rel="1"/></package>',
      ),
      /bad epoch/,
    ],
    [
      'a bad sourcerpm',
      primary(
        '<package type="rpm"><name>a</name><arch>x86_64</arch><version ver="1" rel="1"/><format><rpm:sourcerpm>junk</rpm:sourcerpm></format></package>',
      ),
      /bad sourcerpm/,
    ],
  ])('rejects primary with %s', async (_, xml, message) => {
    await expect(pkgs(xml)).rejects.toThrow(message);
  });

  const updates = (xml: string) => {
    const out: RpmAdvisory[] = [];
    return parseUpdateinfo(bytesOf(`<updates>${xml}</updates>`), 'updateinfo.xml', (a) => out.push(a)).then(
      () => out,
    );
  };

  it.each([
    ['an unknown type', '<update type="hotfix"><id>X-1</id></update>', /unknown update type/],
    ['no id', '<update type="security"><title>t</title></update>', /without <id>/],
    [
      'a package without release',
      '<update type="security"><id>X-1</id><pkglist><collection><package name="a" version="1" arch="x86_64"/></collection></pkglist></update>',
      /without name, version, release or arch/,
    ],
    [
      'an unreadable date',
      '<update type="security"><id>X-1</id><issued date="soon"/></update>',
      /unreadable issued date/,
    ],
  ])('rejects updateinfo with %s', async (_, xml, message) => {
    await expect(updates(xml)).rejects.toThrow(message);
  });

  it('rejects repomd without primary or with a location escaping the repo', async () => {
    const md = (data: string) =>
      bytesOf(`<repomd xmlns="http://linux.duke.edu/metadata/repo">${data}</repomd>`);
    await expect(
      parseRepomd(md('<data type="primary"><location href="../../etc/passwd"/></data>'), { location: 'r' }),
    ).rejects.toThrow(/usable location/);
    const ok = await parseRepomd(
      md('<revision>7</revision><data type="filelists"><location href="repodata/f.xml.gz"/></data>'),
      { location: 'r' },
    );
    expect(ok.revision).toBe('7');
    expect(ok.data.has('primary')).toBe(false);
    const dir = await mkdtemp(join(tmpdir(), 'rpm-'));
    dirs.push(dir);
    await cp(REPO, dir, { recursive: true });
    await writeFile(
      join(dir, 'repodata/repomd.xml'),
      gzipSync('<repomd><data type="filelists"><location href="repodata/x"/></data></repomd>'),
    );
    await expect(readRpmRepo(dir)).rejects.toThrow(/no primary data/);
  });
});
