/**
 * Installed kernels and the one the bootloader starts by default.
 *
 * Kernels come from `/boot/vmlinuz-*` (Alpine names them by flavour: `vmlinuz-lts`), from
 * `/lib/modules/*` and `/usr/lib/modules/*` (where RHEL and Fedora also keep `vmlinuz`), and from
 * kernel packages: dpkg `linux-image-<release>`, rpm `kernel-core`/`kernel`, apk `linux-<flavour>`.
 *
 * The default is read from the bootloader's own configuration: GRUB 2 (`grub.cfg` menu entries,
 * `set default=`, `saved_entry` in `grubenv`), GRUB with Boot Loader Specification entries
 * (RHEL 8/9, Fedora: `blscfg`, `/boot/loader/entries/*.conf`, `saved_entry` in `grubenv`),
 * systemd-boot (`loader.conf` `default`) and extlinux (Alpine: `DEFAULT`, `MENU DEFAULT`). When the
 * configuration does not say (no bootloader found, `@saved`, GRUB's own sort order), no kernel is
 * marked and a note says so: a default is never guessed.
 */
import { printable } from './control.ts';
import { describeError, exists, listDir, plainOrder, readText } from './read.ts';
import type { Evidence, GuestFiles, InstalledKernel, InstalledPackage } from './types.ts';

/** GRUB's own variable references, as grub-mkconfig writes them in `set default=`. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: GRUB syntax, matched literally
export const GRUB_NEXT_ENTRY = '${next_entry}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: GRUB syntax, matched literally
export const GRUB_SAVED_ENTRY = '${saved_entry}';

const RELEASE = /^\d+\.\d+[A-Za-z0-9._+~-]*$/;
const APK_FLAVOURS = new Set(['lts', 'virt', 'edge', 'rpi', 'rpi2', 'rpi4', 'stable']);

export interface KernelsResult {
  kernels: InstalledKernel[];
  notes: string[];
}

interface Found {
  release: string;
  image?: Evidence;
  modules?: Evidence;
  package?: { name: string; evidence: Evidence };
}

/** The kernel release a package installs, if it is a kernel package. */
export function kernelReleaseOfPackage(p: InstalledPackage): string | undefined {
  if (p.format === 'dpkg') {
    const m = /^linux-image-(?:unsigned-)?(.+)$/.exec(p.name);
    return m && RELEASE.test(m[1]!) && !m[1]!.endsWith('-dbg') ? m[1] : undefined;
  }
  if (p.format === 'rpm') {
    if (p.name !== 'kernel-core' && p.name !== 'kernel') return undefined;
    const v = p.version.replace(/^\d+:/, '');
    return p.arch ? `${v}.${p.arch}` : v;
  }
  const m = /^linux-(.+)$/.exec(p.name);
  if (!m || !APK_FLAVOURS.has(m[1]!)) return undefined;
  const v = /^(.+)-r(\d+)$/.exec(p.version);
  return v ? `${v[1]}-${v[2]}-${m[1]}` : undefined;
}

export async function collectKernels(
  files: GuestFiles,
  packages: InstalledPackage[],
): Promise<KernelsResult> {
  const notes: string[] = [];
  const found = new Map<string, Found>();
  const get = (release: string) => {
    const f = found.get(release) ?? { release };
    found.set(release, f);
    return f;
  };
  const list = async (path: string) => {
    try {
      return await listDir(files, path);
    } catch (error) {
      notes.push(`${path}: cannot be listed (${describeError(error)})`);
      return undefined;
    }
  };

  for (const base of ['/lib/modules', '/usr/lib/modules']) {
    for (const e of (await list(base)) ?? []) {
      if (!RELEASE.test(e.name) || (e.type !== 'dir' && e.type !== 'symlink')) continue;
      const f = get(e.name);
      f.modules ??= { file: `${base}/${e.name}`, collector: 'kernel-modules' };
      if (!f.image && (await exists(files, `${base}/${e.name}/vmlinuz`).catch(() => false))) {
        f.image = { file: `${base}/${e.name}/vmlinuz`, collector: 'kernel-image' };
      }
    }
  }
  for (const p of packages) {
    const release = kernelReleaseOfPackage(p);
    if (!release) continue;
    const f = get(release);
    // RHEL has both `kernel` and `kernel-core` at one version; the files belong to kernel-core.
    if (!f.package || p.name === 'kernel-core') f.package = { name: p.name, evidence: p.evidence };
  }
  const flavourImages: { flavour: string; path: string }[] = [];
  for (const e of (await list('/boot')) ?? []) {
    const m = /^vmlinu[xz]-(.+)$/.exec(e.name);
    if (!m || e.type === 'dir' || m[1]!.includes('-rescue-')) continue;
    const path = `/boot/${e.name}`;
    if (RELEASE.test(m[1]!)) get(m[1]!).image ??= { file: path, collector: 'kernel-image' };
    else flavourImages.push({ flavour: m[1]!, path });
  }
  for (const { flavour, path } of flavourImages) {
    const release = releaseForFlavour([...found.keys()], flavour);
    if (release) get(release).image ??= { file: path, collector: 'kernel-image' };
    else notes.push(`${path}: no installed kernel release of flavour "${printable(flavour)}" matches it`);
  }

  const kernels: InstalledKernel[] = [];
  for (const f of [...found.values()].sort((a, b) => plainOrder(a.release, b.release))) {
    const evidence = f.image ?? f.package?.evidence ?? f.modules!;
    const k: InstalledKernel = { release: f.release, bootDefault: false, evidence };
    if (f.package) k.package = f.package.name;
    if (!f.image && !f.package) {
      notes.push(
        `kernel ${f.release}: only a modules directory (${f.modules!.file}), no kernel image or package`,
      );
    }
    kernels.push(k);
  }
  if (kernels.length === 0) return { kernels, notes };

  const boot = await bootDefault(files, (path) => releaseOfImagePath(path, [...found.keys()]));
  notes.push(...boot.notes);
  if (boot.release) {
    const k = kernels.find((x) => x.release === boot.release);
    if (k) k.bootDefault = true;
    else
      notes.push(
        `the default boot entry (${boot.source}) starts kernel ${boot.release}, which is not installed`,
      );
  } else if (boot.notes.length === 0) {
    notes.push('no bootloader configuration names a default kernel');
  }
  return { kernels, notes };
}

function releaseForFlavour(releases: string[], flavour: string): string | undefined {
  const matches = releases.filter((r) => r.endsWith(`-${flavour}`));
  return matches.length === 1 ? matches[0] : undefined;
}

/** `/boot/vmlinuz-6.1.0-13-amd64`, `/vmlinuz-5.14.0-….x86_64`, `vmlinuz-lts` → a release. */
export function releaseOfImagePath(path: string, releases: string[]): string | undefined {
  const base =
    path
      .replace(/^\([^)]*\)/, '')
      .split('/')
      .pop() ?? '';
  const m = /^vmlinu[xz]-(.+)$/.exec(base);
  if (!m) return undefined;
  if (RELEASE.test(m[1]!)) return m[1];
  return releaseForFlavour(releases, m[1]!);
}

export interface BootDefault {
  release?: string;
  /** The file that said so. */
  source?: string;
  notes: string[];
}

type ToRelease = (imagePath: string) => string | undefined;

export async function bootDefault(files: GuestFiles, toRelease: ToRelease): Promise<BootDefault> {
  const notes: string[] = [];
  const read = async (path: string) => {
    try {
      return await readText(files, path);
    } catch (error) {
      notes.push(`${path}: cannot be read (${describeError(error)})`);
      return undefined;
    }
  };
  for (const dir of ['/boot/grub', '/boot/grub2']) {
    const cfg = await read(`${dir}/grub.cfg`);
    if (cfg === undefined) continue;
    const env = parseGrubenv((await read(`${dir}/grubenv`)) ?? '');
    const r = /^\s*blscfg\b/m.test(cfg)
      ? await blsDefault(files, env, `${dir}/grubenv`, toRelease)
      : grubDefault(cfg, `${dir}/grub.cfg`, env, `${dir}/grubenv`, toRelease);
    return { ...r, notes: [...notes, ...r.notes] };
  }
  for (const root of ['/boot', '/boot/efi', '/efi']) {
    const conf = await read(`${root}/loader/loader.conf`);
    if (conf === undefined) continue;
    const r = await systemdBootDefault(files, conf, root, toRelease);
    return { ...r, notes: [...notes, ...r.notes] };
  }
  for (const path of ['/boot/extlinux.conf', '/boot/extlinux/extlinux.conf']) {
    const conf = await read(path);
    if (conf === undefined) continue;
    const r = extlinuxDefault(conf, path, toRelease);
    return { ...r, notes: [...notes, ...r.notes] };
  }
  return { notes };
}

/** grubenv: `# GRUB Environment Block`, `key=value` lines, `#` padding to 1 KiB. */
export function parseGrubenv(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at > 0) env.set(line.slice(0, at), line.slice(at + 1).replace(/\\(.)/g, '$1'));
  }
  return env;
}

interface MenuItem {
  kind: 'menuentry' | 'submenu';
  title: string;
  id?: string;
  kernel?: string;
  items: MenuItem[];
}

/** Shell-like words: '…' literal, "…" with backslash escapes, bare words. */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let word = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return undefined;
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          word += line[i++];
        }
        if (i >= line.length) return undefined;
        i++;
      } else if (c === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

/** The menu tree and the `set default=` values of a grub.cfg; undefined if its braces do not balance. */
export function parseGrubCfg(text: string): { items: MenuItem[]; defaults: string[] } | undefined {
  const root: MenuItem = { kind: 'submenu', title: '', items: [] };
  const stack: (MenuItem | null)[] = [];
  const defaults: string[] = [];
  const container = () => {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]) return stack[i]!;
    return root;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = /^(menuentry|submenu)\s/.test(line) ? shellWords(line) : undefined;
    if (words && words.length >= 2) {
      const item: MenuItem = { kind: words[0] as MenuItem['kind'], title: words[1]!, items: [] };
      const idAt = words.findIndex((w) => w === '$menuentry_id_option' || w === '--id');
      if (idAt > 0 && words[idAt + 1]) item.id = words[idAt + 1]!;
      const parent = container();
      if (parent.kind !== 'submenu') return undefined;
      parent.items.push(item);
      if (line.endsWith('{')) stack.push(item);
      continue;
    }
    if (line === '}') {
      if (stack.length === 0) return undefined;
      stack.pop();
      continue;
    }
    const current = stack[stack.length - 1];
    const kernel = /^(?:linux|linuxefi|linux16|kernel)\s+(\S+)/.exec(line);
    if (kernel && current?.kind === 'menuentry') {
      current.kernel ??= kernel[1]!;
      continue;
    }
    const set = /^set\s+default=(.*)$/.exec(line);
    if (set && stack.length === 0) {
      const w = shellWords(set[1]!);
      if (w && w.length === 1) defaults.push(w[0]!);
      continue;
    }
    if (line.endsWith('{')) stack.push(null);
  }
  return stack.length === 0 ? { items: root.items, defaults } : undefined;
}

/** Follows a GRUB default (`2`, `1>2`, an id, a title, `id>id`) through the menu tree. */
export function resolveGrubEntry(items: MenuItem[], spec: string): MenuItem | undefined {
  let level = items;
  let found: MenuItem | undefined;
  for (const part of spec.split('>')) {
    found = /^\d+$/.test(part) ? level[Number(part)] : level.find((i) => i.id === part || i.title === part);
    if (!found) return undefined;
    level = found.items;
  }
  return found;
}

function grubDefault(
  cfg: string,
  cfgPath: string,
  env: Map<string, string>,
  envPath: string,
  toRelease: ToRelease,
): BootDefault {
  const parsed = parseGrubCfg(cfg);
  if (!parsed)
    return { notes: [`${cfgPath}: menu entries could not be parsed (unbalanced braces or quotes)`] };
  // `${next_entry}` is a one-shot override for the next boot only; the standing default is the other.
  const standing = parsed.defaults.filter((d) => d !== GRUB_NEXT_ENTRY);
  let spec = standing.length ? standing[standing.length - 1]! : '0';
  let source = cfgPath;
  if (spec === GRUB_SAVED_ENTRY) {
    spec = env.get('saved_entry') || '0';
    source = env.has('saved_entry') ? envPath : cfgPath;
  } else if (spec.includes('$')) {
    return {
      notes: [`${cfgPath}: default "${printable(spec)}" depends on a variable this reader does not follow`],
    };
  }
  const entry = resolveGrubEntry(parsed.items, spec);
  if (entry?.kind !== 'menuentry') {
    return { notes: [`${source}: default "${printable(spec)}" names no menu entry in ${cfgPath}`] };
  }
  const release = entry.kernel ? toRelease(entry.kernel) : undefined;
  if (!release) {
    return {
      notes: [
        `${cfgPath}: the default entry "${printable(entry.title)}" starts no kernel this reader recognises`,
      ],
    };
  }
  return { release, source, notes: [] };
}

/** A BLS entry: `key value` lines. */
export function parseBlsEntry(text: string): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z][a-z0-9_-]*)(?:[ \t]+(.*))?$/.exec(line);
    if (!m) return undefined;
    if (!fields.has(m[1]!)) fields.set(m[1]!, (m[2] ?? '').trim());
  }
  return fields;
}

async function blsEntries(
  files: GuestFiles,
  dir: string,
  toRelease: ToRelease,
  notes: string[],
): Promise<{ id: string; title?: string; release?: string }[]> {
  const entries: { id: string; title?: string; release?: string }[] = [];
  let listing: { name: string; type: string }[] | undefined;
  try {
    listing = await listDir(files, dir);
  } catch (error) {
    notes.push(`${dir}: cannot be listed (${describeError(error)})`);
  }
  for (const e of (listing ?? [])
    .filter((x) => x.name.endsWith('.conf'))
    .sort((a, b) => plainOrder(a.name, b.name))) {
    const text = await readText(files, `${dir}/${e.name}`).catch(() => undefined);
    const fields = text === undefined ? undefined : parseBlsEntry(text);
    if (!fields) {
      notes.push(`${dir}/${e.name}: not a boot loader entry this reader understands; ignored`);
      continue;
    }
    // `version` is the kernel release (kernel-install, RHEL); the image path says it otherwise.
    const linux = fields.get('linux');
    const version = fields.get('version');
    const release =
      (version && RELEASE.test(version) ? version : undefined) ?? (linux ? toRelease(linux) : undefined);
    const entry: { id: string; title?: string; release?: string } = { id: e.name.slice(0, -'.conf'.length) };
    const title = fields.get('title');
    if (title !== undefined) entry.title = title;
    if (release) entry.release = release;
    entries.push(entry);
  }
  return entries;
}

async function blsDefault(
  files: GuestFiles,
  env: Map<string, string>,
  envPath: string,
  toRelease: ToRelease,
): Promise<BootDefault> {
  const notes: string[] = [];
  const entries = await blsEntries(files, '/boot/loader/entries', toRelease, notes);
  const saved = env.get('saved_entry');
  if (!saved) {
    notes.push(
      `${envPath}: no saved_entry; GRUB boots the first BLS entry in its own version order, which this reader does not decide`,
    );
    return { notes };
  }
  const entry = entries.find((e) => e.id === saved || e.title === saved);
  if (!entry)
    return {
      notes: [
        ...notes,
        `${envPath}: saved_entry "${printable(saved)}" names no entry in /boot/loader/entries`,
      ],
    };
  if (!entry.release)
    return { notes: [...notes, `/boot/loader/entries/${entry.id}.conf: no kernel this reader recognises`] };
  return { release: entry.release, source: envPath, notes };
}

async function systemdBootDefault(
  files: GuestFiles,
  conf: string,
  root: string,
  toRelease: ToRelease,
): Promise<BootDefault> {
  const notes: string[] = [];
  const confPath = `${root}/loader/loader.conf`;
  let pattern: string | undefined;
  for (const raw of conf.split('\n')) {
    const m = /^\s*default\s+(.+?)\s*$/.exec(raw);
    if (m) pattern = m[1]!;
  }
  if (!pattern || pattern.startsWith('@')) {
    notes.push(
      `${confPath}: ${pattern ? `default "${printable(pattern)}" is kept in an EFI variable` : 'no default'}; systemd-boot's choice is not decided here`,
    );
    return { notes };
  }
  const entries = await blsEntries(files, `${root}/loader/entries`, toRelease, notes);
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const matches = entries.filter((e) => re.test(e.id) || re.test(`${e.id}.conf`));
  const releases = new Set(matches.map((e) => e.release));
  if (matches.length === 0 || releases.size !== 1 || !matches[0]!.release) {
    notes.push(
      `${confPath}: default "${printable(pattern)}" matches ${matches.length} entries with ${releases.size} kernel(s); not decided`,
    );
    return { notes };
  }
  return { release: matches[0]!.release, source: confPath, notes };
}

/** extlinux/syslinux: `DEFAULT label` (or `menu.c32` with `MENU DEFAULT` in a label), `LABEL` blocks with `LINUX`/`KERNEL`. */
export function extlinuxDefault(conf: string, path: string, toRelease: ToRelease): BootDefault {
  const labels: { name: string; kernel?: string; menuDefault: boolean }[] = [];
  let def: string | undefined;
  for (const raw of conf.split('\n')) {
    const line = raw.trim();
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const word = m[1]!.toUpperCase();
    const arg = (m[2] ?? '').trim();
    const current = labels[labels.length - 1];
    if (word === 'DEFAULT') def = arg;
    else if (word === 'LABEL') labels.push({ name: arg, menuDefault: false });
    else if ((word === 'LINUX' || word === 'KERNEL') && current) current.kernel ??= arg.split(/\s+/)[0];
    else if (word === 'MENU' && /^default$/i.test(arg) && current) current.menuDefault = true;
  }
  let label = labels.find((l) => l.name === def);
  if (!label && def && /\.c32$/i.test(def)) label = labels.find((l) => l.menuDefault) ?? labels[0];
  if (!label) return { notes: [`${path}: DEFAULT "${printable(def ?? '')}" names no LABEL`] };
  const release = label.kernel ? toRelease(label.kernel) : undefined;
  if (!release)
    return { notes: [`${path}: label "${printable(label.name)}" starts no kernel this reader recognises`] };
  return { release, source: path, notes: [] };
}
