/**
 * Verifying a cleartext-signed message (an InRelease file) against a keyring, as apt does with gpgv:
 * the message is good when at least one of its signatures is a valid signature over the canonical
 * text (RFC 9580 §7.2: dash-escaping undone, trailing spaces and tabs dropped, CRLF line ends, no final
 * line end) by a key of the keyring that was valid when it signed and has not expired since, and the
 * signature itself has not expired — and none is BAD (a known key's signature that does not match: the
 * text was altered). Signatures by keys not in the keyring, or expired ones, are reported, not counted.
 */
import { splitCleartext } from './cleartext.ts';
import type { Keyring, SigningKey } from './keyring.ts';
import { dearmorAll, OpenPgpError, readPackets } from './packets.ts';
import { checkSignature, HASHES, parseSignature } from './signature.ts';

const HASH_NAMES: Record<string, number> = Object.fromEntries(
  Object.entries(HASHES).map(([id, name]) => [name.toUpperCase(), Number(id)]),
);

export interface VerifiedBy {
  fingerprint: string;
  primary: string;
  userId?: string;
  /** When the signature was made (ISO). */
  signedAt: string;
}

export type VerifyResult = { ok: true; by: VerifiedBy[]; notes: string[] } | { ok: false; reasons: string[] };

/** The signed text (canonical bytes) and the signature packets of a cleartext-signed message. */
export function parseCleartext(text: string): {
  signed: Buffer;
  hashes?: number[];
  signatures: Uint8Array[];
} {
  const { hashHeaders, lines, signatureBlock } = splitCleartext(text);
  let hashes: number[] | undefined;
  for (const name of hashHeaders.flatMap((h) => h.split(',')).map((n) => n.trim())) {
    const id = HASH_NAMES[name.toUpperCase()];
    if (id === undefined) throw new OpenPgpError(`unknown hash ${name} in the Hash header`);
    hashes = [...(hashes ?? []), id];
  }
  const blocks = dearmorAll(signatureBlock, 'SIGNATURE');
  if (blocks.length !== 1) throw new OpenPgpError(`${blocks.length} signature blocks (expected one)`);
  const signatures = readPackets(blocks[0]!)
    .filter((p) => p.tag === 2)
    .map((p) => p.body);
  if (signatures.length === 0) throw new OpenPgpError('the signature block holds no signature');
  // Canonical text: trailing spaces and tabs dropped, CRLF between lines, none after the last.
  const canonical = lines.map((l) => l.replace(/[ \t]+$/, '')).join('\r\n');
  return { signed: Buffer.from(canonical, 'utf8'), ...(hashes ? { hashes } : {}), signatures };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Checks a cleartext-signed message; `now` in ms (keys and signatures expire). */
export function verifyCleartext(text: string, keyring: Keyring, now: number): VerifyResult {
  let parsed: ReturnType<typeof parseCleartext>;
  try {
    parsed = parseCleartext(text);
  } catch (error) {
    return { ok: false, reasons: [(error as Error).message] };
  }
  const reasons: string[] = [];
  const by: VerifiedBy[] = [];
  let bad = false;
  const nowS = Math.floor(now / 1000);
  for (const body of parsed.signatures) {
    let sig: ReturnType<typeof parseSignature>;
    try {
      sig = parseSignature(body);
    } catch (error) {
      reasons.push(`a signature could not be read: ${(error as Error).message}`);
      continue;
    }
    const issuer = sig.issuerFingerprint ?? sig.issuerKeyId ?? 'an unnamed key';
    if (sig.type !== 0x01) {
      reasons.push(`signature by ${issuer}: type 0x${sig.type.toString(16)} is not a text signature`);
      continue;
    }
    if (parsed.hashes && !parsed.hashes.includes(sig.hashAlgo)) {
      reasons.push(`signature by ${issuer}: its hash is not one the Hash header announces`);
      continue;
    }
    if (sig.unknownCritical !== undefined) {
      reasons.push(`signature by ${issuer}: unknown critical subpacket ${sig.unknownCritical}`);
      continue;
    }
    const candidates = keyring.keys.filter((k: SigningKey) =>
      sig.issuerFingerprint
        ? k.fingerprint === sig.issuerFingerprint
        : !sig.issuerKeyId || k.keyId === sig.issuerKeyId,
    );
    if (candidates.length === 0) {
      reasons.push(`signature by ${issuer}: no such key in the keyring`);
      continue;
    }
    let good: SigningKey | undefined;
    let checked = false;
    for (const key of candidates) {
      try {
        checked = true;
        if (checkSignature(sig, key, [parsed.signed])) {
          good = key;
          break;
        }
      } catch (error) {
        checked = false; // could not be checked at all: the reason says why, it is not "BAD"
        reasons.push(`signature by ${key.fingerprint}: ${(error as Error).message}`);
      }
    }
    if (!good) {
      if (checked) {
        bad = true;
        reasons.push(`signature by ${issuer}: BAD (the text or the signature was altered)`);
      }
      continue;
    }
    if (sig.created < good.created) {
      reasons.push(`signature by ${good.fingerprint}: made before its key existed`);
      continue;
    }
    if (sig.expiresAfter && sig.created + sig.expiresAfter <= nowS) {
      reasons.push(`signature by ${good.fingerprint}: expired ${iso(sig.created + sig.expiresAfter)}`);
      continue;
    }
    if (good.expires !== undefined && good.expires <= nowS) {
      reasons.push(`signature by ${good.fingerprint}: its key expired ${iso(good.expires)}`);
      continue;
    }
    by.push({
      fingerprint: good.fingerprint,
      primary: good.primary,
      ...(good.userId ? { userId: good.userId } : {}),
      signedAt: iso(sig.created),
    });
  }
  return by.length > 0 && !bad ? { ok: true, by, notes: reasons } : { ok: false, reasons };
}
