import { createSocket, type Socket } from 'node:dgram';

/**
 * Free UDP ports on 127.0.0.1, found by letting the kernel pick (bind port 0)
 * and releasing them right away. Sockets are held together until all are
 * picked, so the ports returned are distinct. Another process could still take
 * one before our child binds it; the window is a few milliseconds and a child
 * that loses it fails loudly (EADDRINUSE), it does not measure the wrong thing.
 */
export async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < count; i++) sockets.push(await bind(0));
    return sockets.map((s) => s.address().port);
  } finally {
    await Promise.all(sockets.map(close));
  }
}

/**
 * A free UDP port p whose p+2 is free as well: SIPp binds its audio socket on
 * -mp and its video socket two above, and exits if either is taken.
 */
export async function freeUdpPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bind(0);
    const port = first.address().port;
    try {
      if (port + 2 > 65535) continue;
      const second = await bind(port + 2).catch(() => undefined);
      if (second !== undefined) {
        await close(second);
        return port;
      }
    } finally {
      await close(first);
    }
  }
  throw new Error('no free UDP port pair (p, p+2) on 127.0.0.1 after 50 attempts');
}

function bind(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, '127.0.0.1', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}
