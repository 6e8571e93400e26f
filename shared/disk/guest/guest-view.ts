/**
 * A guest's files as the guest sees them: one root filesystem with others mounted on it, paths
 * resolved component by component. Symlinks resolve inside the guest root — an absolute target
 * starts again at the guest's `/`, and `..` at the root stays at the root — so no path can escape
 * it. At most 40 symlinks are followed in one resolution, as Linux allows; more is ELOOP.
 */
import { Readable } from 'node:stream';
import type { DirEntry, FileSystem, FsNode } from '../types.ts';

export const MAX_SYMLINK_FOLLOWS = 40;
const MAX_PATH_COMPONENTS = 4096;

export interface Mount {
  /** Absolute, normalized: `/`, `/var`, `/boot/efi`. */
  mountPoint: string;
  volumeId: string;
  fs: FileSystem;
}

export type GuestPathErrorCode = 'ENOENT' | 'ENOTDIR' | 'ELOOP' | 'EISDIR' | 'EINVAL' | 'EFBIG';

export class GuestPathError extends Error {
  override name = 'GuestPathError';
  readonly code: GuestPathErrorCode;
  readonly path: string;
  constructor(code: GuestPathErrorCode, path: string, message: string) {
    super(`${code}: ${path}: ${message}`);
    this.code = code;
    this.path = path;
  }
}

export interface Resolved {
  /** The canonical guest path (symlinks resolved). */
  path: string;
  mount: Mount;
  node: FsNode;
}

interface Step {
  name: string;
  mount: Mount;
  node: FsNode;
}

export interface WalkEntry extends Resolved {
  /** The mount point this entry is the root of, if it is one. */
  isMountRoot: boolean;
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

const joinPath = (stack: Step[]) => `/${stack.map((s) => s.name).join('/')}`;

export class GuestView {
  readonly mounts: readonly Mount[];
  private readonly byPoint: Map<string, Mount>;
  private readonly rootMount: Mount;

  constructor(mounts: Mount[]) {
    const root = mounts.find((m) => m.mountPoint === '/');
    if (!root) throw new GuestPathError('EINVAL', '/', 'no filesystem is mounted at /');
    this.rootMount = root;
    this.mounts = [...mounts].sort((a, b) => a.mountPoint.length - b.mountPoint.length);
    this.byPoint = new Map(this.mounts.map((m) => [m.mountPoint, m]));
  }

  /** Resolves a guest path; `follow` decides whether a symlink in the last component is followed. */
  async resolve(path: string, options: { follow?: boolean } = {}): Promise<Resolved> {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new GuestPathError('EINVAL', String(path), 'guest paths are absolute');
    }
    const follow = options.follow ?? true;
    const rootNode = await this.rootMount.fs.root();
    let stack: Step[] = [];
    let pending = components(path);
    let follows = 0;
    const current = (): { mount: Mount; node: FsNode } =>
      stack.length ? stack[stack.length - 1]! : { mount: this.rootMount, node: rootNode };
    while (pending.length > 0) {
      if (pending.length > MAX_PATH_COMPONENTS) throw new GuestPathError('EINVAL', path, 'path too long');
      const name = pending.shift()!;
      if (name === '..') {
        stack.pop();
        continue;
      }
      const here = current();
      if (here.node.type !== 'dir') throw new GuestPathError('ENOTDIR', joinPath(stack), 'not a directory');
      const canonical = `${joinPath(stack)}/${name}`.replace('//', '/');
      // A mount point covers whatever the parent filesystem has there, even nothing at all.
      const mountedHere = this.byPoint.get(canonical);
      if (mountedHere && mountedHere !== here.mount) {
        stack.push({ name, mount: mountedHere, node: await mountedHere.fs.root() });
        continue;
      }
      const entry = await here.mount.fs.lookup(here.node, name);
      if (!entry) throw new GuestPathError('ENOENT', canonical, 'no such file or directory');
      const mount = here.mount;
      const node = await mount.fs.getNode(entry.ino);
      const isLast = pending.length === 0;
      if (node.type === 'symlink' && (!isLast || follow)) {
        if (++follows > MAX_SYMLINK_FOLLOWS) {
          throw new GuestPathError('ELOOP', path, `more than ${MAX_SYMLINK_FOLLOWS} symbolic links`);
        }
        const target = await mount.fs.readlink(node);
        if (target === '') throw new GuestPathError('ENOENT', path, 'empty symbolic link');
        if (target.startsWith('/')) stack = [];
        pending = [...components(target), ...pending];
        continue;
      }
      stack.push({ name, mount, node });
    }
    const here = current();
    return { path: joinPath(stack), mount: here.mount, node: here.node };
  }

  async stat(path: string): Promise<FsNode> {
    return (await this.resolve(path, { follow: true })).node;
  }

  async lstat(path: string): Promise<FsNode> {
    return (await this.resolve(path, { follow: false })).node;
  }

  async readlink(path: string): Promise<string> {
    const r = await this.resolve(path, { follow: false });
    if (r.node.type !== 'symlink') throw new GuestPathError('EINVAL', path, 'not a symbolic link');
    return r.mount.fs.readlink(r.node);
  }

  async readdir(path: string): Promise<DirEntry[]> {
    const r = await this.resolve(path);
    if (r.node.type !== 'dir') throw new GuestPathError('ENOTDIR', path, 'not a directory');
    return r.mount.fs.readdir(r.node);
  }

  /** The whole file; refuses files over `maxBytes` (default 64 MiB) rather than allocating them. */
  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const r = await this.resolve(path);
    if (r.node.type === 'dir') throw new GuestPathError('EISDIR', path, 'is a directory');
    if (r.node.type !== 'file')
      throw new GuestPathError('EINVAL', path, `is a ${r.node.type}, not a regular file`);
    const max = options.maxBytes ?? 64 * 1024 * 1024;
    if (r.node.size > max) throw new GuestPathError('EFBIG', path, `${r.node.size} bytes, more than ${max}`);
    return r.mount.fs.read(r.node, 0, r.node.size);
  }

  /** Streams a regular file in chunks (default 1 MiB), reading as the consumer pulls. */
  createReadStream(path: string, options: { chunkSize?: number } = {}): Readable {
    const chunk = options.chunkSize ?? 1024 * 1024;
    const self = this;
    return Readable.from(
      (async function* () {
        const r = await self.resolve(path);
        if (r.node.type !== 'file')
          throw new GuestPathError('EINVAL', path, `is a ${r.node.type}, not a regular file`);
        for (let offset = 0; offset < r.node.size; offset += chunk) {
          const bytes = await r.mount.fs.read(r.node, offset, Math.min(chunk, r.node.size - offset));
          yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
      })(),
      { objectMode: false },
    );
  }

  /**
   * Every entry below `path` (itself first), depth first with names sorted, crossing into mounted
   * filesystems, never following symlinks. A directory reached twice (a loop through corruption) is
   * walked once.
   */
  async *walk(path = '/'): AsyncGenerator<WalkEntry> {
    const start = await this.resolve(path);
    const seen = new Set<string>();
    const self = this;
    async function* visit(at: Resolved): AsyncGenerator<WalkEntry> {
      yield { ...at, isMountRoot: self.byPoint.get(at.path) === at.mount };
      if (at.node.type !== 'dir') return;
      const key = `${at.mount.volumeId}:${at.node.ino}`;
      if (seen.has(key)) return;
      seen.add(key);
      const names = new Map<string, number | undefined>();
      for (const e of await at.mount.fs.readdir(at.node)) names.set(e.name, e.ino);
      // Mount points show up even where the parent filesystem has no directory for them.
      const prefix = at.path === '/' ? '/' : `${at.path}/`;
      for (const m of self.mounts) {
        const rest = m.mountPoint.startsWith(prefix) ? m.mountPoint.slice(prefix.length) : '';
        if (rest !== '' && !rest.includes('/') && !names.has(rest)) names.set(rest, undefined);
      }
      for (const name of [...names.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
        const childPath = `${prefix}${name}`;
        const mounted = self.byPoint.get(childPath);
        if (mounted && mounted !== at.mount) {
          yield* visit({ path: childPath, mount: mounted, node: await mounted.fs.root() });
          continue;
        }
        const ino = names.get(name);
        if (ino === undefined) continue;
        yield* visit({ path: childPath, mount: at.mount, node: await at.mount.fs.getNode(ino) });
      }
    }
    yield* visit(start);
  }
}
