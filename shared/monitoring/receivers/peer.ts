/** Who sent a record: the sender's address and, over TLS, the identity its client certificate proves. */
import type { TLSSocket } from 'node:tls';
import type { TlsPeer } from './types.ts';

/** The peer's certificate identity, or undefined when it presented none. */
export function tlsPeerOf(socket: TLSSocket): TlsPeer | undefined {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return undefined;
  return {
    subject: cert.subject.split('\n').join(', '),
    fingerprint256: cert.fingerprint256,
    authorized: socket.authorized,
  };
}

/** `::ffff:192.0.2.1` (an IPv4 sender on a dual-stack socket) as `192.0.2.1`; other addresses unchanged. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
