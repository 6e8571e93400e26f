/**
 * A keyring of trusted signing keys, read from the files an administrator names (armoured `.asc` or
 * binary `.gpg`, as apt's `trusted.gpg.d` holds them). Only what the keys' own signatures vouch for is
 * kept: a user ID self-signature by the primary key gives its expiry, a subkey counts only with a valid
 * binding signature from its primary (a signing subkey also with its own back-signature, as gpg demands,
 * so nobody can claim another's signing subkey), and a valid revocation removes a key. Keys of algorithms this
 * verifier cannot check (DSA, ECDSA, …) are listed as skipped, with the reason.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { Cursor, dearmorAll, OpenPgpError, readPackets } from './packets.ts';
import {
  ALGO_ED25519,
  ALGO_EDDSA_LEGACY,
  ALGO_RSA,
  checkSignature,
  parseSignature,
  type Signature,
  type VerifyingKey,
} from './signature.ts';

const TAG_SIGNATURE = 2;
const TAG_PUBLIC_KEY = 6;
const TAG_USER_ID = 13;
const TAG_PUBLIC_SUBKEY = 14;
const TAG_USER_ATTRIBUTE = 17;

const ED25519_OID = Buffer.from('2b06010401da470f01', 'hex');
const KEY_FLAG_SIGN = 0x02;

export interface SigningKey extends VerifyingKey {
  fingerprint: string;
  keyId: string;
  /** The primary key's fingerprint (its own for a primary). */
  primary: string;
  /** Seconds since the epoch. */
  created: number;
  /** Seconds since the epoch; undefined: does not expire. */
  expires?: number;
  userId?: string;
}

export interface Keyring {
  keys: SigningKey[];
  /** Keys read but not usable, and why (`<fingerprint>: <reason>`). */
  skipped: string[];
}

interface RawKey {
  body: Uint8Array;
  algorithm: number;
  created: number;
  fingerprint: string;
  verifying?: VerifyingKey;
  unusable?: string;
}

function keyHashPrefix(body: Uint8Array): Uint8Array {
  const prefix = Buffer.alloc(3);
  prefix[0] = 0x99;
  prefix.writeUInt16BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

/** A public key packet; key material crypto refuses (a bad RSA modulus, a wrong-size point) is unusable. */
function parseKey(body: Uint8Array): RawKey {
  try {
    return parseKeyMaterial(body);
  } catch (error) {
    if (error instanceof OpenPgpError) throw error;
    const fingerprint = createHash('sha1').update(keyHashPrefix(body)).digest('hex').toUpperCase();
    return {
      body,
      algorithm: -1,
      created: 0,
      fingerprint,
      unusable: `key material refused: ${(error as Error).message}`,
    };
  }
}

function parseKeyMaterial(body: Uint8Array): RawKey {
  const c = new Cursor(body, 'public key packet');
  const version = c.u8();
  const fingerprint = createHash('sha1').update(keyHashPrefix(body)).digest('hex').toUpperCase();
  if (version !== 4)
    return { body, algorithm: -1, created: 0, fingerprint, unusable: `key version ${version} (only 4)` };
  const created = c.u32();
  const algorithm = c.u8();
  const raw: RawKey = { body, algorithm, created, fingerprint };
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  if ((ALGO_RSA as readonly number[]).includes(algorithm)) {
    const n = c.mpi();
    const e = c.mpi();
    raw.verifying = {
      algorithm,
      key: createPublicKey({ key: { kty: 'RSA', n: b64(n), e: b64(e) }, format: 'jwk' }),
      modulusBytes: n.length,
    };
  } else if (algorithm === ALGO_EDDSA_LEGACY) {
    const oid = c.take(c.u8());
    const point = c.mpi();
    if (!ED25519_OID.equals(oid))
      raw.unusable = `EdDSA curve ${Buffer.from(oid).toString('hex')} is not Ed25519`;
    else if (point.length !== 33 || point[0] !== 0x40) raw.unusable = 'EdDSA point not in native form';
    else
      raw.verifying = {
        algorithm,
        key: createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: b64(point.subarray(1)) },
          format: 'jwk',
        }),
      };
  } else if (algorithm === ALGO_ED25519) {
    raw.verifying = {
      algorithm,
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(c.take(32)) }, format: 'jwk' }),
    };
  } else raw.unusable = `public key algorithm ${algorithm} is not supported`;
  return raw;
}

function valid(sig: Signature, by: RawKey, data: Uint8Array[]): boolean {
  if (!by.verifying || sig.unknownCritical !== undefined) return false;
  try {
    return checkSignature(sig, by.verifying, data, { allowSha1: true });
  } catch {
    return false;
  }
}

function userIdData(packet: Uint8Array, tag: number): Uint8Array {
  const head = Buffer.alloc(5);
  head[0] = tag === TAG_USER_ID ? 0xb4 : 0xd1;
  head.writeUInt32BE(packet.length, 1);
  return Buffer.concat([head, packet]);
}

/** Reads keyring files (armoured or binary, one key or many each). */
export function readKeyring(files: readonly { name: string; bytes: Uint8Array }[]): Keyring {
  const keyring: Keyring = { keys: [], skipped: [] };
  for (const file of files) {
    const text = Buffer.from(file.bytes.subarray(0, 64)).toString('latin1');
    const blocks = text.includes('-----BEGIN PGP')
      ? dearmorAll(Buffer.from(file.bytes).toString('utf8'), 'PUBLIC KEY BLOCK')
      : [file.bytes];
    if (blocks.length === 0) throw new OpenPgpError(`${file.name}: no public key block`);
    for (const block of blocks) {
      try {
        addTransferableKeys(readPackets(block), keyring);
      } catch (error) {
        if (error instanceof OpenPgpError) throw new OpenPgpError(`${file.name}: ${error.message}`);
        throw error;
      }
    }
  }
  return keyring;
}

/** RFC 9580 §10.1: primary key, its signatures, user IDs with theirs, subkeys with theirs; repeated. */
function addTransferableKeys(packets: ReturnType<typeof readPackets>, keyring: Keyring): void {
  let i = 0;
  while (i < packets.length) {
    if (packets[i]!.tag !== TAG_PUBLIC_KEY)
      throw new OpenPgpError(`expected a public key packet, found tag ${packets[i]!.tag}`);
    const primary = parseKey(packets[i++]!.body);
    let revoked = false;
    let best: { sig: Signature; userId: string } | undefined;
    const subkeys: { key: RawKey; binding?: Signature; revoked: boolean }[] = [];
    let userPacket: { body: Uint8Array; tag: number } | undefined;
    for (; i < packets.length && packets[i]!.tag !== TAG_PUBLIC_KEY; i++) {
      const { tag, body } = packets[i]!;
      if (tag === TAG_USER_ID || tag === TAG_USER_ATTRIBUTE) {
        userPacket = { body, tag };
        continue;
      }
      if (tag === TAG_PUBLIC_SUBKEY) {
        subkeys.push({ key: parseKey(body), revoked: false });
        userPacket = undefined;
        continue;
      }
      if (tag !== TAG_SIGNATURE) continue; // trust packets and the like carry nothing to verify
      let sig: Signature;
      try {
        sig = parseSignature(body);
      } catch {
        continue; // a signature this reader cannot parse vouches for nothing
      }
      const primaryData = keyHashPrefix(primary.body);
      const sub = subkeys.at(-1);
      if (sig.type === 0x20 && valid(sig, primary, [primaryData])) revoked = true;
      else if (sub && (sig.type === 0x18 || sig.type === 0x28)) {
        const data = [primaryData, keyHashPrefix(sub.key.body)];
        if (!valid(sig, primary, data)) continue;
        if (sig.type === 0x28) sub.revoked = true;
        else if (!sub.binding || sig.created > sub.binding.created) sub.binding = sig;
      } else if (userPacket && sig.type >= 0x10 && sig.type <= 0x13 && userPacket.tag === TAG_USER_ID) {
        if (!valid(sig, primary, [primaryData, userIdData(userPacket.body, userPacket.tag)])) continue;
        if (!best || sig.created > best.sig.created)
          best = { sig, userId: Buffer.from(userPacket.body).toString('utf8') };
      }
    }
    const skip = (fingerprint: string, reason: string) => keyring.skipped.push(`${fingerprint}: ${reason}`);
    if (revoked) {
      skip(primary.fingerprint, 'revoked');
      continue;
    }
    if (!best) {
      skip(primary.fingerprint, 'no valid self-signature on a user ID');
      continue;
    }
    const expiresAfter = best.sig.keyExpiresAfter;
    const expires = expiresAfter ? primary.created + expiresAfter : undefined;
    const signsItself = best.sig.keyFlags === undefined || (best.sig.keyFlags & KEY_FLAG_SIGN) !== 0;
    if (primary.verifying && signsItself)
      keyring.keys.push(signingKey(primary, primary.fingerprint, expires, best.userId));
    else if (!primary.verifying) skip(primary.fingerprint, primary.unusable ?? 'unusable');
    for (const sub of subkeys) {
      if (sub.revoked) skip(sub.key.fingerprint, 'subkey revoked');
      else if (!sub.binding) skip(sub.key.fingerprint, 'subkey without a valid binding signature');
      else if (!sub.key.verifying) skip(sub.key.fingerprint, sub.key.unusable ?? 'unusable');
      else if (sub.binding.keyFlags !== undefined && (sub.binding.keyFlags & KEY_FLAG_SIGN) === 0) continue;
      else if (!crossCertified(primary, sub.key, sub.binding))
        skip(sub.key.fingerprint, 'signing subkey not cross-certified (no valid back-signature)');
      else {
        const after = sub.binding.keyExpiresAfter;
        const subExpires = after ? sub.key.created + after : undefined;
        const until = [subExpires, expires].filter((t): t is number => t !== undefined);
        keyring.keys.push(
          signingKey(
            sub.key,
            primary.fingerprint,
            until.length ? Math.min(...until) : undefined,
            best.userId,
          ),
        );
      }
    }
  }
}

/** Whether the binding carries a valid primary-key binding signature (0x19) made by the subkey itself. */
function crossCertified(primary: RawKey, subkey: RawKey, binding: Signature): boolean {
  const data = [keyHashPrefix(primary.body), keyHashPrefix(subkey.body)];
  for (const body of binding.embedded ?? []) {
    let back: Signature;
    try {
      back = parseSignature(body);
    } catch {
      continue;
    }
    if (back.type === 0x19 && valid(back, subkey, data)) return true;
  }
  return false;
}

function signingKey(key: RawKey, primary: string, expires: number | undefined, userId: string): SigningKey {
  return {
    ...key.verifying!,
    fingerprint: key.fingerprint,
    keyId: key.fingerprint.slice(-16),
    primary,
    created: key.created,
    ...(expires !== undefined ? { expires } : {}),
    userId,
  };
}
