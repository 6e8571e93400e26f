/**
 * Version 4 signature packets: parsing, and checking one against a public key over the data it signs.
 * RSA (PKCS #1 v1.5) and EdDSA over Ed25519 (the legacy algorithm 22 and RFC 9580's 27), with SHA-2
 * digests; SHA-1 only where a caller allows it (old key self-signatures), never for signed data.
 */
import { createHash, type KeyObject, verify } from 'node:crypto';
import { Cursor, OpenPgpError } from './packets.ts';

export const ALGO_RSA = [1, 3] as const;
export const ALGO_EDDSA_LEGACY = 22;
export const ALGO_ED25519 = 27;

/** Hash algorithm ids (RFC 9580 §9.5) and their names in node:crypto (upper-cased: the armour's `Hash:`). */
export const HASHES: Record<number, string> = {
  2: 'sha1',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
};

/** Subpacket types this reader interprets (RFC 9580 §5.2.3.7 ff.). */
const SUB_CREATED = 2;
const SUB_SIG_EXPIRES = 3;
const SUB_KEY_EXPIRES = 9;
const SUB_ISSUER = 16;
const SUB_KEY_FLAGS = 27;
const SUB_EMBEDDED_SIGNATURE = 32;
const SUB_ISSUER_FINGERPRINT = 33;
/** Understood well enough to accept as critical: they restrict nothing verification relies on. */
const KNOWN_CRITICAL = new Set([
  SUB_CREATED,
  SUB_SIG_EXPIRES,
  SUB_KEY_EXPIRES,
  SUB_ISSUER,
  SUB_KEY_FLAGS,
  SUB_ISSUER_FINGERPRINT,
  SUB_EMBEDDED_SIGNATURE,
  11, // preferred symmetric algorithms
  21, // preferred hash algorithms
  22, // preferred compression
  23, // key server preferences
  25, // primary user id
  30, // features
]);

export interface Signature {
  type: number;
  pubAlgo: number;
  hashAlgo: number;
  /** Seconds since the epoch. */
  created: number;
  /** Seconds after `created` the signature expires (0 or undefined: never). */
  expiresAfter?: number;
  /** Key expiration (self-signatures): seconds after the key's creation. */
  keyExpiresAfter?: number;
  keyFlags?: number;
  /** Issuer key id (16 hex, upper case) and fingerprint (40 hex) if the packet names them. */
  issuerKeyId?: string;
  issuerFingerprint?: string;
  left16: Uint8Array;
  /** The bytes hashed after the data: version through hashed subpackets, then the v4 trailer. */
  trailer: Uint8Array;
  /** RSA: [s]; EdDSA: [r, s] or, for algorithm 27, the 64-byte signature. */
  values: Uint8Array[];
  /** A critical subpacket this reader does not know: the signature must not be trusted. */
  unknownCritical?: number;
  /** Embedded signature packets (a signing subkey's back-signature rides in its binding signature). */
  embedded?: Uint8Array[];
}

function subpackets(bytes: Uint8Array, hashed: boolean, into: Signature): void {
  const c = new Cursor(bytes, 'signature subpackets');
  while (!c.done) {
    let length = c.u8();
    if (length >= 192 && length < 255) length = ((length - 192) << 8) + c.u8() + 192;
    else if (length === 255) length = c.u32();
    if (length < 1) throw new OpenPgpError('signature subpacket of length 0');
    const typeByte = c.u8();
    const type = typeByte & 0x7f;
    const data = new Cursor(c.take(length - 1), `signature subpacket ${type}`);
    if (hashed && typeByte & 0x80 && !KNOWN_CRITICAL.has(type)) into.unknownCritical ??= type;
    // Only hashed subpackets are trusted for times and flags; the issuer may also be unhashed (it only
    // says which key to try).
    if (type === SUB_EMBEDDED_SIGNATURE) into.embedded = [...(into.embedded ?? []), data.bytes];
    else if (type === SUB_ISSUER)
      into.issuerKeyId ??= Buffer.from(data.take(8)).toString('hex').toUpperCase();
    else if (type === SUB_ISSUER_FINGERPRINT) {
      const version = data.u8();
      if (version === 4) into.issuerFingerprint ??= Buffer.from(data.take(20)).toString('hex').toUpperCase();
    } else if (!hashed) continue;
    else if (type === SUB_CREATED) into.created = data.u32();
    else if (type === SUB_SIG_EXPIRES) into.expiresAfter = data.u32();
    else if (type === SUB_KEY_EXPIRES) into.keyExpiresAfter = data.u32();
    else if (type === SUB_KEY_FLAGS && data.bytes.length > 0) into.keyFlags = data.u8();
  }
}

export function parseSignature(body: Uint8Array): Signature {
  const c = new Cursor(body, 'signature packet');
  const version = c.u8();
  if (version !== 4) throw new OpenPgpError(`signature packet version ${version} is not supported (only 4)`);
  const type = c.u8();
  const pubAlgo = c.u8();
  const hashAlgo = c.u8();
  const hashedLength = c.u16();
  const hashedStart = c.at;
  const hashed = c.take(hashedLength);
  const hashedPart = body.subarray(0, hashedStart + hashedLength);
  const unhashed = c.take(c.u16());
  const left16 = c.take(2);
  const sig: Signature = {
    type,
    pubAlgo,
    hashAlgo,
    created: -1,
    left16,
    trailer: new Uint8Array(),
    values: [],
  };
  subpackets(hashed, true, sig);
  subpackets(unhashed, false, sig);
  if (sig.created < 0) throw new OpenPgpError('signature without a hashed creation time');
  if ((ALGO_RSA as readonly number[]).includes(pubAlgo)) sig.values = [c.mpi()];
  else if (pubAlgo === ALGO_EDDSA_LEGACY) sig.values = [c.mpi(), c.mpi()];
  else if (pubAlgo === ALGO_ED25519) sig.values = [c.take(64)];
  else sig.values = [c.take(body.length - c.at)]; // kept whole; verification will refuse the algorithm
  const trailer = Buffer.alloc(hashedPart.length + 6);
  trailer.set(hashedPart, 0);
  trailer[hashedPart.length] = 0x04;
  trailer[hashedPart.length + 1] = 0xff;
  trailer.writeUInt32BE(hashedPart.length, hashedPart.length + 2);
  sig.trailer = trailer;
  return sig;
}

function leftPad(bytes: Uint8Array, length: number): Buffer {
  if (bytes.length > length) throw new OpenPgpError('signature value longer than the key allows');
  const out = Buffer.alloc(length);
  out.set(bytes, length - bytes.length);
  return out;
}

export interface VerifyingKey {
  algorithm: number;
  key: KeyObject;
  /** RSA modulus length in bytes (the signature is padded to it). */
  modulusBytes?: number;
}

/**
 * Whether `sig` is a valid signature by `key` over `data` (already in the form the signature type
 * hashes: canonical text, or key material for certifications). Throws OpenPgpError for what cannot be
 * checked at all (unsupported algorithms, weak digests).
 */
export function checkSignature(
  sig: Signature,
  key: VerifyingKey,
  data: Uint8Array[],
  options: { allowSha1?: boolean } = {},
): boolean {
  const hashName = HASHES[sig.hashAlgo];
  if (!hashName) throw new OpenPgpError(`hash algorithm ${sig.hashAlgo} is not supported`);
  if (hashName === 'sha1' && !options.allowSha1)
    throw new OpenPgpError('SHA-1 signatures over data are refused (weak digest)');
  if (
    sig.pubAlgo !== key.algorithm &&
    !(ALGO_RSA.includes(sig.pubAlgo as 1) && ALGO_RSA.includes(key.algorithm as 1))
  )
    return false;
  const hash = createHash(hashName);
  for (const part of data) hash.update(part);
  hash.update(sig.trailer);
  const digest = hash.digest();
  if (digest[0] !== sig.left16[0] || digest[1] !== sig.left16[1]) return false;
  if (ALGO_RSA.includes(key.algorithm as 1)) {
    // Node hashes again inside verify: give it the message, not the digest.
    const message = Buffer.concat([...data, sig.trailer]);
    return verify(hashName, message, key.key, leftPad(sig.values[0]!, key.modulusBytes!));
  }
  if (key.algorithm === ALGO_EDDSA_LEGACY || key.algorithm === ALGO_ED25519) {
    // EdDSA signs the digest itself.
    const value =
      sig.values.length === 2
        ? Buffer.concat([leftPad(sig.values[0]!, 32), leftPad(sig.values[1]!, 32)])
        : Buffer.from(sig.values[0]!);
    return verify(null, digest, key.key, value);
  }
  throw new OpenPgpError(`public key algorithm ${key.algorithm} is not supported`);
}
