import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { describe, it } from 'node:test';
import { PortPool, PortPoolError, RtpStream } from '../../../src/media/stream/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { closeSocket, HOST, mediaTowards, testPool } from './helpers.js';
import { createSocket } from 'node:dgram';

function bindAt(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, HOST, () => resolve(s));
  });
}

describe('PortPool', () => {
  it('hands out an even RTP port with RTCP on the next odd one, both bound', async () => {
    const pool = testPool(4);
    assert.equal(pool.size, 4);
    const a = await pool.allocate();
    assert.equal(a.port % 2, 0);
    assert.equal(a.rtp.address().port, a.port);
    assert.equal(a.rtcp.address().port, a.port + 1);
    assert.equal(a.rtp.address().address, HOST);
    assert.equal(pool.available(), 3);
    pool.release(a.port);
    pool.release(a.port); // idempotent
    assert.equal(pool.available(), 4);
  });

  it('rounds an odd lower bound up and ignores a last port with no partner', () => {
    const pool = new PortPool({ minPort: 40001, maxPort: 40006 });
    assert.equal(pool.size, 2); // (40002, 40003), (40004, 40005)
    assert.throws(() => new PortPool({ minPort: 40000, maxPort: 40000 }), RangeError);
    assert.throws(() => new PortPool({ minPort: 65534, maxPort: 70000 }), RangeError);
  });

  it('skips pairs whose RTP or RTCP port another socket holds', async () => {
    const pool = testPool(3);
    const first = await pool.allocate();
    const base = first.port;
    pool.release(base);
    // The queue now is base+2, base+4, base; occupy RTCP of base+2 and RTP of base+4.
    const squatters = [await bindAt(base + 3), await bindAt(base + 4)];
    try {
      const got = await pool.allocate();
      assert.equal(got.port, base);
      assert.equal(pool.available(), 2);
      await assert.rejects(
        pool.allocate(),
        (e: unknown) => e instanceof PortPoolError && e.code === 'exhausted',
      );
      // Failed attempts leave the pool intact.
      assert.equal(pool.available(), 2);
      pool.release(got.port);
    } finally {
      for (const s of squatters) await closeSocket(s);
    }
    assert.equal(pool.available(), 3);
  });

  it('refuses a host name as bind address without a DNS lookup', async () => {
    const pool = testPool(2);
    await assert.rejects(
      pool.allocate('localhost'),
      (e: unknown) => e instanceof PortPoolError && e.code === 'bind-failed',
    );
    assert.equal(pool.available(), 2);
  });

  it('concurrent allocations get distinct pairs', async () => {
    const pool = testPool(8);
    const got = await Promise.all(Array.from({ length: 8 }, () => pool.allocate()));
    assert.equal(new Set(got.map((g) => g.port)).size, 8);
    await assert.rejects(pool.allocate(), PortPoolError);
    for (const g of got) pool.release(g.port);
    assert.equal(pool.available(), 8);
  });

  it('is full again after 1 000 allocate/release cycles over a 4-pair range', async () => {
    const pool = testPool(4);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const held = [await pool.allocate(), await pool.allocate()];
      for (const h of held) seen.add(h.port);
      for (const h of held) pool.release(h.port);
    }
    assert.equal(pool.available(), pool.size);
    assert.equal(seen.size, 4, 'every pair was reused');
  });

  it('is full again after streams close, normally, twice, or because a socket failed', async () => {
    const pool = testPool(6);
    const clock = new ManualClock();
    const streams = await Promise.all(
      Array.from({ length: 6 }, () => RtpStream.open({ pool, localAddress: HOST, clock })),
    );
    assert.equal(pool.available(), 0);
    streams[0].start(mediaTowards(9));
    streams[1].start(mediaTowards(9));
    await streams[0].close();
    await streams[0].close();
    await streams[2].close();
    // A socket error (as the OS would report one) closes the stream and frees its ports.
    const reasons: string[] = [];
    streams[1].on('close', (e) => reasons.push(e.reason));
    streams[3].on('close', (e) => reasons.push(e.reason));
    socketOf(streams[1]).emit('error', Object.assign(new Error('recvmsg failed'), { code: 'EIO' }));
    socketOf(streams[3], 'rtcp').emit(
      'error',
      Object.assign(new Error('recvmsg failed'), { code: 'EIO' }),
    );
    await streams[1].close();
    await streams[3].close();
    assert.deepEqual(reasons, ['socket-error', 'socket-error']);
    assert.ok(streams[1].closed && streams[3].closed);
    await Promise.all([streams[4].close(), streams[5].close()]);
    assert.equal(pool.available(), pool.size);
    // And the freed ports bind again.
    const again = await Promise.all(
      Array.from({ length: 6 }, () => RtpStream.open({ pool, localAddress: HOST, clock })),
    );
    assert.equal(pool.available(), 0);
    await Promise.all(again.map((s) => s.close()));
    assert.equal(pool.available(), pool.size);
    assert.equal(clock.armed(), 0, 'no timer left behind');
  });
});

/** The stream's socket, reached past its privacy only to inject an OS-level error. */
function socketOf(stream: RtpStream, which: 'rtp' | 'rtcp' = 'rtp'): Socket {
  return (stream as unknown as Record<'rtp' | 'rtcp', Socket>)[which];
}
