/**
 * The file-type decision that changes how ClamAV scans a file, reduced to what this engine acts on: a file
 * whose first bytes carry a known format magic is scanned raw only (ClamAV hands it to a format parser
 * this engine does not have); any other file is typed by its first 1,024 bytes as text (then also scanned
 * normalised) or binary. The magic list covers common executable, archive, document and image formats;
 * ClamAV knows more (HTML and mail are detected inside text too), so such files may be scanned
 * differently from clamscan.
 */
import { type TextKind, textKind } from './text.ts';

interface Magic {
  type: string;
  offset: number;
  bytes: number[];
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const MAGICS: Magic[] = [
  { type: 'pe', offset: 0, bytes: ascii('MZ') },
  { type: 'elf', offset: 0, bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { type: 'macho', offset: 0, bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { type: 'macho', offset: 0, bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { type: 'macho', offset: 0, bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { type: 'macho', offset: 0, bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { type: 'macho-fat-or-java', offset: 0, bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { type: 'zip', offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'zip', offset: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { type: 'gzip', offset: 0, bytes: [0x1f, 0x8b] },
  { type: 'bzip2', offset: 0, bytes: ascii('BZh') },
  { type: 'xz', offset: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { type: '7z', offset: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: 'rar', offset: 0, bytes: ascii('Rar!') },
  { type: 'cab', offset: 0, bytes: ascii('MSCF') },
  { type: 'tar', offset: 257, bytes: ascii('ustar') },
  { type: 'ole2', offset: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { type: 'pdf', offset: 0, bytes: ascii('%PDF-') },
  { type: 'rtf', offset: 0, bytes: ascii('{\\rtf') },
  { type: 'gif', offset: 0, bytes: ascii('GIF8') },
  { type: 'png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47] },
  { type: 'jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'swf', offset: 0, bytes: ascii('FWS') },
  { type: 'swf', offset: 0, bytes: ascii('CWS') },
  { type: 'html', offset: 0, bytes: ascii('<html') },
  { type: 'html', offset: 0, bytes: ascii('<HTML') },
  { type: 'html', offset: 0, bytes: ascii('<!DOCTYPE') },
];

export type FileKind = { kind: 'format'; format: string } | { kind: 'text' | 'binary'; text: TextKind };

/** Types a file from its first bytes (pass at least 1,024 bytes, or the whole file when shorter). */
export function fileKind(head: Uint8Array): FileKind {
  for (const m of MAGICS) {
    if (head.length < m.offset + m.bytes.length) continue;
    if (m.bytes.every((b, i) => head[m.offset + i] === b)) return { kind: 'format', format: m.type };
  }
  const text = textKind(head.subarray(0, 1024));
  return { kind: text === 'binary' ? 'binary' : 'text', text };
}
