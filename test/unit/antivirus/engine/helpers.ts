/**
 * Test helpers for the built-in engine: the EICAR test string built from parts (so this file is not itself
 * a test virus), databases from inline text, and a seeded random generator.
 */
import { parseDatabaseFiles, type SignatureDatabase } from '../../../../shared/antivirus/signatures/index.ts';

const enc = new TextEncoder();

/** The 68-byte EICAR anti-virus test string, assembled at run time. */
export function eicar(): Uint8Array {
  const head = ['X5O!P%@AP[4', '\\PZX54(P^)7CC)7}$'].join('');
  const tail = ['EICAR-STANDARD', 'ANTIVIRUS', 'TEST', 'FILE!$H+H*'].join('-');
  return enc.encode(head + tail);
}

export function bytes(text: string): Uint8Array {
  return enc.encode(text);
}

export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function hexOf(text: string): string {
  return Buffer.from(text, 'latin1').toString('hex');
}

/** A database from `{ 'name.ext': 'file text' }`; malformed lines end up in `report.errors`. */
export function dbFrom(files: Record<string, string>): SignatureDatabase {
  return parseDatabaseFiles(Object.entries(files).map(([name, text]) => ({ name, bytes: latin1(text) })));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic PRNG (mulberry32). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Binary bytes that ClamAV types as binary (a 00 01 00 02 start rules out text and UTF-16). */
export function binary(length: number, random: () => number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(random() * 256);
  b.set([0, 1, 0, 2].slice(0, length));
  return b;
}
