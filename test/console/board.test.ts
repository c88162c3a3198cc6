/** The console's stream parser and call board (src/console/web: no DOM, so they run here). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallBoard, elapsed, parsePlivoTime } from '../../src/console/web/board.js';
import { SseParser } from '../../src/console/web/sse.js';

test('the SSE parser: frames split anywhere, CRLF and LF, comments, multi-line data, retry', () => {
  const text =
    'retry: 1500\r\n\r\n: keep-alive\n\nid: e.1\nevent: call\ndata: {"a":\ndata: 1}\n\n' +
    'data: no event name\r\n\r\nid: e.2\nevent: talking\ndata: x\n\n';
  for (const size of [1, 2, 3, 7, text.length]) {
    const p = new SseParser();
    const frames = [];
    for (let i = 0; i < text.length; i += size) frames.push(...p.feed(text.slice(i, i + size)));
    assert.deepEqual(
      frames,
      [
        { id: 'e.1', event: 'call', data: '{"a":\n1}' },
        { id: 'e.1', event: 'message', data: 'no event name' },
        { id: 'e.2', event: 'talking', data: 'x' },
      ],
      `chunks of ${size}`,
    );
    assert.equal(p.retryMs, 1500);
  }
});

const call = (state: string, members: { id: string; state: string }[], talking: string[] = []) => ({
  call_id: 'C1',
  phlo_id: 'P',
  node_id: 'N',
  state,
  created_on: '2026-12-02 04:00:00.000000+00:00',
  started_on: '2026-12-02 04:00:01.000000+00:00',
  ended_on: null,
  end_reason: null,
  members: members.map((m) => ({
    member_id: m.id,
    address: `sip:${m.id}@127.0.0.1`,
    role: 'agent',
    state: m.state,
    muted: false,
    held: false,
    joined_on: null,
    left_on: null,
    hangup_cause: null,
  })),
  talking,
});

test('the board follows snapshot, call and talking frames', () => {
  const b = new CallBoard();
  const frame = (event: string, data: unknown) => ({ id: null, event, data: JSON.stringify(data) });
  assert.equal(
    b.apply(frame('snapshot', { calls: [call('active', [{ id: 'A', state: 'connected' }])] })),
    'all',
  );
  assert.equal(b.callsOf('P', 'N').length, 1);
  const ev = {
    at: '2026-12-02 04:00:02.000000+00:00',
    type: 'member.dialing',
    member_id: 'B',
    data: {},
  };
  const changed = b.apply(
    frame('call', {
      ...call('active', [
        { id: 'A', state: 'connected' },
        { id: 'B', state: 'dialing' },
      ]),
      events: [ev],
    }),
  );
  assert.equal(changed, 'C1');
  assert.equal(b.get('C1')?.members.length, 2);
  assert.deepEqual(b.get('C1')?.events, [ev]);
  assert.equal(b.apply(frame('talking', { call_id: 'C1', member_id: 'A', talking: true })), 'C1');
  assert.ok(b.get('C1')?.talking.has('A'));
  b.apply(frame('talking', { call_id: 'C1', member_id: 'A', talking: false }));
  assert.ok(!b.get('C1')?.talking.has('A'));
  assert.equal(
    b.apply(frame('talking', { call_id: 'other', member_id: 'A', talking: true })),
    null,
  );
  // The stored history replaces what was seen live, without duplicates.
  b.setHistory('C1', [
    { seq: 1, ...ev, type: 'call.initialized' },
    { seq: 2, ...ev },
  ]);
  assert.deepEqual(
    b.get('C1')?.events.map((e) => e.seq),
    [1, 2],
  );
  // A new snapshot without the call: it ended while the stream was down.
  b.apply(frame('snapshot', { calls: [] }));
  assert.equal(b.get('C1')?.state, 'ended');
});

test('times: Plivo format parsed to the millisecond, time in call as m:ss / h:mm:ss', () => {
  assert.equal(
    parsePlivoTime('2018-11-14 04:41:31.827796+00:00').toISOString(),
    '2018-11-14T04:41:31.827Z',
  );
  const now = new Date('2018-11-14T04:43:36.900Z');
  assert.equal(elapsed('2018-11-14 04:41:31.827796+00:00', now), '2:05');
  assert.equal(elapsed('2018-11-14 02:41:31.000000+00:00', now), '2:02:05');
  assert.equal(elapsed('2018-11-14 05:00:00.000000+00:00', now), '0:00');
});
