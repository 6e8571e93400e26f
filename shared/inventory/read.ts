/**
 * Small helpers the collectors share for reading a guest's files: a missing file is `undefined`
 * (collectors look for many files that a given distribution does not have); every other failure
 * is thrown so the caller can note it.
 */
import type { GuestFiles } from './types.ts';

/** Package databases and boot configuration are small; anything larger is not what we expect. */
export const MAX_DB_BYTES = 256 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readBytes(
  files: GuestFiles,
  path: string,
  maxBytes = MAX_CONFIG_BYTES,
): Promise<Uint8Array | undefined> {
  try {
    return await files.readFile(path, { maxBytes });
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** UTF-8 text, with invalid sequences replaced (configuration files are not always clean UTF-8). */
export async function readText(
  files: GuestFiles,
  path: string,
  maxBytes = MAX_CONFIG_BYTES,
): Promise<string | undefined> {
  const bytes = await readBytes(files, path, maxBytes);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export async function listDir(
  files: GuestFiles,
  path: string,
): Promise<{ name: string; type: string }[] | undefined> {
  try {
    return await files.readdir(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export async function exists(files: GuestFiles, path: string): Promise<boolean> {
  try {
    await files.stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** Code-unit order, so listings and outputs do not depend on the locale. */
export function plainOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
