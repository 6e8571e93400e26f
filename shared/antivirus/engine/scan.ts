/**
 * Scanning one file against a compiled database, in one pass over its bytes, streamed:
 *
 * 1. the first 1,024 bytes decide the file type (format magic, text or binary), as in ClamAV;
 * 2. the raw bytes go through the body program (target-0 signatures) and the hashers the database needs;
 * 3. text files (of any size: clamscan 1.4 normalises them all) also go, normalised, through a second
 *    program (target-0 and target-7 signatures that can match normalised text).
 *
 * All matches are kept; they are ordered as clamscan finds them, so the first is the one clamscan (without
 * `--allmatch`) reports: raw-body matches, per 128 KiB buffer, Boyer-Moore-class (fully static) signatures
 * before Aho-Corasick-class ones and each by position; then hash matches; then normalised-text matches.
 */
import { createHash, type Hash } from 'node:crypto';
import type { SignatureDatabase } from '../signatures/database.ts';
import type { BodySignature, HashType, PatternElement } from '../signatures/types.ts';
import { type FileKind, fileKind } from './file-type.ts';
import { HashIndex } from './hash-index.ts';
import { CLAMAV_SCANBUFF, compileProgram, type Program } from './program.ts';
import { type PassMatch, StreamPass } from './stream-pass.ts';
import { TextNormalizer, TYPE_SNIFF_BYTES } from './text.ts';
import type { Detection } from './types.ts';

/** What a finished scan knows besides its detections. */
export interface ScanDetails {
  /** What the type sniffing decided. */
  fileKind: FileKind;
  size: number;
  /** Set when an `EOF-n` signature longer than the tail limit could not be checked (size not known up front). */
  incomplete?: string;
}

export interface FileScan {
  update(chunk: Uint8Array): void;
  /** Every signature that matched, the one clamscan reports first. */
  finish(): Detection[];
  /** Available after `finish`. */
  readonly details: ScanDetails | undefined;
}

export interface ScanOptions {
  /** The file's size when known up front: lets hashing skip types no signature of that size uses. */
  size?: number;
}

interface Ranked {
  key: number[];
  detection: Detection;
}

/** Byte values the text normaliser can emit. */
function normalisable(b: number): boolean {
  return b >= 0x20 && b <= 0x7f && !(b >= 0x41 && b <= 0x5a);
}

function canMatchNormalised(sig: BodySignature): boolean {
  const ok = (e: PatternElement) =>
    e.kind === 'byte'
      ? e.mask !== 0xff || normalisable(e.value)
      : e.negated || e.options.some((o) => o.values.every((v, i) => o.masks[i] !== 0xff || normalisable(v)));
  return sig.parts.every((p) => p.elements.every(ok));
}

/** A database compiled for scanning; immutable and shareable between scans. */
export class CompiledDatabase {
  readonly raw: Program;
  readonly text: Program;
  readonly hashes: HashIndex;
  /** Global indexes (load order) of the raw and text programs' signatures. */
  private readonly rawIndex: number[];
  private readonly textIndex: number[];
  readonly bodyCount: number;
  /** Whether normalised text is scanned as a file (see the constructor). */
  readonly textAsFile: boolean;

  constructor(db: Pick<SignatureDatabase, 'bodies' | 'hashes'>, options: { tailLimit?: number } = {}) {
    const raw: BodySignature[] = [];
    const text: BodySignature[] = [];
    this.rawIndex = [];
    this.textIndex = [];
    // With a target-7 signature at a relative (EOF) offset, clamscan writes the normalised text to a
    // file and scans that like a file: EOF-n offsets of target-0 signatures then count from its end and
    // hash signatures see it too. Otherwise it scans the text in memory, where neither happens.
    this.textAsFile = db.bodies.some((s) => s.target === 7 && s.offset.kind === 'eof');
    db.bodies.forEach((sig, i) => {
      if (sig.target === 0) {
        raw.push(sig);
        this.rawIndex.push(i);
      }
      if (!this.textAsFile && sig.target === 0 && sig.offset.kind === 'eof') return;
      if ((sig.target === 0 || sig.target === 7) && canMatchNormalised(sig)) {
        text.push(sig);
        this.textIndex.push(i);
      }
    });
    this.raw = compileProgram(raw, options);
    this.text = compileProgram(text, options);
    this.hashes = new HashIndex(db.hashes);
    this.bodyCount = db.bodies.length;
  }

  createScan(options: ScanOptions = {}): FileScan {
    return new Scan(this, options.size);
  }

  /** Convenience: scans bytes already in memory. */
  scanBuffer(bytes: Uint8Array): Detection[] {
    const scan = this.createScan({ size: bytes.length });
    scan.update(bytes);
    return scan.finish();
  }

  /** @internal */
  rank(pass: 'raw' | 'text', m: PassMatch): Ranked {
    const program = pass === 'raw' ? this.raw : this.text;
    const sig = program.signatures[m.sig]!.sig;
    const global = (pass === 'raw' ? this.rawIndex : this.textIndex)[m.sig]!;
    const step = CLAMAV_SCANBUFF - program.maxPatternLength;
    const chunk = Math.max(0, Math.ceil((m.end - CLAMAV_SCANBUFF) / step));
    const cls = sig.staticOnly ? 0 : 1;
    const pos = sig.staticOnly ? m.start : m.lastStart + program.signatures[m.sig]!.clamReach;
    const root = pass === 'text' && sig.target === 0 ? 1 : 0;
    // Two signatures reached at the same place: clamscan's pick follows its trie lists, whose order depends
    // on its memory layout (with two signatures alone the later one wins, in larger databases usually the
    // earlier one). We report the earlier-loaded one; the parity corpus avoids such ties.
    return {
      key: [pass === 'raw' ? 0 : 2, chunk, root, cls, pos, global],
      detection: { signature: sig.name, kind: 'body', offset: m.start },
    };
  }
}

class Scan implements FileScan {
  private readonly db: CompiledDatabase;
  private readonly sizeHint: number | undefined;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private kind: FileKind | undefined;
  private raw: StreamPass | undefined;
  private text: StreamPass | undefined;
  private normalizer: TextNormalizer | undefined;
  private hashers: [HashType, Hash][] = [];
  private textHashers: [HashType, Hash][] = [];
  private size = 0;
  private done = false;
  details: ScanDetails | undefined;

  constructor(db: CompiledDatabase, sizeHint: number | undefined) {
    this.db = db;
    this.sizeHint = sizeHint;
    for (const type of db.hashes.typesFor(sizeHint)) this.hashers.push([type, createHash(type)]);
  }

  update(chunk: Uint8Array): void {
    if (this.done) throw new Error('scan: update after finish');
    if (chunk.length === 0) return;
    this.size += chunk.length;
    for (const [, h] of this.hashers) h.update(chunk);
    if (!this.kind) {
      this.head.push(chunk.slice());
      this.headBytes += chunk.length;
      if (this.headBytes >= TYPE_SNIFF_BYTES) this.start();
      return;
    }
    this.feed(chunk);
  }

  private start(): void {
    const head = concat(this.head, this.headBytes);
    this.head = [];
    this.kind = fileKind(head);
    this.raw = new StreamPass(this.db.raw, this.sizeHint);
    if (this.kind.kind === 'text') {
      this.text = new StreamPass(this.db.text);
      this.normalizer = new TextNormalizer();
      if (this.db.textAsFile)
        for (const type of this.db.hashes.typesFor(undefined))
          this.textHashers.push([type, createHash(type)]);
    }
    this.feed(head);
  }

  private feed(chunk: Uint8Array): void {
    this.raw!.push(chunk);
    if (this.text) {
      const normalised = this.normalizer!.normalize(chunk);
      this.text.push(normalised);
      for (const [, h] of this.textHashers) h.update(normalised);
    }
  }

  finish(): Detection[] {
    if (this.done) throw new Error('scan: finish called twice');
    if (!this.kind) this.start();
    this.done = true;
    const kind = this.kind as FileKind;
    this.details = { fileKind: kind, size: this.size };
    if (this.size === 0) return [];
    const ranked: Ranked[] = [];
    for (const m of this.raw!.finish()) ranked.push(this.db.rank('raw', m));
    const digests: Partial<Record<HashType, string>> = {};
    for (const [type, h] of this.hashers) digests[type] = h.digest('hex');
    this.db.hashes.match(digests, this.size).forEach((name, i) => {
      ranked.push({ key: [1, i], detection: { signature: name, kind: 'hash' } });
    });
    if (this.text) {
      for (const m of this.text.finish()) ranked.push(this.db.rank('text', m));
      if (this.textHashers.length > 0 && this.text.length > 0) {
        const normalised: Partial<Record<HashType, string>> = {};
        for (const [type, h] of this.textHashers) normalised[type] = h.digest('hex');
        this.db.hashes.match(normalised, this.text.length).forEach((name, i) => {
          ranked.push({ key: [3, i], detection: { signature: name, kind: 'hash' } });
        });
      }
    }
    ranked.sort((a, b) => compareKeys(a.key, b.key));
    const seen = new Set<string>();
    const detections: Detection[] = [];
    for (const r of ranked) {
      if (seen.has(r.detection.signature)) continue;
      seen.add(r.detection.signature);
      detections.push(r.detection);
    }
    if (this.raw!.unverifiedEof)
      this.details.incomplete =
        'an EOF-n signature beyond the tail limit was not checked: the size was not known up front';
    return detections;
  }
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
