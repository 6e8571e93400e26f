/**
 * The walk dispatch plans from: every entry of a guest, depth first with names sorted (the order of
 * `GuestView.walk` and of `comparePaths`), crossing into mounted filesystems, never following symlinks —
 * plus what `GuestView.walk` cannot do:
 * - pruning: a directory the caller's `prune` refuses is yielded but not entered, so an excluded
 *   `/var/lib/docker` costs one `prune` call, not a walk of its million files;
 * - damage tolerance: a directory that cannot be read or an inode that cannot be loaded is yielded as
 *   an error entry and the walk goes on (the planner reports it as not scanned), where `GuestView.walk`
 *   would throw and lose the whole scan;
 * - latency hiding: the inodes of a directory's entries are loaded a window at a time, concurrently,
 *   which matters when every inode read may be a block fetched from a snapshot API.
 */
import type { Mount, Resolved } from '../../disk/guest/guest-view.ts';
import type { DirEntry, FsNode, NodeType } from '../../disk/types.ts';

/** The fields planning needs from an inode (`FsNode` has them all). */
export interface WalkNode {
  ino: number;
  type: NodeType;
  size: number;
  mtime: number;
  ctime: number;
}

/** A walked entry, or an entry the walk could not read (`error` says why). */
export type ScanWalkEntry =
  | { path: string; node: WalkNode; isMountRoot?: boolean }
  | { path: string; error: string; node?: undefined; type?: NodeType };

/** A source that can skip a directory's contents when `prune(dir)` says so. */
export interface PrunableSource {
  walk(prune: (dir: string) => boolean): AsyncIterable<ScanWalkEntry>;
}

/** What planning accepts: a plain sequence of entries (no pruning; e.g. `GuestView.walk()`) or a prunable source. */
export type ScanSource = AsyncIterable<ScanWalkEntry> | Iterable<ScanWalkEntry> | PrunableSource;

/** The part of `GuestView` the walker needs. */
export interface WalkableGuest {
  readonly mounts: readonly Mount[];
  resolve(path: string, options?: { follow?: boolean }): Promise<Resolved>;
}

export interface GuestWalkOptions {
  /** Where to start (default `/`). */
  root?: string;
  /**
   * Inodes of one directory loaded at once (default 8). Worth raising over a high-latency source (EBS)
   * once the filesystem reader shares in-flight metadata block reads; over a local image it gains nothing.
   */
  concurrency?: number;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const byCodeUnits = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

interface At {
  path: string;
  mount: Mount;
  node: FsNode;
}

/** A prunable source over a guest view. */
export function guestScanSource(view: WalkableGuest, options: GuestWalkOptions = {}): PrunableSource {
  const root = options.root ?? '/';
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`guest walk: concurrency must be a positive integer, not ${concurrency}`);
  }
  return {
    async *walk(prune) {
      const byPoint = new Map(view.mounts.map((m) => [m.mountPoint, m]));
      let start: Resolved;
      try {
        start = await view.resolve(root, { follow: false });
      } catch (error) {
        yield { path: root, error: messageOf(error) };
        return;
      }
      const seen = new Set<string>();

      async function* visit(at: At): AsyncGenerator<ScanWalkEntry> {
        yield { path: at.path, node: at.node, isMountRoot: byPoint.get(at.path) === at.mount };
        if (at.node.type !== 'dir' || prune(at.path)) return;
        const key = `${at.mount.volumeId}:${at.node.ino}`;
        if (seen.has(key)) return;
        seen.add(key);
        const names = new Map<string, DirEntry | undefined>();
        try {
          for (const e of await at.mount.fs.readdir(at.node)) names.set(e.name, e);
        } catch (error) {
          yield { path: at.path, error: `directory not readable: ${messageOf(error)}`, type: 'dir' };
          return;
        }
        const prefix = at.path === '/' ? '/' : `${at.path}/`;
        // Mount points show up even where the parent filesystem has no directory for them.
        for (const m of view.mounts) {
          const rest = m.mountPoint.startsWith(prefix) ? m.mountPoint.slice(prefix.length) : '';
          if (rest !== '' && !rest.includes('/') && !names.has(rest)) names.set(rest, undefined);
        }
        const sorted = [...names.keys()].sort(byCodeUnits);
        for (let from = 0; from < sorted.length; from += concurrency) {
          const window = sorted.slice(from, from + concurrency);
          const loaded = await Promise.allSettled(
            window.map(async (name): Promise<At | undefined> => {
              const path = `${prefix}${name}`;
              const mounted = byPoint.get(path);
              if (mounted && mounted !== at.mount)
                return { path, mount: mounted, node: await mounted.fs.root() };
              const entry = names.get(name);
              if (entry === undefined) return undefined;
              return { path, mount: at.mount, node: await at.mount.fs.getNode(entry.ino) };
            }),
          );
          for (let k = 0; k < window.length; k++) {
            const r = loaded[k]!;
            if (r.status === 'rejected') {
              const name = window[k]!;
              const type = names.get(name)?.type;
              const error = `inode not readable: ${messageOf(r.reason)}`;
              yield type ? { path: `${prefix}${name}`, error, type } : { path: `${prefix}${name}`, error };
            } else if (r.value) {
              yield* visit(r.value);
            }
          }
        }
      }

      yield* visit(start);
    },
  };
}

export function isPrunable(source: ScanSource): source is PrunableSource {
  return typeof (source as PrunableSource).walk === 'function';
}
