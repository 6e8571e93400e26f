/**
 * Connector for guests whose disks are raw image files on this machine (kind `local`).
 *
 * A guest is one or more disk image files: `{ connector: 'local', disks: ['/abs/disk0.img', …] }`.
 * Snapshots live under the root folder:
 *
 *   <root>/<tenantId>/<snapshotId>/disk0.img, disk1.img, …   copies of the guest's disks, in ref order
 *   <root>/<tenantId>/<snapshotId>/snapshot.json              SnapshotInfo, written last: the commit marker
 *
 * A snapshot is built in `<root>/<tenantId>/.tmp-<snapshotId>-<pid>-<random>/`, every file fsynced, and
 * renamed to its final name only once snapshot.json is in it, so a snapshot folder either is complete or
 * does not exist. createSnapshot is idempotent on snapshotId: a committed snapshot is returned as it is; a
 * build left by a process that died (kill -9, crash) is removed and the snapshot started over. Deleting
 * renames the folder to `.trash-…` first, then removes it, so a crash half way never leaves a
 * half-deleted folder that looks committed. Tenant and snapshot ids are validated before they become
 * path components (a snapshot id may not start with ".").
 *
 * Disks are copied with copyFile(COPYFILE_FICLONE): a reflink (instant, copy-on-write) where the file system
 * supports it (XFS, Btrfs, APFS, …), an ordinary copy elsewhere.
 *
 * Consistency across disks. The guest may be running, so the copies are only worth keeping if no disk
 * changed while any of them was copied. Before copying, the connector records each source's size, mtime,
 * ctime (nanoseconds), inode and device; after copying all disks it records them again. If any differ, a
 * write (or a replacement of the file) happened during the copy: the copies are thrown away and the whole
 * snapshot is taken again, up to `maxAttempts` (3) times, then it fails with SnapshotSourceChangedError
 * naming the disks that kept changing. File timestamps are coarse (one kernel clock tick), so a write
 * landing in the same tick as the first check could leave them unchanged: the connector therefore waits
 * until every source has been quiet for `quietMs` (100 ms) before the first check. This detects writes; it
 * cannot prevent them. A write issued before the first check and still in progress after the last one
 * cannot be seen; for guaranteed crash consistency pause the guest (or snapshot its storage) first.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import {
  copyFile,
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { GuestId, IsoDateTime, SnapshotId, TenantId } from '../../contracts/common.ts';
import { LocalConnectorRef } from '../../contracts/guest.ts';
import { SnapshotDisk } from '../../contracts/job.ts';
import type {
  Clock,
  Connector,
  DiscoveredGuest,
  DiskReader,
  SnapshotInfo,
  SnapshotRequest,
} from '../../ports.ts';
import { errnoCode, messageOf } from './error-info.ts';

export const SNAPSHOT_FILE = 'snapshot.json';
export const DISK_IMAGE_EXTENSIONS = ['.img', '.raw'] as const;
/** Largest single DiskReader.read, to keep a typo from allocating the whole disk. */
export const MAX_READ_BYTES = 512 * 1024 * 1024;
const MAX_DISKS = 32;

// ---------------------------------------------------------------- errors

/** A tenant id, snapshot id, guest id, ref or disk index that cannot be used. Nothing was done. */
export class InvalidSnapshotRequestError extends TypeError {
  override name = 'InvalidSnapshotRequestError';
  readonly retryable = false;
}

/** A source disk image is missing, unreadable or not a regular file. Nothing was left behind. */
export class SnapshotSourceError extends Error {
  override name = 'SnapshotSourceError';
  readonly retryable = false;
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

/** The source disks changed during every copy attempt. Nothing was left behind. */
export class SnapshotSourceChangedError extends Error {
  override name = 'SnapshotSourceChangedError';
  readonly paths: string[];
  constructor(paths: string[], message: string) {
    super(message);
    this.paths = paths;
  }
}

/** The snapshot id is already used by a snapshot of another guest or of other disks. */
export class SnapshotConflictError extends Error {
  override name = 'SnapshotConflictError';
  readonly retryable = false;
}

export class SnapshotNotFoundError extends Error {
  override name = 'SnapshotNotFoundError';
}

/** A committed snapshot whose snapshot.json or disk files are not what they should be. */
export class CorruptSnapshotError extends Error {
  override name = 'CorruptSnapshotError';
  /** Taking the snapshot again would not mend it: it must be deleted first. */
  readonly retryable = false;
}

/** A file system operation failed; the message names the path and what was not done. */
export class LocalConnectorError extends Error {
  override name = 'LocalConnectorError';
}

/** A read with a bad offset or length, or on a closed reader. */
export class DiskReadError extends RangeError {
  override name = 'DiskReadError';
}

const OWN_ERRORS = [
  InvalidSnapshotRequestError,
  SnapshotSourceError,
  SnapshotSourceChangedError,
  SnapshotConflictError,
  CorruptSnapshotError,
  LocalConnectorError,
] as const;

// ---------------------------------------------------------------- options

export interface DiskCopiedEvent {
  tenantId: string;
  snapshotId: string;
  /** 1-based. */
  attempt: number;
  diskIndex: number;
  source: string;
  target: string;
}

export interface LocalConnectorOptions {
  /** Folder the snapshots are kept in. */
  root: string;
  /** Folders listGuests looks in (see listGuests). */
  discoverRoots?: string[];
  clock?: Clock;
  /** Copy attempts before giving up on sources that keep changing (default 3). */
  maxAttempts?: number;
  /** How long every source must have been unmodified before copying starts (default 100 ms; 0: don't wait). */
  quietMs?: number;
  /** Test hook: called after each disk is copied, before the sources are checked again. */
  onDiskCopied?: (event: DiskCopiedEvent) => void | Promise<void>;
}

const StoredSnapshot = z
  .strictObject({
    connector: z.literal('local'),
    snapshotId: SnapshotId,
    tenantId: TenantId,
    guestId: GuestId,
    disks: z.array(SnapshotDisk).min(1).max(MAX_DISKS),
    tags: z.record(z.string(), z.string()),
    createdAt: IsoDateTime,
    state: z.enum(['pending', 'completed']),
  })
  .refine((s) => s.disks.every((d, i) => d.index === i), 'disk indexes must be 0, 1, 2, … in order');

interface SourceState {
  path: string;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

// ---------------------------------------------------------------- connector

export class LocalConnector implements Connector {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly #discoverRoots: string[];
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #quietMs: number;
  readonly #onDiskCopied: LocalConnectorOptions['onDiskCopied'];

  constructor(options: LocalConnectorOptions) {
    this.root = resolve(options.root);
    this.#discoverRoots = (options.discoverRoots ?? []).map((r) => resolve(r));
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#quietMs = options.quietMs ?? 100;
    this.#onDiskCopied = options.onDiskCopied;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new RangeError(
        `LocalConnector: maxAttempts must be a positive integer, got ${options.maxAttempts}`,
      );
    }
  }

  /** The folder of a committed snapshot (ids validated). */
  snapshotPath(tenantId: string, snapshotId: string): string {
    checkTenantId(tenantId);
    checkSnapshotId(snapshotId);
    return join(this.root, tenantId, snapshotId);
  }

  // ------------------------------------------------------------ discovery

  /**
   * Guests in the `discoverRoots` folders: each `*.img` / `*.raw` file directly in a root is a single-disk
   * guest named after the file (without extension); each sub-folder holding such files is a multi-disk
   * guest named after the folder, its disks in name order (numbers compared as numbers: disk2 before
   * disk10). Names starting with "." are skipped; symbolic links are followed. Sorted by name, then path.
   */
  async listGuests(): Promise<DiscoveredGuest[]> {
    const guests: DiscoveredGuest[] = [];
    for (const root of this.#discoverRoots) {
      let entries: Dirent[];
      try {
        entries = await readdir(root, { withFileTypes: true });
      } catch (error) {
        throw new LocalConnectorError(
          `guest discovery: cannot read folder "${root}": ${messageOf(error)}; no guests listed`,
          {
            cause: error,
          },
        );
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const path = join(root, entry.name);
        const kind = await entryKind(entry, path);
        if (kind === 'file' && isDiskImage(entry.name)) {
          guests.push({ name: stripExtension(entry.name), ref: { connector: 'local', disks: [path] } });
        } else if (kind === 'dir') {
          const disks = await diskImagesIn(path);
          if (disks.length > MAX_DISKS) {
            throw new LocalConnectorError(
              `guest discovery: folder "${path}" holds ${disks.length} disk images, more than ${MAX_DISKS}; no guests listed`,
            );
          }
          if (disks.length > 0) guests.push({ name: entry.name, ref: { connector: 'local', disks } });
        }
      }
    }
    const firstDisk = (g: DiscoveredGuest) => (g.ref.connector === 'local' ? (g.ref.disks[0] ?? '') : '');
    return guests.sort((a, b) => byName(a.name, b.name) || byName(firstDisk(a), firstDisk(b)));
  }

  // ------------------------------------------------------------ snapshots

  async createSnapshot(request: SnapshotRequest): Promise<SnapshotInfo> {
    try {
      return await this.#createSnapshot(request);
    } catch (error) {
      if (OWN_ERRORS.some((E) => error instanceof E)) throw error;
      throw new LocalConnectorError(
        `snapshot "${request.snapshotId}" of guest "${request.guestId}" (tenant "${request.tenantId}") not created: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  async #createSnapshot(request: SnapshotRequest): Promise<SnapshotInfo> {
    const { tenantId, snapshotId, guestId } = request;
    checkTenantId(tenantId);
    checkSnapshotId(snapshotId);
    if (!GuestId.safeParse(guestId).success) {
      throw new InvalidSnapshotRequestError(
        `snapshot "${snapshotId}": guest id "${guestId}" is not valid; nothing was done`,
      );
    }
    const ref = LocalConnectorRef.safeParse(request.ref);
    if (!ref.success) {
      throw new InvalidSnapshotRequestError(
        `snapshot "${snapshotId}": not a local connector ref (${ref.error.issues[0]?.message}); nothing was done`,
      );
    }
    const tags = { ...request.tags };
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v !== 'string') {
        throw new InvalidSnapshotRequestError(
          `snapshot "${snapshotId}": tag "${k}" is not a string; nothing was done`,
        );
      }
    }
    const sources = ref.data.disks;
    const tenantDir = join(this.root, tenantId);
    const finalDir = join(tenantDir, snapshotId);

    const existing = await this.#existing(tenantId, snapshotId);
    if (existing) return sameSnapshotOrThrow(existing, guestId, sources);

    await sourceStates(sources, snapshotId); // a missing source fails here, before anything is created
    await mkdir(tenantDir, { recursive: true });
    await sweepAbandoned(tenantDir);

    let changed: string[] = [];
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const temp = join(tenantDir, `.tmp-${snapshotId}-${process.pid}-${randomBytes(6).toString('hex')}`);
      try {
        const before = await this.#quietStates(sources, snapshotId);
        await mkdir(temp);
        for (const [index, source] of sources.entries()) {
          const target = join(temp, diskFileName(index));
          try {
            await copyFile(source, target, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
          } catch (error) {
            // Tell a source that cannot be read (no retry will help) from a target that cannot be
            // written (full disk, I/O error: may pass).
            const sourceProblem = await open(source, 'r').then(
              async (fh) => {
                await fh.close();
                return undefined;
              },
              (e: unknown) => e,
            );
            if (sourceProblem) {
              throw new SnapshotSourceError(
                source,
                `snapshot "${snapshotId}" of guest "${guestId}" not created: cannot read disk ${index} "${source}": ${messageOf(sourceProblem)}`,
                { cause: error },
              );
            }
            throw new LocalConnectorError(
              `snapshot "${snapshotId}" of guest "${guestId}" not created: cannot copy disk ${index} "${source}" to "${target}": ${messageOf(error)}`,
              { cause: error },
            );
          }
          await fsyncPath(target);
          await this.#onDiskCopied?.({ tenantId, snapshotId, attempt, diskIndex: index, source, target });
        }
        const after = await sourceStates(sources, snapshotId);
        changed = sources.filter((_, i) => !sameState(before[i] as SourceState, after[i] as SourceState));
        if (changed.length > 0) {
          await rm(temp, { recursive: true, force: true });
          continue;
        }
        const info: SnapshotInfo = {
          connector: 'local',
          snapshotId,
          tenantId,
          guestId,
          disks: before.map((s, index) => ({
            index,
            sizeBytes: toSafeNumber(s.size, s.path),
            source: s.path,
          })),
          tags,
          createdAt: this.#clock.now().toISOString(),
          state: 'completed',
        };
        await writeFileDurably(join(temp, SNAPSHOT_FILE), `${JSON.stringify(info, null, 2)}\n`);
        await fsyncPath(temp);
        try {
          await rename(temp, finalDir);
        } catch (error) {
          const code = errnoCode(error);
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
          // Another request for the same snapshot committed first: theirs stands.
          await rm(temp, { recursive: true, force: true });
          const winner = await this.#existing(tenantId, snapshotId);
          if (!winner) throw error;
          return sameSnapshotOrThrow(winner, guestId, sources);
        }
        await fsyncPath(tenantDir);
        return info;
      } catch (error) {
        await rm(temp, { recursive: true, force: true }).catch(() => undefined);
        throw error;
      }
    }
    throw new SnapshotSourceChangedError(
      changed,
      `snapshot "${snapshotId}" of guest "${guestId}" not created: source disk(s) ${changed.map((p) => `"${p}"`).join(', ')} ` +
        `kept changing during the copy (${this.#maxAttempts} attempts); pause the guest and try again`,
    );
  }

  async getSnapshot(tenantId: string, snapshotId: string): Promise<SnapshotInfo | undefined> {
    checkTenantId(tenantId);
    checkSnapshotId(snapshotId);
    return this.#readCommitted(tenantId, snapshotId, true);
  }

  /** Committed snapshots of the tenant (of one guest if given), oldest first. */
  async listSnapshots(tenantId: string, guestId?: string): Promise<SnapshotInfo[]> {
    checkTenantId(tenantId);
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.root, tenantId), { withFileTypes: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
    const out: SnapshotInfo[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || !SnapshotId.safeParse(entry.name).success)
        continue;
      const info = await this.#readCommitted(tenantId, entry.name, false);
      if (info && (guestId === undefined || info.guestId === guestId)) out.push(info);
    }
    return out.sort(
      (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || byName(a.snapshotId, b.snapshotId),
    );
  }

  async openDisk(tenantId: string, snapshotId: string, diskIndex: number): Promise<DiskReader> {
    checkTenantId(tenantId);
    checkSnapshotId(snapshotId);
    const info = await this.#readCommitted(tenantId, snapshotId, false);
    if (!info) {
      throw new SnapshotNotFoundError(
        `snapshot "${snapshotId}" of tenant "${tenantId}" does not exist; no disk opened`,
      );
    }
    const disk = info.disks[diskIndex];
    if (!Number.isInteger(diskIndex) || !disk) {
      throw new InvalidSnapshotRequestError(
        `snapshot "${snapshotId}" has disks 0 to ${info.disks.length - 1}, not ${diskIndex}; no disk opened`,
      );
    }
    const path = join(this.root, tenantId, snapshotId, diskFileName(diskIndex));
    const fh = await open(path, 'r').catch((error: unknown) => {
      throw new CorruptSnapshotError(
        `snapshot "${snapshotId}": disk file "${path}" cannot be opened: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    });
    const { size } = await fh.stat();
    if (size !== disk.sizeBytes) {
      await fh.close();
      throw new CorruptSnapshotError(
        `snapshot "${snapshotId}": disk file "${path}" is ${size} bytes, snapshot.json says ${disk.sizeBytes}; no disk opened`,
      );
    }
    return new LocalDiskReader(fh, path, disk.sizeBytes);
  }

  async deleteSnapshot(tenantId: string, snapshotId: string): Promise<void> {
    checkTenantId(tenantId);
    checkSnapshotId(snapshotId);
    const tenantDir = join(this.root, tenantId);
    const trash = join(tenantDir, `.trash-${snapshotId}-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(join(tenantDir, snapshotId), trash);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw new LocalConnectorError(
        `snapshot "${snapshotId}" of tenant "${tenantId}" was not deleted: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    await fsyncPath(tenantDir);
    await rm(trash, { recursive: true, force: true });
    await sweepAbandoned(tenantDir);
  }

  // ------------------------------------------------------------ internals

  /**
   * The committed snapshot, or undefined after clearing away a snapshot folder without snapshot.json
   * (this connector never makes one, but a copy made by hand or a restore from elsewhere might).
   */
  async #existing(tenantId: string, snapshotId: string): Promise<SnapshotInfo | undefined> {
    const info = await this.#readCommitted(tenantId, snapshotId, true);
    if (info) return info;
    const tenantDir = join(this.root, tenantId);
    const finalDir = join(tenantDir, snapshotId);
    const exists = await stat(finalDir).then(
      () => true,
      () => false,
    );
    if (!exists) return undefined;
    const trash = join(tenantDir, `.trash-${snapshotId}-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(finalDir, trash);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return this.#readCommitted(tenantId, snapshotId, true);
      throw error;
    }
    // The folder was empty and a concurrent request committed into its place just before the rename:
    // put that snapshot back (unless yet another one has been committed since) rather than delete it.
    const raced = await readFile(join(trash, SNAPSHOT_FILE)).then(
      () => true,
      () => false,
    );
    if (raced) {
      try {
        await rename(trash, finalDir);
        return this.#readCommitted(tenantId, snapshotId, true);
      } catch {
        // another commit stands in its place; ours goes
      }
    }
    await rm(trash, { recursive: true, force: true });
    return this.#readCommitted(tenantId, snapshotId, true);
  }

  async #readCommitted(
    tenantId: string,
    snapshotId: string,
    verifyDisks: boolean,
  ): Promise<SnapshotInfo | undefined> {
    const dir = join(this.root, tenantId, snapshotId);
    const file = join(dir, SNAPSHOT_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CorruptSnapshotError(`snapshot file "${file}" is not JSON; snapshot not read`, {
        cause: error,
      });
    }
    const parsed = StoredSnapshot.safeParse(json);
    if (!parsed.success) {
      throw new CorruptSnapshotError(
        `snapshot file "${file}" is not valid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); snapshot not read`,
      );
    }
    const info = parsed.data;
    if (info.tenantId !== tenantId || info.snapshotId !== snapshotId) {
      throw new CorruptSnapshotError(
        `snapshot file "${file}" names snapshot "${info.snapshotId}" of tenant "${info.tenantId}"; snapshot not read`,
      );
    }
    if (verifyDisks) {
      for (const disk of info.disks) {
        const path = join(dir, diskFileName(disk.index));
        const size = await stat(path).then(
          (s) => s.size,
          () => undefined,
        );
        if (size !== disk.sizeBytes) {
          throw new CorruptSnapshotError(
            `snapshot "${snapshotId}": disk file "${path}" is ${size === undefined ? 'missing' : `${size} bytes`}, expected ${disk.sizeBytes}`,
          );
        }
      }
    }
    return info;
  }

  /** Source states once no source has been modified for quietMs (waits at most ~20 × quietMs). */
  async #quietStates(sources: string[], snapshotId: string): Promise<SourceState[]> {
    for (let wait = 0; ; wait++) {
      const states = await sourceStates(sources, snapshotId);
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const quietNs = BigInt(this.#quietMs) * 1_000_000n;
      let latest = 0n;
      for (const s of states) for (const t of [s.mtimeNs, s.ctimeNs]) if (t > latest) latest = t;
      if (this.#quietMs <= 0 || nowNs - latest >= quietNs || wait >= 20) return states;
      await new Promise((r) => setTimeout(r, Number((quietNs - (nowNs - latest)) / 1_000_000n) + 1));
    }
  }
}

// ---------------------------------------------------------------- disk reader

class LocalDiskReader implements DiskReader {
  readonly size: number;
  readonly #path: string;
  #fh: FileHandle | undefined;

  constructor(fh: FileHandle, path: string, size: number) {
    this.#fh = fh;
    this.#path = path;
    this.size = size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new DiskReadError(
        `disk "${this.#path}": offset must be a non-negative integer, got ${offset}; nothing read`,
      );
    }
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_READ_BYTES) {
      throw new DiskReadError(
        `disk "${this.#path}": length must be an integer from 0 to ${MAX_READ_BYTES}, got ${length}; nothing read`,
      );
    }
    const fh = this.#fh;
    if (!fh) throw new DiskReadError(`disk "${this.#path}" is closed; nothing read`);
    const want = Math.max(0, Math.min(length, this.size - offset));
    const out = new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await fh.read(out, done, want - done, offset + done);
      if (bytesRead === 0) {
        throw new CorruptSnapshotError(
          `disk "${this.#path}" ended at ${offset + done} bytes, before its recorded size ${this.size}; read failed`,
        );
      }
      done += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }
}

// ---------------------------------------------------------------- helpers

function checkTenantId(tenantId: string): void {
  if (!TenantId.safeParse(tenantId).success) {
    throw new InvalidSnapshotRequestError(`tenant id "${tenantId}" is not valid; nothing was done`);
  }
}

function checkSnapshotId(snapshotId: string): void {
  // SnapshotId allows "." and "..": never a path component here, nor anything hidden (.tmp-, .trash-).
  if (!SnapshotId.safeParse(snapshotId).success || snapshotId.startsWith('.')) {
    throw new InvalidSnapshotRequestError(
      `snapshot id "${snapshotId}" is not valid (1-128 of A-Z a-z 0-9 _ . : -, not starting with "."); nothing was done`,
    );
  }
}

const diskFileName = (index: number) => `disk${index}.img`;

function sameSnapshotOrThrow(existing: SnapshotInfo, guestId: string, sources: string[]): SnapshotInfo {
  const sameDisks =
    existing.disks.length === sources.length && existing.disks.every((d, i) => d.source === sources[i]);
  if (existing.guestId !== guestId || !sameDisks) {
    throw new SnapshotConflictError(
      `snapshot id "${existing.snapshotId}" of tenant "${existing.tenantId}" is already a snapshot of guest ` +
        `"${existing.guestId}" (${existing.disks.map((d) => d.source).join(', ')}); not created for guest "${guestId}"`,
    );
  }
  return existing;
}

async function sourceStates(sources: string[], snapshotId?: string): Promise<SourceState[]> {
  const states: SourceState[] = [];
  for (const path of sources) {
    let s: Awaited<ReturnType<typeof statBig>>;
    try {
      s = await statBig(path);
    } catch (error) {
      throw new SnapshotSourceError(
        path,
        `snapshot${snapshotId ? ` "${snapshotId}"` : ''} not created: source disk "${path}" cannot be read: ${messageOf(error)}`,
        { cause: error },
      );
    }
    if (!s.isFile()) {
      throw new SnapshotSourceError(
        path,
        `snapshot not created: source disk "${path}" is not a regular file`,
      );
    }
    states.push({ path, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, ino: s.ino, dev: s.dev });
  }
  return states;
}

const statBig = (path: string) => stat(path, { bigint: true });

function sameState(a: SourceState, b: SourceState): boolean {
  return (
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs &&
    a.ino === b.ino &&
    a.dev === b.dev
  );
}

function toSafeNumber(value: bigint, path: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SnapshotSourceError(
      path,
      `snapshot not created: source disk "${path}" is too large (${value} bytes)`,
    );
  }
  return Number(value);
}

/**
 * Removes `.tmp-*` and `.trash-*` folders left by processes that are gone (crashed or killed mid-build or
 * mid-delete). Folders of live processes (this one included) are left alone: they may still be working.
 */
async function sweepAbandoned(tenantDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tenantDir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^\.(?:tmp|trash)-.+-(\d+)-[0-9a-f]{12}$/.exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    await rm(join(tenantDir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

async function writeFileDurably(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  const fh = await open(temp, 'wx', 0o644);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, path);
}

/** fsync a file or folder; folders cannot be fsynced everywhere, which is not an error. */
async function fsyncPath(path: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    await fh.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await fh?.close();
  }
}

async function entryKind(entry: Dirent, path: string): Promise<'file' | 'dir' | 'other'> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'other'; // dangling link
  }
}

async function diskImagesIn(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const disks: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || !isDiskImage(entry.name)) continue;
    const path = join(dir, entry.name);
    if ((await entryKind(entry, path)) === 'file') disks.push(path);
  }
  return disks.sort((a, b) => byName(basename(a), basename(b)));
}

function isDiskImage(name: string): boolean {
  return (DISK_IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}

function stripExtension(name: string): string {
  return name.slice(0, name.length - extname(name).length);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
/** Numbers compared as numbers; ties (if any) broken by code units so the order is total. */
function byName(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
