/**
 * Free ports on 127.0.0.1 for peers the tests start (SIPp, baresip). The
 * kernel picks a port (bind port 0) and we release it at once; another
 * process could take it before the child binds it, but the window is a few
 * milliseconds and a child that loses it fails loudly (EADDRINUSE), which
 * the harnesses report — it never makes a test pass wrongly.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

const HOST = '127.0.0.1';
const ATTEMPTS = 50;
/** 127.0.0.1 and 0.0.0.0 as /proc/net/{udp,tcp} write them (little-endian hex). */
const LOOPBACK_HEX = '0100007F';
const ANY_HEX = '00000000';

/** A free UDP port. */
export async function freeUdpPort(): Promise<number> {
  const socket = await bindUdp(0);
  const { port } = socket.address();
  await closeUdp(socket);
  return port;
}

/** A free TCP port. */
export async function freeTcpPort(): Promise<number> {
  const server = await listenTcp(0);
  const port = portOf(server);
  await closeTcp(server);
  return port;
}

/** A port free for both UDP and TCP (a SIP peer listening on both with one number). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const udp = await bindUdp(0);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(port).catch(() => undefined);
      if (tcp) {
        await closeTcp(tcp);
        return port;
      }
    } finally {
      await closeUdp(udp);
    }
  }
  throw new Error(`no port free for both UDP and TCP on ${HOST} after ${ATTEMPTS} attempts`);
}

/**
 * A free UDP port p with p+2 free too: SIPp binds its RTP echo socket on -mp
 * and a second one two above, and exits if either is taken.
 */
export async function freeUdpPortPair(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const first = await bindUdp(0);
    const port = first.address().port;
    try {
      if (port + 2 > 65535) continue;
      const second = await bindUdp(port + 2).catch(() => undefined);
      if (second) {
        await closeUdp(second);
        return port;
      }
    } finally {
      await closeUdp(first);
    }
  }
  throw new Error(`no free UDP port pair (p, p+2) on ${HOST} after ${ATTEMPTS} attempts`);
}

/**
 * Whether some process has bound this UDP port (or listens on this TCP port)
 * on 127.0.0.1, read from the kernel's socket tables (Linux /proc/net), so
 * the check never holds the port itself and cannot race the child binding it.
 */
export function isPortBound(protocol: 'udp' | 'tcp', port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const table = readFileSync(`/proc/net/${protocol}`, 'latin1').split('\n').slice(1);
  for (const line of table) {
    // "  sl  local_address rem_address   st ..."; 0A is TCP_LISTEN, 07 an unconnected UDP socket.
    const fields = line.trim().split(/\s+/);
    const [address, localPort] = (fields[1] ?? '').split(':');
    if (localPort !== hexPort) continue;
    if (address !== LOOPBACK_HEX && address !== ANY_HEX) continue;
    if (protocol === 'tcp' && fields[3] !== '0A') continue;
    return true;
  }
  return false;
}

function bindUdp(port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, HOST, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

function listenTcp(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    // exclusive: a listener in a cluster worker must not share the port with us.
    server.listen({ port, host: HOST, exclusive: true }, () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}

function closeTcp(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('TCP server has no port');
  return address.port;
}
