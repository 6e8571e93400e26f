import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { probeFat } from '../../../shared/disk/fs/fat/index.ts';
import { memorySource } from '../memory-source.ts';
import type { FuzzTarget } from '../target.ts';
import { walkFileSystem } from '../walk.ts';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/disk/fat');

/** FAT: probe, then list and read everything. Seeds: the committed FAT12/16/32 fixtures. */
export const fatTarget: FuzzTarget = {
  name: 'fat',
  async seeds() {
    return readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.img.gz'))
      .sort()
      .map((f) => new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, f)))));
  },
  async run(input) {
    const fs = await probeFat(memorySource(input));
    if (fs) await walkFileSystem(fs);
  },
};
