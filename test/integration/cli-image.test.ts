import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/outboard.ts', import.meta.url).pathname;
const FIXTURES = new URL('../fixtures/disk/ext4/', import.meta.url).pathname;

function outboard(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function unpack(name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ob-cli-image-')), name);
  writeFileSync(path, gunzipSync(readFileSync(join(FIXTURES, `${name}.gz`))));
  return path;
}

describe('outboard image', () => {
  it('lists every regular file of an ext4 image with size and sha256, sorted', () => {
    const image = unpack('ext4.img');
    const manifest = JSON.parse(readFileSync(join(FIXTURES, 'ext4.manifest.json'), 'utf8')) as Record<
      string,
      { type: string; size: number; sha256?: string }
    >;
    const want = Object.entries(manifest)
      .filter(([, e]) => e.type === 'file')
      .map(([p, e]) => `/${p}\t${e.size}\t${e.sha256}`)
      .sort((a, b) => Buffer.compare(Buffer.from(a.split('\t')[0]!), Buffer.from(b.split('\t')[0]!)));
    const r = outboard(['image', 'files', image, '--hash', 'sha256']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString().split('\n').filter(Boolean)).toEqual(want);
  });

  it('prints a file and describes the image', () => {
    const image = unpack('ext3.img');
    const manifest = JSON.parse(readFileSync(join(FIXTURES, 'ext3.manifest.json'), 'utf8')) as Record<
      string,
      { type: string; size: number; sha256?: string }
    >;
    const [path, entry] = Object.entries(manifest).find(([, e]) => e.type === 'file' && e.size > 1000)!;
    const cat = outboard(['image', 'cat', image, `/${path}`]);
    expect(cat.code).toBe(0);
    expect(cat.stdout.length).toBe(entry.size);
    const info = outboard(['image', 'info', image, '--json']);
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout.toString());
    expect(parsed.volumes[0].filesystem.kind).toBe('ext3');
    expect(parsed.disks[0].format).toBe('raw');
  });

  it('fails with a message and exit 1 on a missing path, a non-image and bad flags', () => {
    const image = unpack('ext2.img');
    expect(outboard(['image', 'cat', image, '/no/such/file'])).toMatchObject({ code: 1 });
    const missing = outboard(['image', 'files', '/no/such/image.qcow2']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const junk = join(mkdtempSync(join(tmpdir(), 'ob-junk-')), 'junk.img');
    writeFileSync(junk, Buffer.alloc(65536, 7));
    const none = outboard(['image', 'files', junk]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no readable filesystem/);
    expect(outboard(['image', 'files', image, '--hash', 'md5']).code).toBe(2);
  });
});
