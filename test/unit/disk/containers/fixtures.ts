import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemorySource } from '../../../../shared/disk/block/memory-source.ts';
import type { ResolvedFile } from '../../../../shared/disk/containers/types.ts';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/disk/containers');

/** A committed fixture, gunzipped when it is stored gzipped. */
export function fixture(name: string): Uint8Array {
  const path = join(FIXTURES, name);
  try {
    return new Uint8Array(gunzipSync(readFileSync(`${path}.gz`)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return new Uint8Array(readFileSync(path));
  }
}

/** A resolver over in-memory files, recording what it was asked. */
export function memoryResolver(files: Record<string, Uint8Array>, asked: string[] = []) {
  return async (name: string): Promise<ResolvedFile> => {
    asked.push(name);
    const bytes = files[name];
    if (!bytes) throw new Error(`no such file ${name}`);
    return { source: new MemorySource(bytes), path: name };
  };
}

/** A copy of `bytes` with some changes made through a DataView. */
export function patched(bytes: Uint8Array, change: (dv: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  change(new DataView(copy.buffer), copy);
  return copy;
}
