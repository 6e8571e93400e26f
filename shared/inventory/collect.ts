/**
 * A guest's whole inventory: its OS, the packages of every package manager whose database is
 * there (dpkg, rpm, apk — a guest with more than one is unusual but each is reported), and its
 * kernels. A collector that fails becomes a note saying that part of the inventory is missing; the
 * rest of the inventory is still returned.
 */
import { collectApk } from './apk.ts';
import { collectDpkg } from './dpkg.ts';
import { collectKernels } from './kernels.ts';
import { identifyOs } from './os.ts';
import { describeError } from './read.ts';
import { collectRpm } from './rpm/index.ts';
import type { GuestFiles, InstalledPackage, Inventory } from './types.ts';

export type PackageCollector = (
  files: GuestFiles,
) => Promise<{ packages: InstalledPackage[]; notes: string[] } | undefined>;

/** The package collectors, in the order their packages are listed. */
export const PACKAGE_COLLECTORS: readonly { name: string; collect: PackageCollector }[] = [
  { name: 'dpkg', collect: (files) => collectDpkg(files) },
  { name: 'rpm', collect: (files) => collectRpm(files) },
  { name: 'apk', collect: (files) => collectApk(files) },
];

export async function collectInventory(
  files: GuestFiles,
  options: { collectors?: readonly { name: string; collect: PackageCollector }[] } = {},
): Promise<Inventory> {
  const notes: string[] = [];
  const inventory: Inventory = { packages: [], kernels: [], notes };

  try {
    const { os, notes: osNotes } = await identifyOs(files);
    if (os) inventory.os = os;
    notes.push(...osNotes);
  } catch (error) {
    notes.push(`the OS could not be identified: ${describeError(error)}`);
  }

  const formats: string[] = [];
  for (const { name, collect } of options.collectors ?? PACKAGE_COLLECTORS) {
    try {
      const result = await collect(files);
      if (!result) continue;
      if (result.packages.length || result.notes.length) formats.push(name);
      inventory.packages.push(...result.packages);
      notes.push(...result.notes);
    } catch (error) {
      notes.push(
        `the ${name} packages could not be read, so the package inventory is incomplete: ${describeError(error)}`,
      );
    }
  }
  if (formats.length > 1)
    notes.push(`more than one package manager has installed packages here: ${formats.join(', ')}`);

  try {
    const { kernels, notes: kernelNotes } = await collectKernels(files, inventory.packages);
    inventory.kernels = kernels;
    notes.push(...kernelNotes);
  } catch (error) {
    notes.push(`the kernels could not be listed: ${describeError(error)}`);
  }
  return inventory;
}
