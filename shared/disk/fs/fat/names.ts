/**
 * FAT names: 8.3 short names (OEM code page 437, NT lowercase flags), VFAT long-name fragments and
 * their checksum.
 */

/** Code page 437, bytes 0x80–0xFF (Linux's default `codepage=437`). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** DIR_NTRes bits (Windows NT, honoured by Linux): base name / extension stored upper case, shown lower. */
export const NT_LOWER_BASE = 0x08;
export const NT_LOWER_EXT = 0x10;

/** Lower case within code page 437, as Linux's nls_cp437 does (É → é, but Γ stays: γ is not in 437). */
function lowerOem(c: string): string {
  const l = c.toLowerCase();
  return l.length === 1 && (l < '\x80' || CP437_HIGH.includes(l)) ? l : c;
}

/** Bytes in code page 437, optionally lower-cased. */
export function decodeOem(bytes: Uint8Array, lower = false): string {
  let s = '';
  for (const b of bytes) {
    const c = b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
    s += lower ? lowerOem(c) : c;
  }
  return s;
}

function trimSpaces(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0x20) end--;
  return bytes.subarray(0, end);
}

/** A volume label (11 bytes, space padded); undefined when blank or the placeholder "NO NAME". */
export function volumeLabel(raw: Uint8Array): string | undefined {
  const label = decodeOem(raw).replace(/[ \0]+$/, '');
  return label && label !== 'NO NAME' ? label : undefined;
}

/** The 8.3 name of a short directory entry (`raw` = DIR_Name, 11 bytes) as Linux shows it. */
export function shortName(raw: Uint8Array, ntRes: number): string {
  const base = Uint8Array.from(trimSpaces(raw.subarray(0, 8)));
  if (base[0] === 0x05) base[0] = 0xe5; // 0x05 stands for a name really starting with 0xE5
  const ext = trimSpaces(raw.subarray(8, 11));
  const b = decodeOem(base, (ntRes & NT_LOWER_BASE) !== 0);
  const e = decodeOem(ext, (ntRes & NT_LOWER_EXT) !== 0);
  return e.length ? `${b}.${e}` : b;
}

/** The checksum of an 11-byte short name that every long-name entry of the set repeats (LDIR_Chksum). */
export function shortNameChecksum(raw: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + raw[i]!) & 0xff;
  return sum;
}

/** Byte offsets of the 13 UTF-16 code units held by one long-name entry (LDIR_Name1/2/3). */
const LFN_UNIT_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30] as const;

/** The 13 UTF-16 code units of one long-name entry. */
export function lfnUnits(entry: Uint8Array): number[] {
  return LFN_UNIT_OFFSETS.map((o) => entry[o]! | (entry[o + 1]! << 8));
}

/**
 * Joins the code units of a long-name set (in name order) into a string: the name ends at the first
 * 0x0000 (or fills the set exactly); undefined when it is empty or the padding after the terminator
 * is not 0xFFFF.
 */
export function joinLfn(units: number[]): string | undefined {
  let end = units.indexOf(0);
  if (end === -1) end = units.length;
  else if (units.slice(end + 1).some((u) => u !== 0xffff)) return undefined;
  if (end === 0) return undefined;
  let s = '';
  for (let i = 0; i < end; i++) {
    const u = units[i]!;
    const next = units[i + 1];
    if (u >= 0xd800 && u <= 0xdbff && next !== undefined && next >= 0xdc00 && next <= 0xdfff && i + 1 < end) {
      s += String.fromCharCode(u, next);
      i++;
    } else if (u >= 0xd800 && u <= 0xdfff) {
      s += '\ufffd'; // lone surrogate
    } else {
      s += String.fromCharCode(u);
    }
  }
  return s;
}

/** Whether a decoded name can be handed out as a path component. */
export function usableName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** FAT compares names case-insensitively (upper-case folding). */
export function foldName(name: string): string {
  return name.toUpperCase();
}
