/**
 * Keyrings named by the administrator: files (`.asc` armoured or `.gpg` binary, as in apt's
 * `trusted.gpg.d`) or folders of them, from `--keyring` or OUTBOARD_FEED_KEYRINGS (comma-separated).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Keyring, readKeyring } from './keyring.ts';
import { OpenPgpError } from './packets.ts';

export const FEED_KEYRINGS_ENV = 'OUTBOARD_FEED_KEYRINGS';

const KEY_FILE = /\.(asc|gpg|pgp)$/i;

/** The keyring paths of the environment variable (empty: none, nothing is verified). */
export function keyringPathsFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Reads every keyring file named (a folder: its `.asc`, `.gpg` and `.pgp` files). */
export async function loadKeyring(paths: readonly string[]): Promise<Keyring> {
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      throw new OpenPgpError(`keyring ${path}: ${(error as Error).message}`);
    }
    const names = info.isDirectory()
      ? (await readdir(path))
          .filter((n) => KEY_FILE.test(n))
          .sort()
          .map((n) => join(path, n))
      : [path];
    for (const name of names) files.push({ name, bytes: await readFile(name) });
  }
  const keyring = readKeyring(files);
  if (keyring.keys.length === 0)
    throw new OpenPgpError(
      `no usable signing key in ${paths.join(', ')}${keyring.skipped.length ? ` (${keyring.skipped.join('; ')})` : ''}`,
    );
  return keyring;
}
