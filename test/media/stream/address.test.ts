import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { literalFirstLookup } from '../../../src/media/stream/index.js';

describe('literalFirstLookup', () => {
  it('answers an IP literal within the call, with its family', () => {
    for (const [address, family] of [
      ['127.0.0.1', 4],
      ['::1', 6],
      ['2001:db8::7', 6],
    ] as const) {
      let answer: unknown[] | undefined;
      literalFirstLookup(address, {}, (...args: unknown[]) => (answer = args));
      assert.deepEqual(answer, [null, address, family], address);
    }
  });

  it('leaves a name to dns.lookup (answered later, not within the call)', async () => {
    let answered = false;
    const done = new Promise<unknown[]>((resolve) =>
      literalFirstLookup('localhost', { family: 4 }, (...args: unknown[]) => {
        answered = true;
        resolve(args);
      }),
    );
    assert.equal(answered, false);
    const [err, address] = await done;
    assert.equal(err, null);
    assert.equal(address, '127.0.0.1');
  });

  it('lets a dgram socket send to a literal at once, the datagram arriving', async () => {
    const rx = createSocket('udp4');
    const tx = createSocket({ type: 'udp4', lookup: literalFirstLookup });
    try {
      rx.bind(0, '127.0.0.1');
      await once(rx, 'listening');
      const got = once(rx, 'message');
      tx.send(Buffer.from('rtp'), rx.address().port, '127.0.0.1');
      const [msg] = (await got) as [Buffer];
      assert.equal(msg.toString(), 'rtp');
    } finally {
      rx.close();
      tx.close();
    }
  });
});
