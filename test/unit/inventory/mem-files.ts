/**
 * An in-memory GuestFiles for the inventory tests: files from a map (and/or a directory on this
 * machine, read as if it were the guest's root), directories implied by the paths, symlinks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestFiles } from '../../../shared/inventory/types.ts';

export type MemEntry = Uint8Array | string | { symlink: string };

class MemError extends Error {
  code: string;
  constructor(code: string, path: string) {
    super(`${code}: ${path}`);
    this.code = code;
  }
}

export function memFiles(entries: Record<string, MemEntry>): GuestFiles & { paths: () => string[] } {
  const files = new Map<string, Uint8Array | { symlink: string }>();
  const dirs = new Set<string>(['/']);
  for (const [path, value] of Object.entries(entries)) {
    files.set(path, typeof value === 'string' ? new TextEncoder().encode(value) : value);
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  const resolve = (path: string, depth = 0): string => {
    if (depth > 40) throw new MemError('ELOOP', path);
    const parts = path.split('/').filter(Boolean);
    let at = '';
    for (const [i, part] of parts.entries()) {
      at = `${at}/${part}`;
      const entry = files.get(at);
      if (entry && !(entry instanceof Uint8Array)) {
        const target = entry.symlink.startsWith('/')
          ? entry.symlink
          : `${at.slice(0, at.lastIndexOf('/'))}/${entry.symlink}`;
        return resolve(`${target}/${parts.slice(i + 1).join('/')}`, depth + 1);
      }
    }
    return normalize(at || '/');
  };
  return {
    paths: () => [...files.keys()],
    async readFile(path, options) {
      const p = resolve(path);
      const f = files.get(p);
      if (f instanceof Uint8Array) {
        if (options?.maxBytes !== undefined && f.length > options.maxBytes) throw new MemError('EFBIG', path);
        return f;
      }
      throw new MemError(dirs.has(p) ? 'EISDIR' : 'ENOENT', path);
    },
    async readdir(path) {
      const p = resolve(path);
      if (!dirs.has(p)) throw new MemError(files.has(p) ? 'ENOTDIR' : 'ENOENT', path);
      const prefix = p === '/' ? '/' : `${p}/`;
      const names = new Map<string, string>();
      for (const k of [...files.keys(), ...dirs]) {
        if (!k.startsWith(prefix) || k === p) continue;
        const rest = k.slice(prefix.length);
        const name = rest.split('/')[0]!;
        const full = `${prefix}${name}`;
        const f = files.get(full);
        names.set(name, dirs.has(full) ? 'dir' : f instanceof Uint8Array ? 'file' : 'symlink');
      }
      return [...names].map(([name, type]) => ({ name, type }));
    },
    async stat(path) {
      const p = resolve(path);
      const f = files.get(p);
      if (f instanceof Uint8Array) return { type: 'file', size: f.length };
      if (dirs.has(p)) return { type: 'dir', size: 0 };
      throw new MemError('ENOENT', path);
    },
  };
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** A directory of this machine as guest paths under `at` (default `/`). */
export function treeEntries(dir: string, at = ''): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, treeEntries(full, `${at}/${name}`));
    else out[`${at}/${name}`] = new Uint8Array(readFileSync(full));
  }
  return out;
}

export const FIXTURES = new URL('../../fixtures/inventory/', import.meta.url).pathname;
