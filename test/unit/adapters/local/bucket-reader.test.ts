/** The local bucket reader: `<root>/<bucket>/<key>` files, plain keys only, no way out of the root. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidBucketKeyError, LocalBucketReader } from '../../../../shared/adapters/local/bucket-reader.ts';

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'ob-buckets-'));
  mkdirSync(join(root, 'uploads', 'incoming'), { recursive: true });
  writeFileSync(join(root, 'uploads', 'incoming', 'a.txt'), 'hello');
  writeFileSync(join(root, 'secret.txt'), 'outside every bucket');
  return { root, reader: new LocalBucketReader(root) };
}

describe('LocalBucketReader', () => {
  it('opens an object with its size, a stat-made ETag and its bytes', async () => {
    const { reader } = setup();
    const object = await reader.open('uploads', 'incoming/a.txt');
    expect(object?.size).toBe(5);
    expect(object?.etag).toMatch(/^5-[0-9a-f]+$/);
    expect(await readAll(object!.body)).toBe('hello');
  });

  it('answers undefined for a missing object, a folder, or a symbolic link', async () => {
    const { root, reader } = setup();
    symlinkSync(join(root, 'secret.txt'), join(root, 'uploads', 'link.txt'));
    expect(await reader.open('uploads', 'incoming/none.txt')).toBeUndefined();
    expect(await reader.open('uploads', 'incoming')).toBeUndefined();
    expect(await reader.open('uploads', 'incoming/a.txt/x')).toBeUndefined();
    expect(await reader.open('uploads', 'link.txt')).toBeUndefined();
  });

  it.each([
    ['..', '../secret.txt'],
    ['.. in the middle', 'incoming/../../secret.txt'],
    ['an absolute key', '/etc/passwd'],
    ['a "." segment', './incoming/a.txt'],
    ['an empty segment', 'incoming//a.txt'],
    ['NUL', 'incoming/a.txt\u0000'],
  ])('refuses a key with %s before touching the file system', async (_what, key) => {
    const { reader } = setup();
    await expect(reader.open('uploads', key)).rejects.toThrow(InvalidBucketKeyError);
  });

  it('refuses a bucket that is no bucket name', async () => {
    const { reader } = setup();
    await expect(reader.open('..', 'secret.txt')).rejects.toThrow(InvalidBucketKeyError);
    await expect(reader.open('Up/loads', 'a')).rejects.toThrow(/not a bucket name/);
  });
});
