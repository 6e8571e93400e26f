/**
 * The exact UTF-8 byte length of `JSON.stringify(record)` for a `RawRecord`, computed without building
 * the string: batches are cut by their encoded size (a queue message has a hard size limit), and
 * encoding every record twice would cost the receivers a good share of their time.
 */
import type { RawRecord, TlsPeer } from './types.ts';

/** Strings made only of printable ASCII encode as themselves, but for `"` and `\` (two bytes each). */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** Byte length of `JSON.stringify(value)` for a string, quotes included. */
export function jsonStringBytes(value: string): number {
  if (!NOT_PRINTABLE_ASCII.test(value)) {
    // The common case (structured data quotes its values): count the escapes with indexOf.
    let bytes = value.length + 2;
    for (let i = value.indexOf('"'); i !== -1; i = value.indexOf('"', i + 1)) bytes++;
    for (let i = value.indexOf('\\'); i !== -1; i = value.indexOf('\\', i + 1)) bytes++;
    return bytes;
  }
  let bytes = 2;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20) {
      // \b \t \n \f \r have two-character escapes; the other controls are \u00XX.
      bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    } else if (c === 0x22 || c === 0x5c) {
      bytes += 2;
    } else if (c < 0x80) {
      bytes += 1;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 6; // a lone surrogate is written as \uXXXX
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      bytes += 6;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

function numberBytes(value: number): number {
  return String(value).length;
}

/** `"key":` plus the separating comma. */
function keyBytes(key: string): number {
  return key.length + 4;
}

function tlsPeerBytes(peer: TlsPeer): number {
  return (
    2 +
    keyBytes('subject') +
    jsonStringBytes(peer.subject) +
    keyBytes('fingerprint256') +
    jsonStringBytes(peer.fingerprint256) +
    keyBytes('authorized') +
    (peer.authorized ? 4 : 5) -
    1
  );
}

function stringArrayBytes(values: string[]): number {
  let bytes = 2 + Math.max(0, values.length - 1);
  for (const v of values) bytes += jsonStringBytes(v);
  return bytes;
}

/**
 * `Buffer.byteLength(JSON.stringify(record))`, for records built by the receivers (the fields of
 * `RawRecord` and no others; optional fields absent or undefined).
 */
export function rawRecordJsonBytes(record: RawRecord): number {
  let bytes =
    1 + // the closing brace; each key below counts its comma, and the first comma is the opening brace
    keyBytes('text') +
    jsonStringBytes(record.text) +
    keyBytes('receivedAt') +
    numberBytes(record.receivedAt) +
    keyBytes('transport') +
    jsonStringBytes(record.transport) +
    keyBytes('listener') +
    jsonStringBytes(record.listener) +
    keyBytes('remoteAddress') +
    jsonStringBytes(record.remoteAddress) +
    keyBytes('remotePort') +
    numberBytes(record.remotePort);
  if (record.tlsPeer !== undefined) bytes += keyBytes('tlsPeer') + tlsPeerBytes(record.tlsPeer);
  if (record.truncated !== undefined) bytes += keyBytes('truncated') + 4;
  if (record.originalBytes !== undefined)
    bytes += keyBytes('originalBytes') + numberBytes(record.originalBytes);
  if (record.framing !== undefined) bytes += keyBytes('framing') + jsonStringBytes(record.framing);
  if (record.flags !== undefined) bytes += keyBytes('flags') + stringArrayBytes(record.flags);
  return bytes;
}
