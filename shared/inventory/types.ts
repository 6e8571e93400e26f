/**
 * What a patch scan learns from a guest's disk: which OS it runs and which packages are installed,
 * each with the evidence (file and collector) that says so.
 */

/** Package formats, each with its own version semantics (shared/versions). */
export type PackageFormat = 'dpkg' | 'rpm' | 'apk';

export interface Evidence {
  /** Guest path of the file the fact was read from. */
  file: string;
  /** The collector that read it: `dpkg-status`, `dpkg-status.d`, `rpmdb-sqlite`, `rpmdb-bdb`, `rpmdb-ndb`, `apk-installed`, `os-release`, … */
  collector: string;
}

export interface OsIdentity {
  /** os-release ID: debian, ubuntu, rhel, rocky, almalinux, centos, alpine, … */
  id: string;
  /** os-release VERSION_ID (Alpine: the full 3.20.3), or what the fallback file says. */
  versionId?: string;
  versionCodename?: string;
  prettyName?: string;
  idLike: string[];
  /** The advisory ecosystem this release maps to (OSV naming: `Debian:12`, `Alpine:v3.20`, `Ubuntu:22.04:LTS`, `Rocky Linux:9`, `AlmaLinux:9`, `Red Hat:…`), if known. */
  ecosystem?: string;
  evidence: Evidence;
}

export interface InstalledPackage {
  format: PackageFormat;
  name: string;
  /**
   * The full version as the package manager compares it: dpkg `[epoch:]upstream[-revision]`,
   * rpm `[epoch:]version-release`, apk `version-rN`.
   */
  version: string;
  arch?: string;
  /** The source package it was built from (dpkg Source:, rpm SOURCERPM's name, apk origin o:). */
  source: { name: string; version?: string };
  evidence: Evidence;
}

export interface InstalledKernel {
  /** e.g. 6.1.0-13-amd64, 5.14.0-427.13.1.el9_4.x86_64 */
  release: string;
  /** The package that installed it, if known. */
  package?: string;
  /** The bootloader's configuration names it as the default entry. */
  bootDefault: boolean;
  evidence: Evidence;
}

export interface Inventory {
  os?: OsIdentity;
  packages: InstalledPackage[];
  kernels: InstalledKernel[];
  /** What was found and not understood, files that were missing or damaged, … */
  notes: string[];
}

/** How collectors read the guest: the guest view's read operations (shared/disk/guest/guest-view.ts). */
export interface GuestFiles {
  readFile(path: string, options?: { maxBytes?: number }): Promise<Uint8Array>;
  readdir(path: string): Promise<{ name: string; type: string }[]>;
  stat(path: string): Promise<{ type: string; size: number }>;
}
