/**
 * Splits a batch of Windows Event XML, as collectors and tools write it, into one text per event:
 * events concatenated, or wrapped in `<Events>` (wevtutil /e:Events), each with or without its own XML
 * declaration, with LFs anywhere (an event is never assumed to be one line).
 *
 * The split is a light scan, not a parse, so that one broken event cannot hide the others: it follows
 * only `<Event>` start and end tags (skipping comments, CDATA and processing instructions). An event
 * whose end tag never comes ends where the next event declaring the event namespace starts, or at an XML
 * declaration or `</Events>`, and is marked incomplete. Anything else between events (other than
 * whitespace, comments, declarations and the `<Events>` wrapper) is returned as a stray segment, so the
 * caller can report it rather than drop it.
 */

export const EVENT_NAMESPACE = 'http://schemas.microsoft.com/win/2004/08/events/event';

export interface EventSegment {
  kind: 'event' | 'stray';
  /** The segment's text, exactly as in the batch (stray text trimmed of surrounding whitespace). */
  raw: string;
  /** Offset of `raw` in the batch. */
  offset: number;
  /** For an event: whether its end tag was found. */
  complete: boolean;
}

const LT = 0x3c;
const GT = 0x3e;

export function splitEvents(text: string): EventSegment[] {
  const out: EventSegment[] = [];
  const len = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let strayStart = -1;
  const endStray = (end: number) => {
    if (strayStart < 0) return;
    pushStray(out, text, strayStart, end);
    strayStart = -1;
  };
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (c === LT) {
      const name = tagName(text, i);
      if (name !== null && !name.end && name.local === 'Event') {
        endStray(i);
        i = readEvent(text, i, out);
        continue;
      }
      if (strayStart < 0) {
        const skipped = skipWrapperMarkup(text, i, name);
        if (skipped !== -1) {
          i = skipped;
          continue;
        }
        strayStart = i;
      }
      i++;
    } else if (strayStart < 0) strayStart = i;
    const next = text.indexOf('<', i);
    i = next === -1 ? len : next;
  }
  endStray(len);
  return out;
}

function pushStray(out: EventSegment[], text: string, start: number, end: number): void {
  const slice = text.slice(start, end);
  const raw = slice.trim();
  if (raw === '') return;
  out.push({ kind: 'stray', raw, offset: start + slice.indexOf(raw[0]!), complete: true });
}

/** Past a declaration/PI, comment, `<Events …>` or `</Events>` at `at`; -1 when it is none of those. */
function skipWrapperMarkup(text: string, at: number, name: TagName | null): number {
  if (text.startsWith('<?', at)) {
    const end = text.indexOf('?>', at + 2);
    return end === -1 ? -1 : end + 2;
  }
  if (text.startsWith('<!--', at)) {
    const end = text.indexOf('-->', at + 4);
    return end === -1 ? -1 : end + 3;
  }
  if (name !== null && name.local === 'Events') {
    const end = tagEnd(text, at);
    return end === -1 ? -1 : end + 1;
  }
  return -1;
}

/** Reads the event starting at `start` (a `<Event` tag); pushes it and returns where the scan resumes. */
function readEvent(text: string, start: number, out: EventSegment[]): number {
  const len = text.length;
  const push = (end: number, complete: boolean) => {
    let e = end;
    if (!complete) while (e > start && isSpace(text.charCodeAt(e - 1))) e--;
    out.push({ kind: 'event', raw: text.slice(start, e), offset: start, complete });
    return end;
  };
  let depth = 0;
  let i = start;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt === -1) return push(len, false);
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      const close = text.startsWith('<!--', lt) ? '-->' : text.startsWith('<![CDATA[', lt) ? ']]>' : null;
      if (close === null) {
        i = lt + 1;
        continue;
      }
      const end = text.indexOf(close, lt + 4);
      if (end === -1) return push(len, false);
      i = end + close.length;
      continue;
    }
    if (next === 0x3f /* ? */) {
      if (text.startsWith('<?xml', lt) && isSpaceOr(text.charCodeAt(lt + 5), 0x3f)) return push(lt, false);
      const end = text.indexOf('?>', lt + 2);
      if (end === -1) return push(len, false);
      i = end + 2;
      continue;
    }
    const name = tagName(text, lt);
    if (name === null || (name.local !== 'Event' && name.local !== 'Events')) {
      i = lt + 1;
      continue;
    }
    if (name.end) {
      if (name.local === 'Events') return push(lt, false);
      const gt = text.indexOf('>', lt);
      if (gt === -1) return push(len, false);
      depth--;
      i = gt + 1;
      if (depth <= 0) return push(i, true);
      continue;
    }
    if (name.local === 'Events') {
      i = lt + 1;
      continue;
    }
    const gt = tagEnd(text, lt);
    if (depth > 0) {
      const nextLt = text.indexOf('<', lt + 1);
      const tag = text.slice(lt, gt !== -1 ? gt : nextLt === -1 ? len : nextLt);
      if (tag.includes(EVENT_NAMESPACE)) return push(lt, false);
    }
    if (gt === -1) {
      i = lt + 1;
      depth++;
      continue;
    }
    i = gt + 1;
    if (text.charCodeAt(gt - 1) !== 0x2f /* / */) depth++;
    else if (depth === 0) return push(i, true);
  }
}

interface TagName {
  local: string;
  /** `</…`: an end tag. */
  end: boolean;
}

/** The local name of the tag at `at` (`<x`, `<p:x`, `</x`), when a name follows `<` and ends properly. */
function tagName(text: string, at: number): TagName | null {
  let i = at + 1;
  const end = text.charCodeAt(i) === 0x2f;
  if (end) i++;
  const start = i;
  let colon = -1;
  const limit = Math.min(text.length, start + 256);
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) colon = i;
    else if (
      !(
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x5f ||
        c === 0x2d ||
        c === 0x2e ||
        c >= 0x80
      )
    )
      break;
  }
  if (i === start || i >= limit) return null;
  const c = text.charCodeAt(i);
  if (!(isSpace(c) || c === GT || c === 0x2f)) return null;
  return { local: text.slice(colon === -1 ? start : colon + 1, i), end };
}

/** Index of the `>` ending the start tag at `at`, quotes respected; -1 if `<` or the end comes first. */
function tagEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === GT) return i;
    if (c === LT) return -1;
    if (c === 0x22 || c === 0x27) {
      const close = text.indexOf(c === 0x22 ? '"' : "'", i + 1);
      if (close === -1) return -1;
      i = close;
    }
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isSpaceOr(c: number, other: number): boolean {
  return c === other || isSpace(c);
}
