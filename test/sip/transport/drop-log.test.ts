/**
 * Messages dropped unanswered (garbage, malformed responses) are counted
 * each, but logged once per source per window: a flood of garbage must not
 * become a flood of warn lines (found by bench/flood: one line per datagram).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { DropLog, DROP_LOG_WINDOW_MS } from '../../../src/sip/transport/drop-log.js';
import type { TransportLayer } from '../../../src/sip/transport/index.js';
import { generateBranch } from '../../../src/sip/message/index.js';
import { ManualClock } from '../../support/manual-clock.js';
import { layerWithInbox, requestText, UdpPeer, type Inbox, type Received } from './support.js';

describe('DropLog', () => {
  it('logs the first drop of a window and counts the rest into the next line', () => {
    const clock = new ManualClock();
    const log = new DropLog(clock, 1000);
    assert.deepEqual(log.drop('a'), { log: true, suppressed: 0 });
    for (let i = 0; i < 5; i++) assert.deepEqual(log.drop('a'), { log: false });
    // Another source has its own window.
    assert.deepEqual(log.drop('b'), { log: true, suppressed: 0 });
    clock.advance(999);
    assert.deepEqual(log.drop('a'), { log: false });
    clock.advance(1);
    assert.deepEqual(log.drop('a'), { log: true, suppressed: 6 });
    assert.deepEqual(log.drop('a'), { log: false });
  });

  it('remembers a bounded number of sources, forgetting the least recently logged', () => {
    const clock = new ManualClock();
    const log = new DropLog(clock, 1000, 2);
    log.drop('a');
    log.drop('b');
    log.drop('c'); // 'a' is forgotten
    assert.deepEqual(log.drop('a'), { log: true, suppressed: 0 });
    assert.deepEqual(log.drop('c'), { log: false });
  });
});

describe('TransportLayer: garbage from one source', () => {
  const lines: Array<{ msg: string; notLoggedSinceLastLine?: number }> = [];
  const clock = new ManualClock();
  let l: { layer: TransportLayer; inbox: Inbox<Received> };
  let peer: UdpPeer;
  let port: number;

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line));
        done();
      },
    });
    l = await layerWithInbox({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      clock,
      logger: pino({ level: 'warn' }, sink),
    });
    port = l.layer.localEndpoint('udp', 4).port;
    peer = await UdpPeer.bind('127.0.0.1');
  });
  after(async () => {
    await peer.close();
    await l.layer.close();
  });

  /** Sends `n` garbage datagrams, then a good request, and waits for that one (UDP on loopback keeps order). */
  async function garbageThenBarrier(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await peer.send(`garbage ${i}\r\n\r\n`, '127.0.0.1', port);
    const via = `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${generateBranch()}`;
    await peer.send(requestText({ via }), '127.0.0.1', port);
    await l.inbox.next();
  }

  it('counts every dropped datagram and logs one line per window', async () => {
    const before = l.layer.stats();
    await garbageThenBarrier(300);
    assert.equal(l.layer.stats().dropped - before.dropped, 300);
    const dropped = (): typeof lines => lines.filter((x) => x.msg === 'malformed message dropped');
    assert.equal(dropped().length, 1);
    assert.equal(dropped()[0]!.notLoggedSinceLastLine, undefined);

    clock.advance(DROP_LOG_WINDOW_MS);
    await garbageThenBarrier(1);
    assert.equal(dropped().length, 2);
    assert.equal(dropped()[1]!.notLoggedSinceLastLine, 299);
  });
});
