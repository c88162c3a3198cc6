import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { detach, flatten } from '../../../src/sip/message/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes still in use after keeping `keep(i)` for the last 2000 of 50 000 rounds, each with a fresh 10 KB message. */
function retainedBytes(keep: (message: string, i: number) => string): number {
  const kept: string[] = new Array<string>(2000);
  const padding = 'x'.repeat(10_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  // Enough rounds for the optimising compiler to take over: it once dropped
  // a conversion whose result was unused, and with it the flattening.
  for (let i = 0; i < 50_000; i++) {
    const message = Buffer.from(`BYE sip:a@b SIP/2.0\r\nVia: ${i}\r\n${padding}`).toString(
      'latin1',
    );
    kept[i % kept.length] = keep(message, i);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.equal(kept.length, 2000);
  return after - before;
}

describe('strings that outlive their message', () => {
  it('flatten() and detach() keep the text', () => {
    const message = 'INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-123456789\r\n';
    const branch = message.slice(message.indexOf('z9'), message.length - 2);
    assert.equal(flatten(`${branch}|h:|INVITE`), 'z9hG4bK-123456789|h:|INVITE');
    assert.equal(detach(branch), 'z9hG4bK-123456789');
    assert.equal(detach('short'), 'short');
    assert.equal(detach(''), '');
  });

  it('a key built from slices of a message does not keep the message alive once flattened', () => {
    const key = (m: string, i: number): string => `${m.slice(4, 20)}|${m.slice(21, 40)}|${i}`;
    const held = retainedBytes(key);
    const flat = retainedBytes((m, i) => flatten(key(m, i)));
    // 2000 messages of 10 KB are 20 MB: held by the ropes, not by the flattened keys.
    assert.ok(held > 15e6, `ropes should hold the messages (held ${held} B)`);
    assert.ok(flat < 3e6, `flattened keys held ${flat} B`);
  });

  it('a detached slice does not keep the message alive', () => {
    const held = retainedBytes((m) => m.slice(4, 40));
    const detached = retainedBytes((m) => detach(m.slice(4, 40)));
    assert.ok(held > 15e6, `slices should hold the messages (held ${held} B)`);
    assert.ok(detached < 3e6, `detached slices held ${detached} B`);
  });
});
