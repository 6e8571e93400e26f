/**
 * InRelease signature verification on files written by real tools: Debian's own bookworm-security
 * InRelease with the archive keys apt trusts, and keys and clearsigned texts made by GnuPG
 * (scripts/fixtures/openpgp.sh): Ed25519, an RSA signing subkey in a binary keyring, an expired key, an
 * expired signature, a revoked key, a SHA-1 signature.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRelease } from '../../../shared/feeds/debian-repo/release.ts';
import { readKeyring } from '../../../shared/feeds/openpgp/keyring.ts';
import { loadKeyring } from '../../../shared/feeds/openpgp/load.ts';
import { dearmorAll, OpenPgpError, readPackets } from '../../../shared/feeds/openpgp/packets.ts';
import { parseCleartext, verifyCleartext } from '../../../shared/feeds/openpgp/verify.ts';
import { FeedFormatError } from '../../../shared/feeds/types.ts';

const DIR = new URL('../../fixtures/feeds/openpgp/', import.meta.url).pathname;
const text = (name: string) => readFileSync(join(DIR, name), 'utf8');
const keyring = (...names: string[]) =>
  readKeyring(names.map((name) => ({ name, bytes: readFileSync(join(DIR, name)) })));
const NOW = Date.parse('2026-12-01T00:00:00Z');

/** A packet in the new format with a five-byte length. */
function encodePacket(tag: number, body: Uint8Array): Buffer {
  const head = Buffer.alloc(6);
  head[0] = 0xc0 | tag;
  head[1] = 0xff;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}
const DEBIAN_KEYS = [
  'debian-archive-bookworm-security-automatic.asc',
  'debian-archive-bullseye-security-automatic.asc',
];

describe('verifyCleartext', () => {
  it("accepts Debian's bookworm-security InRelease with the keys apt trusts, naming both signers", () => {
    const result = verifyCleartext(text('bookworm-security-InRelease'), keyring(...DEBIAN_KEYS), NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.by.map((b) => [b.fingerprint, b.primary])).toEqual([
      ['ED541312A33F1128F10B1C6C54404762BBB6E853', 'AC530D520F2F3269F5E98313A48449044AAD5C5D'],
      ['B0CAB9266E8C3929798B3EEEBDE6D2B9216EC7A8', '05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0'],
    ]);
    expect(result.by[1]!.userId).toMatch(/Debian Security Archive Automatic Signing Key \(12\/bookworm\)/);
  });

  it('counts one good signature when the other signer is not in the keyring', () => {
    const result = verifyCleartext(
      text('bookworm-security-InRelease'),
      keyring('debian-archive-bookworm-security-automatic.asc'),
      NOW,
    );
    expect(result).toMatchObject({
      ok: true,
      by: [{ fingerprint: 'B0CAB9266E8C3929798B3EEEBDE6D2B9216EC7A8' }],
    });
    if (result.ok)
      expect(result.notes.join('\n')).toMatch(/ED541312A33F1128F10B1C6C54404762BBB6E853: no such key/);
  });

  it('refuses the same file altered by one character, and one signed by nobody it knows', () => {
    const altered = text('bookworm-security-InRelease').replace(/^(Codename: bookworm-securit)y/m, '$1Y');
    const bad = verifyCleartext(altered, keyring(...DEBIAN_KEYS), NOW);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reasons.every((r) => /BAD/.test(r))).toBe(true);
    const stranger = verifyCleartext(text('bookworm-security-InRelease'), keyring('ed25519.asc'), NOW);
    expect(stranger).toMatchObject({ ok: false });
    if (!stranger.ok) expect(stranger.reasons.join('\n')).toMatch(/no such key in the keyring/);
  });

  it('accepts Ed25519 over text with trailing spaces and a dash-escaped line', () => {
    expect(verifyCleartext(text('ed25519-InRelease'), keyring('ed25519.asc'), NOW)).toMatchObject({
      ok: true,
      by: [{ userId: 'Outboard Test Ed25519 <ed25519@outboard.test>' }],
    });
    const { signed } = parseCleartext(text('ed25519-InRelease'));
    expect(signed.toString()).toContain('Description: trailing spaces here\r\n-dash line, escaped');
    expect(signed.toString().endsWith('\n')).toBe(false);
  });

  it('accepts a signing subkey bound to its primary, from a binary keyring', () => {
    const ring = keyring('rsa-subkey.gpg');
    // The primary certifies only: the subkey is the one key kept for signing.
    expect(ring.keys).toHaveLength(1);
    expect(ring.keys[0]!.primary).not.toBe(ring.keys[0]!.fingerprint);
    expect(verifyCleartext(text('rsa-subkey-InRelease'), ring, NOW)).toMatchObject({ ok: true });
  });

  it('refuses a signing subkey whose binding lacks the back-signature (not cross-certified)', () => {
    // The same key with the embedded back-signature (subpacket 32, unhashed) cut from the binding.
    const packets = readPackets(readFileSync(join(DIR, 'rsa-subkey.gpg')));
    const rebuilt = packets.map((p, i) => {
      if (p.tag !== 2 || packets[i - 1]?.tag !== 14) return encodePacket(p.tag, p.body);
      const body = Buffer.from(p.body);
      const hashedEnd = 6 + body.readUInt16BE(4);
      const unhashedLength = body.readUInt16BE(hashedEnd);
      const unhashed = body.subarray(hashedEnd + 2, hashedEnd + 2 + unhashedLength);
      const kept: Buffer[] = [];
      for (let at = 0; at < unhashed.length; ) {
        let length = unhashed[at]!;
        let head = 1;
        if (length >= 192 && length < 255) {
          length = ((length - 192) << 8) + unhashed[at + 1]! + 192;
          head = 2;
        } else if (length === 255) {
          length = unhashed.readUInt32BE(at + 1);
          head = 5;
        }
        if ((unhashed[at + head]! & 0x7f) !== 32) kept.push(unhashed.subarray(at, at + head + length));
        at += head + length;
      }
      const keptBytes = Buffer.concat(kept);
      const size = Buffer.alloc(2);
      size.writeUInt16BE(keptBytes.length);
      const rest = body.subarray(hashedEnd + 2 + unhashedLength);
      return encodePacket(2, Buffer.concat([body.subarray(0, hashedEnd), size, keptBytes, rest]));
    });
    const ring = readKeyring([{ name: 'no-backsig.gpg', bytes: Buffer.concat(rebuilt) }]);
    expect(ring.keys).toEqual([]);
    expect(ring.skipped).toEqual([expect.stringMatching(/not cross-certified/)]);
    expect(verifyCleartext(text('rsa-subkey-InRelease'), ring, NOW)).toMatchObject({ ok: false });
  });

  it('refuses an expired key, a revoked key and a SHA-1 signature, saying which', () => {
    const reasons = (file: string, key: string) => {
      const r = verifyCleartext(text(file), keyring(key), NOW);
      return r.ok ? [] : r.reasons;
    };
    expect(reasons('expired-InRelease', 'expired.asc').join()).toMatch(/its key expired 2020-06-01/);
    expect(keyring('revoked.asc')).toMatchObject({ keys: [], skipped: [expect.stringMatching(/revoked$/)] });
    expect(reasons('revoked-InRelease', 'revoked.asc').join()).toMatch(/no such key/);
    expect(reasons('sha1-InRelease', 'ed25519.asc')).toEqual([
      expect.stringMatching(/SHA-1 signatures over data are refused/),
    ]);
  });

  it('judges keys and signatures at the time given: valid before they expire, refused after', () => {
    const ring = keyring('expired.asc');
    // Made in March 2020 by a key that expired in June; this signature itself expired in April.
    expect(verifyCleartext(text('expired-InRelease'), ring, Date.parse('2020-03-02'))).toMatchObject({
      ok: true,
    });
    expect(verifyCleartext(text('sig-expired-InRelease'), ring, Date.parse('2020-03-02'))).toMatchObject({
      ok: true,
    });
    const late = verifyCleartext(text('sig-expired-InRelease'), ring, Date.parse('2020-05-01'));
    expect(late.ok ? [] : late.reasons).toEqual([expect.stringMatching(/: expired 2020-04-01/)]);
  });

  it('refuses what is not a cleartext-signed message', () => {
    const r = verifyCleartext('Origin: Debian\n', keyring('ed25519.asc'), NOW);
    expect(r).toEqual({ ok: false, reasons: ['not a cleartext-signed message'] });
    const cut = text('ed25519-InRelease').replace(/-----END PGP SIGNATURE-----\n?$/, '');
    expect(verifyCleartext(cut, keyring('ed25519.asc'), NOW)).toMatchObject({ ok: false });
  });
});

describe('keyrings and packets', () => {
  it('rejects armour whose CRC24 does not match, and packets that run past their end', () => {
    const armoured = text('ed25519.asc');
    const crc = /^=(.{4})$/m.exec(armoured)![1]!;
    const broken = armoured.replace(`=${crc}`, `=${crc === 'AAAA' ? 'AAAB' : 'AAAA'}`);
    expect(() => dearmorAll(broken, 'PUBLIC KEY BLOCK')).toThrow(/CRC24/);
    const packets = dearmorAll(armoured, 'PUBLIC KEY BLOCK')[0]!;
    expect(() => readPackets(packets.subarray(0, packets.length - 5))).toThrow(OpenPgpError);
    expect(() => readPackets(Uint8Array.from([0x00, 0x01]))).toThrow(/not a packet header/);
  });

  it('loads keyring folders and refuses one without a usable key', async () => {
    const ring = await loadKeyring([DIR]);
    expect(ring.keys.map((k) => k.fingerprint)).toContain('B0CAB9266E8C3929798B3EEEBDE6D2B9216EC7A8');
    await expect(loadKeyring([join(DIR, 'revoked.asc')])).rejects.toThrow(/no usable signing key/);
    await expect(loadKeyring([join(DIR, 'missing.asc')])).rejects.toThrow(OpenPgpError);
  });
});

describe('parseRelease with a keyring', () => {
  const source = { location: 'dists/bookworm-security/InRelease' };

  it('notes who signed a verified InRelease', async () => {
    const release = await parseRelease(text('bookworm-security-InRelease'), source, {
      keyring: keyring(...DEBIAN_KEYS),
      now: NOW,
    });
    expect(release.codename).toBe('bookworm-security');
    expect(release.notes.join('\n')).toMatch(
      /InRelease signature verified: ED541312A33F1128F10B1C6C54404762BBB6E853/,
    );
  });

  it('refuses an InRelease that does not verify and an unsigned Release; without a keyring, notes it', async () => {
    const check = { keyring: keyring('ed25519.asc'), now: NOW };
    await expect(parseRelease(text('bookworm-security-InRelease'), source, check)).rejects.toThrow(
      /signature not verified: .*no such key/,
    );
    await expect(parseRelease('Origin: Debian\nSuite: stable\n', source, check)).rejects.toThrow(
      FeedFormatError,
    );
    const unchecked = await parseRelease(text('bookworm-security-InRelease'), source);
    expect(unchecked.notes.join()).toMatch(/not verified \(no keyring given/);
  });
});

describe('hostile input', () => {
  /** Seeded byte mutations: nothing but OpenPgpError escapes, and no change to the signed text verifies. */
  it('survives 1,500 mutated keyrings and 1,500 mutated signed texts without an unexpected error', () => {
    let seed = 20261127;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const mutate = (bytes: Uint8Array): Uint8Array => {
      const out = Uint8Array.from(bytes);
      for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
        const at = Math.floor(random() * out.length);
        out[at] = random() < 0.5 ? Math.floor(random() * 256) : out[at]! ^ (1 << Math.floor(random() * 8));
      }
      return random() < 0.2 ? out.subarray(0, Math.floor(random() * out.length)) : out;
    };
    const keyFiles = ['ed25519.asc', 'rsa-subkey.gpg', 'debian-archive-bookworm-security-automatic.asc'];
    const good = keyring(...keyFiles);
    const signed = ['ed25519-InRelease', 'rsa-subkey-InRelease'];
    for (let i = 0; i < 1500; i++) {
      const name = keyFiles[i % keyFiles.length]!;
      try {
        readKeyring([{ name, bytes: mutate(readFileSync(join(DIR, name))) }]);
      } catch (error) {
        expect(error, `${name} #${i}`).toBeInstanceOf(OpenPgpError);
      }
      const file = signed[i % signed.length]!;
      const original = Buffer.from(text(file));
      const mutated = Buffer.from(mutate(original)).toString('latin1');
      const result = verifyCleartext(mutated, good, NOW);
      // A mutation may still verify only where it changed nothing signed (an armour header, say).
      if (result.ok)
        expect(parseCleartext(mutated).signed, `${file} #${i}`).toEqual(parseCleartext(text(file)).signed);
    }
  });
});
