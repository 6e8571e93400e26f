/**
 * Opening and closing the receivers' sockets as promises, including the one subtle part: UDP and TCP
 * on the same port number when the port is picked by the system (0).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { type AddressInfo, isIPv6, type Server } from 'node:net';
import { ReceiverStartError } from './errors.ts';

/** Attempts at finding an ephemeral port free for both TCP and UDP. */
const PAIR_ATTEMPTS = 8;

export function listenTcp(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      reject(
        new ReceiverStartError(`${what}: cannot listen on ${host}:${port}: ${err.message}`, { cause: err }),
      );
    };
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function bindUdp(socket: UdpSocket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

export function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/**
 * Listens on TCP, then binds UDP to the same port number. With port 0 the TCP port is picked first
 * and, if that number is taken for UDP, both are tried again on a new one.
 */
export async function listenTcpAndUdp(
  tcp: Server,
  makeUdp: (socket: UdpSocket) => void,
  host: string,
  port: number,
): Promise<{ port: number; udp: UdpSocket }> {
  for (let attempt = 1; ; attempt++) {
    const actual = await listenTcp(tcp, host, port, 'syslog TCP listener');
    const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    try {
      await bindUdp(udp, host, actual);
      makeUdp(udp);
      return { port: actual, udp };
    } catch (err) {
      await closeUdp(udp);
      await closeServer(tcp);
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= PAIR_ATTEMPTS) {
        throw new ReceiverStartError(
          `syslog UDP listener: cannot bind ${host}:${actual} (the TCP listener was closed again): ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
  }
}
