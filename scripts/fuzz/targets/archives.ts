import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveFormatError } from '../../../shared/antivirus/archives/errors.ts';
import { expandArchive } from '../../../shared/antivirus/archives/expand.ts';
import { archiveLimits } from '../../../shared/antivirus/archives/limits.ts';
import type { FuzzTarget } from '../target.ts';

const DIR = join(import.meta.dirname, '../../../test/fixtures/antivirus/archives');
const ARCHIVE = /\.(zip|tar|gz|tgz)$/;

/** Small limits, so that one input stays well inside the fuzzer's time budget. */
const LIMITS = archiveLimits({ maxFiles: 2000, maxFileSize: 4 << 20, maxScanSize: 16 << 20 });

/**
 * Expands the input as an archive to the end (every entry's bytes touched). Seeds: the committed
 * fixtures written by zip, tar and gzip (as they are, not gunzipped), and a zip cut before its central
 * directory so that the local-header walk is exercised too.
 */
export const archivesTarget: FuzzTarget = {
  name: 'av-archives',
  async seeds() {
    const seeds = readdirSync(DIR)
      .filter((f) => ARCHIVE.test(f))
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(DIR, f))));
    const streamed = new Uint8Array(readFileSync(join(DIR, 'descriptors.zip')));
    const directory = streamed.findIndex(
      (_, i) =>
        streamed[i] === 0x50 && streamed[i + 1] === 0x4b && streamed[i + 2] === 1 && streamed[i + 3] === 2,
    );
    seeds.push(streamed.slice(0, directory));
    return seeds;
  },
  async run(input) {
    let touched = 0;
    for await (const item of expandArchive(input, { path: 'fuzz' }, LIMITS)) {
      if (item.kind === 'entry') touched += item.data.length > 0 ? item.data[item.data.length - 1]! : 0;
    }
    if (touched < 0) throw new Error('unreachable');
  },
  isExpectedError: (err) => err instanceof ArchiveFormatError,
};
