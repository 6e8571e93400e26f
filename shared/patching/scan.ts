/**
 * A whole scan from files: open the guest's disk images, collect its inventory, import the feeds,
 * index them and match. Progress is reported through an optional callback (the CLI draws it).
 */

import { openImages } from '../disk/inspect.ts';
import { DiskFormatError } from '../disk/types.ts';
import { importFeed } from '../feeds/import.ts';
import { buildFeedIndex } from '../feeds/index.ts';
import type { Keyring } from '../feeds/openpgp/keyring.ts';
import type { Feed } from '../feeds/types.ts';
import { collectInventory } from '../inventory/collect.ts';
import { advisoryOrigins, matchInventory } from './match.ts';
import type { ScanResult } from './types.ts';

export type ScanStage = 'opening image' | 'inventory' | 'loading feeds' | 'matching' | 'done';

export interface ScanOptions {
  progress?: (stage: ScanStage, detail: string) => void;
  now?: Date;
  /** Verify Debian/Ubuntu mirrors' InRelease files against these keys. */
  keyring?: Keyring;
}

export async function scanImages(
  paths: string[],
  feedPaths: string[],
  options: ScanOptions = {},
): Promise<ScanResult> {
  const progress = options.progress ?? (() => {});
  progress('opening image', paths.join(', '));
  const opened = await openImages(paths);
  let inventory: Awaited<ReturnType<typeof collectInventory>>;
  try {
    const view = opened.guest.view;
    if (!view) throw new DiskFormatError('guest', `no readable filesystem in ${paths.join(', ')}`);
    inventory = await collectInventory(view);
  } finally {
    await opened.close();
  }
  progress('inventory', `${inventory.packages.length} packages`);
  const feeds: Feed[] = [];
  for (const [i, path] of feedPaths.entries()) {
    progress('loading feeds', `${i + 1}/${feedPaths.length} ${path}`);
    feeds.push(
      ...(await importFeed(
        path,
        options.keyring
          ? { signature: { keyring: options.keyring, now: (options.now ?? new Date()).getTime() } }
          : {},
      )),
    );
  }
  progress('matching', `${inventory.packages.length} packages`);
  const index = buildFeedIndex(feeds);
  const result = matchInventory(inventory, index, {
    origins: advisoryOrigins(feeds.map((f) => ('advisories' in f ? f : { source: f.source }))),
    ...(options.now ? { now: options.now } : {}),
  });
  progress('done', `${result.findings.length} findings`);
  return result;
}
