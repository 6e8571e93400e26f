/** A MemoryConnector whose snapshot disks hold real bytes: every disk of every snapshot reads `image`. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { DiskReader } from '../../shared/ports.ts';
import { MemoryConnector } from './fakes.ts';

/** The committed Debian 12 patch scan image (scripts/fixtures/patching.sh), gunzipped. */
export function debian12Image(): Uint8Array {
  return gunzipSync(readFileSync(new URL('../fixtures/patching/debian12.img.gz', import.meta.url)));
}

export class ImageConnector extends MemoryConnector {
  readonly image: Uint8Array;
  /** Disks opened and not yet closed. */
  openDisks = 0;
  deleted: string[] = [];
  openFailures: Error[] = [];

  constructor(image: Uint8Array) {
    super();
    this.image = image;
  }

  override async openDisk(_tenantId: string, snapshotId: string, diskIndex: number): Promise<DiskReader> {
    const failure = this.openFailures.shift();
    if (failure) throw failure;
    const info = this.snapshots.get(snapshotId);
    if (!info?.disks[diskIndex])
      throw Object.assign(new Error(`no disk ${diskIndex} in snapshot ${snapshotId}`), { retryable: false });
    const image = this.image;
    this.openDisks++;
    let closed = false;
    return {
      size: image.length,
      read: async (offset, length) => image.slice(offset, Math.min(image.length, offset + length)),
      close: async () => {
        if (!closed) this.openDisks--;
        closed = true;
      },
    };
  }

  override async deleteSnapshot(tenantId: string, id: string) {
    this.deleted.push(id);
    await super.deleteSnapshot(tenantId, id);
  }
}
