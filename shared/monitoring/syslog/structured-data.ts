/**
 * RFC 5424 STRUCTURED-DATA (§6.3): one or more `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]` with no space
 * between elements. In values, `\"`, `\\` and `\]` are escapes; a backslash before anything else stays,
 * with that character. A repeated SD-ID keeps the first element; a repeated PARAM-NAME keeps every value.
 *
 * Tolerant where the meaning is still clear, with `deviated` set: unquoted values (VMware ESXi), an
 * unescaped `]` inside quotes, names longer than 32 or outside printable ASCII, extra spaces. Where it
 * is not (no `=`, a quote in the wrong place, no closing bracket), scanning stops at the element that
 * broke: the elements before it are kept and the caller keeps the rest as message text.
 */
import type { SyslogStructuredData } from './types.ts';

const SP = 32;
const QUOTE = 34;
const EQUALS = 61;
const OPEN = 91;
const BACKSLASH = 92;
const CLOSE = 93;

const MAX_NAME = 32;

/** The last scan's result. */
export const sdScan = {
  /** The elements read (null when none was). */
  data: null as SyslogStructuredData | null,
  /** Where scanning stopped: after the last good element, or at the `[` of the one that broke. */
  end: 0,
  /** True when an element broke and scanning stopped at it. */
  failed: false,
  /** True when the grammar was bent but the elements could be read. */
  deviated: false,
  duplicateId: false,
  /** Parameters read in the first element (for the BSD use, which wants at least one). */
  firstParams: 0,
};

/**
 * Recently seen SD-IDs and PARAM-NAMEs. A key sliced from the record would have to be looked up in V8's
 * string table on every use (most of the cost of building the objects); a sender repeats the same few
 * names, so the cached string is used instead. Bounded: 1024 slots of names up to 64 characters.
 */
const KEY_SLOTS = 1024;
const MAX_CACHED_KEY = 64;
const keyCache: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined);

function cachedKey(text: string, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_CACHED_KEY) return text.slice(start, end);
  // The slot from the length and three characters: cheap, and the full comparison below decides.
  const slot =
    (length * 7 +
      text.charCodeAt(start) * 31 +
      text.charCodeAt(end - 1) * 17 +
      text.charCodeAt(start + (length >> 1)) * 5) &
    (KEY_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === text.charCodeAt(start + i)) i++;
    if (i === length) return cached;
  }
  // A key of its own, not a slice that would keep the whole record alive in the cache.
  const holder: Record<string, number> = {};
  setOwn(holder, text.slice(start, end), 0);
  const key = Object.keys(holder)[0]!;
  keyCache[slot] = key;
  return key;
}

/** Sets an own property, also for names like `__proto__` that assignment would not create. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function unescapeValue(text: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== BACKSLASH || i + 1 >= end) continue;
    const next = text.charCodeAt(i + 1);
    if (next === QUOTE || next === BACKSLASH || next === CLOSE) {
      out += text.slice(from, i);
      from = i + 1;
      i++; // the escaped character is literal, even a backslash
    }
  }
  return out + text.slice(from, end);
}

/**
 * Scans elements from `start` (which holds `[`) up to `end`. With `strict`, any deviation counts as
 * breaking the element (used for BSD content, where `[` often starts plain text).
 */
export function scanStructuredData(text: string, start: number, end: number, strict: boolean): void {
  sdScan.data = null;
  sdScan.failed = false;
  sdScan.deviated = false;
  sdScan.duplicateId = false;
  sdScan.firstParams = 0;
  let data: SyslogStructuredData | null = null;
  let pos = start;
  let elements = 0;
  let nextBackslash = -2;
  let nextClose = -2;
  while (pos < end && text.charCodeAt(pos) === OPEN) {
    const elementStart = pos;
    let deviated = false;
    let i = pos + 1;
    // SD-ID
    const idStart = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === SP || c === CLOSE || c === EQUALS || c === QUOTE) break;
      if (c < 33 || c > 126) deviated = true;
      i++;
    }
    const idEnd = i;
    if (idEnd === idStart || i >= end || (text.charCodeAt(i) !== SP && text.charCodeAt(i) !== CLOSE)) {
      sdScan.failed = true;
      break;
    }
    if (idEnd - idStart > MAX_NAME) deviated = true;
    if (strict && (deviated || (elements === 0 && text.charCodeAt(i) === CLOSE))) {
      // Strict callers want a first element with parameters (`[12345.678]` is a kernel time).
      sdScan.failed = true;
      break;
    }
    const id = cachedKey(text, idStart, idEnd);
    let element: Record<string, string | string[]> | null = null;
    if (data === null) data = {};
    const duplicate = elements > 0 && Object.hasOwn(data, id);
    if (!duplicate) {
      element = {};
      setOwn(data, id, element);
    }
    let params = 0;
    let broken = false;
    // Parameters
    while (true) {
      if (i >= end) {
        broken = true;
        break;
      }
      let c = text.charCodeAt(i);
      if (c === CLOSE) {
        i++;
        break;
      }
      // c is SP: one, more are tolerated
      i++;
      if (text.charCodeAt(i) === SP) {
        deviated = true;
        while (i < end && text.charCodeAt(i) === SP) i++;
      }
      if (i >= end) {
        broken = true;
        break;
      }
      if (text.charCodeAt(i) === CLOSE) {
        deviated = true; // a space before `]`
        i++;
        break;
      }
      const nameStart = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === EQUALS || c === SP || c === CLOSE || c === QUOTE) break;
        if (c < 33 || c > 126) deviated = true;
        i++;
      }
      if (i === nameStart || i >= end || c !== EQUALS) {
        broken = true;
        break;
      }
      if (i - nameStart > MAX_NAME) deviated = true;
      const name = cachedKey(text, nameStart, i);
      i++; // `=`
      let value: string;
      if (text.charCodeAt(i) === QUOTE && i < end) {
        const valueStart = ++i;
        let escapes = false;
        let closed = false;
        // Fast path: find the closing quote natively; the character loop below only runs when a
        // backslash comes before it. The next backslash and `]` are looked up lazily and only ever
        // forward, so the whole scan stays linear.
        const quote = text.indexOf('"', i);
        if (quote !== -1 && quote < end) {
          if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = text.indexOf('\\', i);
          if (nextBackslash === -1 || nextBackslash > quote) {
            if (nextClose !== -1 && nextClose < i) nextClose = text.indexOf(']', i);
            if (nextClose !== -1 && nextClose < quote) deviated = true; // unescaped `]` inside quotes
            i = quote;
            closed = true;
          }
        }
        while (!closed && i < end) {
          c = text.charCodeAt(i);
          if (c === BACKSLASH) {
            if (i + 1 < end) {
              const next = text.charCodeAt(i + 1);
              if (next === QUOTE || next === BACKSLASH || next === CLOSE) escapes = true;
            }
            i += 2;
            continue;
          }
          if (c === QUOTE) {
            closed = true;
            break;
          }
          if (c === CLOSE) deviated = true; // unescaped `]` inside quotes
          i++;
        }
        if (!closed) {
          broken = true;
          break;
        }
        value = escapes ? unescapeValue(text, valueStart, i) : text.slice(valueStart, i);
        i++; // closing quote
        if (i >= end || (text.charCodeAt(i) !== SP && text.charCodeAt(i) !== CLOSE)) {
          broken = true;
          break;
        }
      } else {
        // Unquoted (ESXi: `[Originator@6876 sub=Vimsvc.ha-eventmgr user=root]`).
        deviated = true;
        const valueStart = i;
        while (i < end) {
          c = text.charCodeAt(i);
          if (c === SP || c === CLOSE) break;
          i++;
        }
        if (i >= end || i === valueStart) {
          broken = true;
          break;
        }
        value = text.slice(valueStart, i);
      }
      params++;
      if (element !== null) {
        if (params > 1 && Object.hasOwn(element, name)) {
          const prior = element[name]!;
          if (typeof prior === 'string') element[name] = [prior, value];
          else prior.push(value);
        } else {
          setOwn(element, name, value);
        }
      }
    }
    if (broken || (strict && deviated)) {
      // Forget the element that broke; keep the ones before it.
      if (element !== null) delete data[id];
      sdScan.failed = true;
      pos = elementStart;
      break;
    }
    if (deviated) sdScan.deviated = true;
    if (duplicate) sdScan.duplicateId = true;
    if (elements === 0) sdScan.firstParams = params;
    elements++;
    pos = i;
  }
  sdScan.data = elements > 0 ? data : null;
  sdScan.end = pos;
}
