/**
 * The hex signature of a body signature (`.ndb` field 4) → parts, gaps and elements, accepting and
 * rejecting what clamscan 1.4 accepts and rejects:
 *
 * - `{n}` with 0 < n < 128 becomes n `??` while it is the first brace left in the signature; any other
 *   `{…}` or a `*` splits the signature into parts with a gap (`{n}`, `{n-m}`, `{n-}`, `{-m}`; `*` and
 *   `{0}` are unbounded, as in ClamAV where a zero maximum means none);
 * - inside a part: `hh` bytes, `??`, `h?`/`?h` nibbles, `(aa|bb|…)` alternatives (options may differ in
 *   length and hold nibbles), `!(aa|bb)` negations (options of one length only);
 * - each part needs two elements, and when a wildcard sits in its first three elements it needs a static
 *   run of two bytes somewhere (ClamAV's Aho-Corasick depth); a fully static signature that ClamAV gives
 *   to its Boyer-Moore matcher needs three bytes.
 *
 * `[x-y]` byte ranges and the `(B)`, `(L)`, `(W)` boundary classes are ClamAV constructs this engine does
 * not implement: they are reported as unsupported, not silently dropped.
 */
import type { AltOption, Gap, PatternElement, PatternPart } from './types.ts';

export type HexResult =
  | { ok: true; parts: PatternPart[]; gaps: Gap[]; staticOnly: boolean }
  | { ok: false; unsupported: boolean; reason: string };

class HexError extends Error {
  readonly unsupported: boolean;
  constructor(reason: string, unsupported = false) {
    super(reason);
    this.unsupported = unsupported;
  }
}

const HEX = /^[0-9a-fA-F?]$/;

/** Parses a hex signature for a target (the target decides ClamAV's matcher and so its length rule). */
export function parseHexSignature(hexsig: string, target: number, offsetText: string): HexResult {
  try {
    return { ok: true, ...parse(hexsig, target, offsetText) };
  } catch (error) {
    if (error instanceof HexError)
      return { ok: false, unsupported: error.unsupported, reason: error.message };
    throw error;
  }
}

function parse(hexsig: string, target: number, offsetText: string) {
  if (hexsig.startsWith('$')) throw new HexError('macro subsignatures are only valid in logical signatures');
  if (hexsig.includes('/'))
    throw new HexError('regular expression subsignatures are only valid in logical signatures');
  if (hexsig.includes('#'))
    throw new HexError('byte-compare subsignatures are only valid in logical signatures');

  // `{n}` (0 < n < 128) expands to wildcards while it is the first brace of the signature.
  let hex = hexsig;
  for (;;) {
    const at = hex.indexOf('{');
    if (at < 0) break;
    const m = /^\{([0-9]+)\}/.exec(hex.slice(at));
    if (!m) break;
    const n = Number(m[1]);
    if (n <= 0 || n >= 128) break;
    hex = hex.slice(0, at) + '??'.repeat(n) + hex.slice(at + m[0].length);
  }

  const texts: string[] = [];
  const gaps: Gap[] = [];
  if (hex.includes('{') || hex.includes('*')) {
    let depth = 0;
    for (const c of hex) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if ((c === '{' || c === '*') && depth > 0)
        throw new HexError(
          c === '*'
            ? 'an alternative cannot contain an unbounded wildcard (*)'
            : 'an alternative cannot contain a ranged wildcard ({n-m})',
        );
    }
    let rest = hex;
    for (;;) {
      const at = rest.search(/[{*]/);
      if (at < 0) {
        texts.push(rest);
        break;
      }
      texts.push(rest.slice(0, at));
      if (rest[at] === '*') {
        gaps.push({ min: 0, max: undefined });
        rest = rest.slice(at + 1);
        continue;
      }
      const close = rest.indexOf('}', at);
      if (close < 0) throw new HexError(`missing '}' in "${hexsig}"`);
      gaps.push(parseRange(rest.slice(at + 1, close), hexsig));
      rest = rest.slice(close + 1);
    }
  } else {
    texts.push(hex);
  }

  // Every part is checked before an unsupported construct is reported: errors come first, as in clamscan.
  let unsupported: HexError | undefined;
  const parts: PatternPart[] = [];
  for (const t of texts) {
    try {
      parts.push(parsePart(t, hexsig, target));
    } catch (error) {
      if (!(error instanceof HexError) || !error.unsupported) throw error;
      unsupported ??= error;
    }
  }
  if (unsupported) throw unsupported;
  const staticOnly =
    !/[?([*{]/.test(hex) &&
    (target === 0 || (target === 1 && offsetText !== '*' && !offsetText.includes(',')));
  if (staticOnly && (parts[0]?.elements.length ?? 0) < 3)
    throw new HexError('signature too short: a static signature needs at least 3 bytes');
  return { parts, gaps, staticOnly };
}

function parseRange(text: string, hexsig: string): Gap {
  const bad = () => new HexError(`invalid range {${text}} in "${hexsig}"`);
  if (!text.includes('-')) {
    if (!/^[0-9]*$/.test(text)) throw bad();
    const n = text === '' ? 0 : Number(text);
    return n === 0 ? { min: 0, max: undefined } : { min: n, max: n };
  }
  const lo = clamField(text, 0);
  const hi = clamField(text, 1);
  if (clamField(text, 2) !== undefined) throw bad();
  if ((lo !== undefined && !/^[0-9]+$/.test(lo)) || (hi !== undefined && !/^[0-9]+$/.test(hi))) throw bad();
  const min = lo === undefined ? 0 : Number(lo);
  const max = hi === undefined ? 0 : Number(hi);
  return { min, max: max === 0 ? undefined : max };
}

/** ClamAV's `cli_strtok(line, n, "-")`: runs of delimiters collapse, an empty field is absent. */
function clamField(line: string, n: number): string | undefined {
  let i = 0;
  let counter = 0;
  for (; i < line.length && counter !== n; i++) {
    if (line[i] === '-') {
      counter++;
      while (line[i + 1] === '-') i++;
    }
  }
  if (i >= line.length) return undefined;
  let j = i;
  while (j < line.length && line[j] !== '-') j++;
  return i === j ? undefined : line.slice(i, j);
}

function byteElement(pair: string, hexsig: string): PatternElement {
  const [h, l] = [pair[0] as string, pair[1] as string];
  if (!HEX.test(h) || !HEX.test(l)) throw new HexError(`invalid hex "${pair}" in "${hexsig}"`);
  const hi = h === '?' ? 0 : Number.parseInt(h, 16);
  const lo = l === '?' ? 0 : Number.parseInt(l, 16);
  const mask = (h === '?' ? 0 : 0xf0) | (l === '?' ? 0 : 0x0f);
  return { kind: 'byte', value: ((hi << 4) | lo) & mask, mask };
}

function parseOption(text: string, hexsig: string): AltOption {
  if (text.length % 2 !== 0) throw new HexError(`odd-length alternative "${text}" in "${hexsig}"`);
  const values = new Uint8Array(text.length / 2);
  const masks = new Uint8Array(text.length / 2);
  for (let i = 0; i < values.length; i++) {
    const e = byteElement(text.slice(2 * i, 2 * i + 2), hexsig);
    if (e.kind !== 'byte') throw new HexError(`invalid alternative "${text}"`);
    values[i] = e.value;
    masks[i] = e.mask;
  }
  return { values, masks };
}

function parsePart(text: string, hexsig: string, target: number): PatternPart {
  const elements: PatternElement[] = [];
  /** A construct ClamAV accepts but this engine does not match; reported once the part is valid. */
  let unsupported: string | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '(' || c === '!') {
      const negated = c === '!';
      if (negated && text[i + 1] !== '(') throw new HexError(`'!' not followed by '(' in "${hexsig}"`);
      const open = negated ? i + 1 : i;
      const close = text.indexOf(')', open);
      if (close < 0) throw new HexError(`missing closing parenthesis in "${hexsig}"`);
      const body = text.slice(open + 1, close);
      if (body === '') throw new HexError(`empty alternative block in "${hexsig}"`);
      if (body === 'B' || body === 'L' || body === 'W') {
        unsupported ??= `boundary class (${body}) is not supported by this engine`;
        // At either end of a part it is a boundary flag; elsewhere it takes an element's place.
        if (i !== 0 && close !== text.length - 1) elements.push({ kind: 'alt', negated: false, options: [] });
        i = close + 1;
        continue;
      }
      if (body.includes('('))
        throw new HexError('nested alternatives are not supported by this engine', true);
      if (body.includes('[')) throw new HexError(`invalid '[' inside an alternative in "${hexsig}"`);
      const options = body.split('|').map((o) => parseOption(o, hexsig));
      if (negated) {
        const len = options[0]?.values.length ?? 0;
        const generic = options.some((o) => o.masks.some((m) => m !== 0xff));
        if (len === 0 || generic || options.some((o) => o.values.length !== len))
          throw new HexError(`negation needs alternatives of one length and no wildcards in "${hexsig}"`);
      }
      elements.push({ kind: 'alt', negated, options });
      i = close + 1;
      continue;
    }
    if (c === '[') {
      // `[x-y]` binds a single byte at the start (`aa[x-y]…`) or the end (`…[x-y]aa`) of the part.
      const m = /^\[([0-9]+)-([0-9]+)\]/.exec(text.slice(i));
      if (!m) throw new HexError(`malformed [x-y] range in "${hexsig}"`);
      const [lo, hi] = [Number(m[1]), Number(m[2])];
      const atStart = i === 2 && elements.length === 1 && elements[0]?.kind === 'byte';
      const atEnd = i + m[0].length === text.length - 2;
      if (hi > 32 || lo > hi || !(atStart || atEnd))
        throw new HexError(`[x-y] range must sit next to a single byte at either end of "${hexsig}", y ≤ 32`);
      unsupported ??= '[x-y] byte ranges are not supported by this engine';
      if (atStart) elements.pop();
      i += m[0].length + (atStart ? 0 : 2);
      continue;
    }
    if (i + 1 >= text.length) throw new HexError(`malformed hex string "${hexsig}" (odd length)`);
    elements.push(byteElement(text.slice(i, i + 2), hexsig));
    i += 2;
  }
  if (elements.length < 2)
    throw new HexError(`signature part "${text}" too short: each part needs at least 2 bytes`);
  const isStatic = (e: PatternElement | undefined) => e?.kind === 'byte' && e.mask === 0xff;
  if (elements.slice(0, 3).some((e) => !isStatic(e))) {
    let run = 0;
    let best = 0;
    for (const e of elements) {
      run = isStatic(e) ? run + 1 : 0;
      best = Math.max(best, run);
    }
    if (best < 2)
      throw new HexError(
        `signature part "${text}" has no static run of 2 bytes to anchor on (ClamAV requires one)`,
      );
  }
  if (FILTERED_TARGETS.has(target)) rejectEarlyGenericAlternative(elements, text);
  if (unsupported) throw new HexError(unsupported, true);
  let minLength = 0;
  let maxLength = 0;
  for (const e of elements) {
    if (e.kind === 'byte') {
      minLength++;
      maxLength++;
    } else {
      const lens = e.options.map((o) => o.values.length);
      minLength += Math.min(...lens);
      maxLength += Math.max(...lens);
    }
  }
  return { elements, minLength, maxLength };
}

/** Targets whose ClamAV matcher has a prefilter, which refuses some alternatives near a part's start. */
const FILTERED_TARGETS = new Set([0, 1, 4, 7]);

/** An alternative that is not a plain set of single fixed bytes (multi-byte, uneven or with wildcards). */
function isGenericAlt(e: PatternElement | undefined): boolean {
  return (
    e?.kind === 'alt' &&
    (e.options.length === 0 ||
      e.options.some((o) => o.values.length !== 1 || o.masks.some((m) => m !== 0xff)))
  );
}

/**
 * For the prefiltered targets (0, 1, 4, 7), clamscan 1.4 refuses a multi-byte or wildcard alternative that
 * is the second element of a part, or a later one when only wildcards precede it (unless another such
 * alternative, or a negation, directly precedes it): `41(4141|43)4141`, `41(??|41)4141`,
 * `????(4141|43)414243`. This reproduces the cases observed against clamscan; other targets accept them.
 */
function rejectEarlyGenericAlternative(elements: readonly PatternElement[], text: string): void {
  const isStatic = (e: PatternElement | undefined) => e?.kind === 'byte' && e.mask === 0xff;
  for (let k = 1; k < elements.length; k++) {
    if (!isGenericAlt(elements[k])) continue;
    const prev = elements[k - 1];
    if (isGenericAlt(prev) || (prev?.kind === 'alt' && prev.negated)) continue;
    const before = elements.slice(0, k);
    if (k === 1 || before.every((e) => !isStatic(e)))
      throw new HexError(`clamscan refuses the alternative at element ${k + 1} of "${text}"`);
  }
}
