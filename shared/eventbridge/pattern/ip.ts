/**
 * IPv4/IPv6 literal parsing and CIDR ranges for `cidr` matching and for exact values that are IP literals.
 * Parsing writes into a caller-supplied buffer so the matching hot path allocates nothing.
 */

const COLON = 58;
const DOT = 46;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses a dotted-quad IPv4 literal in `s[start, end)` into `out[at..at+3]`; false if not one. */
function parseIPv4(s: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : s.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || parts === 4) return false;
      out[at + parts] = octet;
      parts++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (digits > 3 || octet > 255) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** Parses an IPv6 literal (with optional `::` and trailing dotted quad) into `out[0..15]`. */
function parseIPv6(s: string, out: Uint8Array): boolean {
  const n = s.length;
  if (n < 2) return false;
  let i = 0;
  let byte = 0;
  let gap = -1;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
    if (i === n) {
      out.fill(0, 0, 16);
      return true;
    }
  }
  while (i < n) {
    if (byte >= 16) return false;
    // one group: up to four hex digits, or a dotted quad at the very end
    let value = 0;
    let digits = 0;
    const groupStart = i;
    while (i < n) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < n && s.charCodeAt(i) === DOT) {
      if (byte > 12 || !parseIPv4(s, groupStart, n, out, byte)) return false;
      byte += 4;
      i = n;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    out[byte++] = value >> 8;
    out[byte++] = value & 0xff;
    if (i === n) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < n && s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = byte;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return false;
    }
  }
  if (gap < 0) return byte === 16;
  if (byte === 16) return false;
  const tail = byte - gap;
  const shift = 16 - byte;
  for (let k = tail - 1; k >= 0; k--) out[gap + shift + k] = out[gap + k] as number;
  out.fill(0, gap, gap + shift);
  return true;
}

/**
 * Parses an IP literal into `out` (16 bytes long). Returns 4 for IPv4, 16 for IPv6, 0 when `s` is not an
 * IP literal. Like EventBridge, an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as the IPv4 address.
 */
export function parseIp(s: string, out: Uint8Array): 0 | 4 | 16 {
  const n = s.length;
  if (n < 2 || n > 45) return 0;
  if (s.indexOf(':') < 0) return parseIPv4(s, 0, n, out, 0) ? 4 : 0;
  if (!parseIPv6(s, out)) return 0;
  for (let k = 0; k < 10; k++) if (out[k] !== 0) return 16;
  if (out[10] !== 0xff || out[11] !== 0xff) return 16;
  out.copyWithin(0, 12, 16);
  return 4;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly length: 4 | 16;
  readonly bottom: Uint8Array;
  readonly top: Uint8Array;
}

const TRAILING_ONES = [0x00, 0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f] as const;

/**
 * Parses `a.b.c.d/n` or `v6/n`. Returns the range or a reason it is invalid. As in EventBridge, the range
 * runs from the address as written up to that address with every host bit set; IPv4 masks are 0-31 and
 * IPv6 masks 0-127.
 */
export function parseCidr(cidr: string): IpRange | string {
  const slash = cidr.indexOf('/');
  if (slash < 0 || cidr.indexOf('/', slash + 1) >= 0) return 'Malformed CIDR, one "/" required';
  const bitsText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return 'Malformed CIDR, mask bits must be an integer';
  const bits = Number(bitsText);
  const bytes = new Uint8Array(16);
  const length = parseIp(cidr.slice(0, slash), bytes);
  if (length === 0) return `Invalid IP address: ${cidr.slice(0, slash)}`;
  if (length === 4 && bits > 31) return 'IPv4 mask bits must be < 32';
  if (length === 16 && bits > 127) return 'IPv6 mask bits must be < 128';
  const bottom = bytes.slice(0, length);
  const top = bottom.slice();
  let hostBits = length * 8 - bits;
  for (let i = length - 1; i >= 0 && hostBits > 0; i--) {
    top[i] = hostBits >= 8 ? 0xff : (top[i] as number) | (TRAILING_ONES[hostBits] as number);
    hostBits -= 8;
  }
  return { length, bottom, top };
}

/** True when the first `length` bytes of `ip` lie within `range`. */
export function ipInRange(ip: Uint8Array, length: number, range: IpRange): boolean {
  if (length !== range.length) return false;
  let aboveBottom = false;
  let belowTop = false;
  for (let i = 0; i < length; i++) {
    const b = ip[i] as number;
    if (!aboveBottom) {
      const lo = range.bottom[i] as number;
      if (b < lo) return false;
      if (b > lo) aboveBottom = true;
    }
    if (!belowTop) {
      const hi = range.top[i] as number;
      if (b > hi) return false;
      if (b < hi) belowTop = true;
    }
    if (aboveBottom && belowTop) return true;
  }
  return true;
}
