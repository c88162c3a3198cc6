import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_BACKOFF,
  callbackDeliveries,
  callbackPayload,
  callbackUrlProblem,
  plivoTime,
  retryDelay,
} from '../../src/callbacks/index.js';
import { isoFromMs, microsFromIso } from '../../src/callbacks/time.js';
import type { DeliveryRecord, EventRecord } from '../../src/store/index.js';
import { member } from '../store/fixtures.js';

describe('retryDelay', () => {
  const none = () => 0;
  it('doubles from 1 s and stops at the cap', () => {
    const policy = { ...DEFAULT_BACKOFF, maxDelayMs: 60_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => retryDelay(n, policy, none)),
      [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000],
    );
    assert.equal(DEFAULT_BACKOFF.baseDelayMs, 1000);
    assert.equal(retryDelay(1, { ...DEFAULT_BACKOFF, baseDelayMs: 250 }, none), 250);
  });

  it('shortens each wait by up to the jitter fraction', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 10_000, jitter: 0.25 };
    assert.equal(
      retryDelay(2, policy, () => 0),
      2000,
    );
    assert.equal(
      retryDelay(2, policy, () => 1),
      1500,
    );
    assert.equal(
      retryDelay(2, policy, () => 0.5),
      1750,
    );
    for (let i = 0; i < 100; i++) {
      const d = retryDelay(3, policy, Math.random);
      assert.ok(d >= 3000 && d <= 4000, String(d));
    }
    // Nonsense in, sane out.
    assert.equal(
      retryDelay(0, policy, () => 0),
      1000,
    );
    assert.equal(
      retryDelay(1, { ...policy, jitter: 5 }, () => 2),
      0,
    );
  });
});

describe('callback times', () => {
  it('writes store times with microseconds and reads them back exactly', () => {
    const ms = Date.parse('2026-12-01T19:42:04.123Z');
    assert.equal(isoFromMs(ms), '2026-12-01T19:42:04.123000Z');
    assert.equal(isoFromMs(ms + 0.456), '2026-12-01T19:42:04.123456Z');
    assert.equal(microsFromIso('2026-12-01T19:42:04.123456Z'), ms * 1000 + 456);
    assert.equal(microsFromIso('2026-12-01T19:42:04Z'), (ms - 123) * 1000);
  });

  it('formats times as Plivo does', () => {
    assert.equal(plivoTime('2018-11-14T04:41:31.827796Z'), '2018-11-14 04:41:31.827796+00:00');
    assert.equal(plivoTime('2018-11-14T04:41:31.8Z'), '2018-11-14 04:41:31.800000+00:00');
    assert.equal(plivoTime('2018-11-14T04:41:31Z'), '2018-11-14 04:41:31.000000+00:00');
    assert.equal(plivoTime(null), null);
  });
});

describe('callbackUrlProblem', () => {
  it('accepts absolute http(s) URLs only', () => {
    for (const ok of [
      'http://127.0.0.1:8080/cb',
      'https://hooks.example.com/a?b=c',
      'HTTPS://X.example/',
    ]) {
      assert.equal(callbackUrlProblem(ok), null, ok);
    }
    for (const bad of [
      '',
      'ftp://example.com/x',
      '/relative',
      'example.com/cb',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://',
      'https://' + 'a'.repeat(2100) + '.com/',
      42,
    ]) {
      assert.equal(typeof callbackUrlProblem(bad), 'string', String(bad));
    }
  });
});

describe('callbackDeliveries and callbackPayload', () => {
  const call = { authId: 'MAAAAAAAAAAAAAAAAAAA', phloId: 'phlo-1', nodeId: 'mpc1' };

  it('makes nothing for a node without a callback URL', () => {
    for (const url of [null, undefined, '']) {
      assert.deepEqual(
        callbackDeliveries({ url, call, events: [{ memberId: null }], createdOn: 'x' }),
        [],
      );
    }
  });

  it('makes one delivery per event, by index, with the member frozen as the change leaves it', () => {
    const m = member('call-1', {
      address: 'sip:alice@example.com',
      role: 'agent',
      state: 'on_hold',
      held: true,
      joinedOn: '2026-12-01T12:00:01.000001Z',
    });
    let n = 0;
    const ds = callbackDeliveries({
      url: 'https://hooks.example.com/cb',
      call,
      events: [{ memberId: null }, { memberId: m.memberId }, { memberId: 'gone' }],
      member: (id) => (id === m.memberId ? m : undefined),
      createdOn: '2026-12-01T12:00:02.000000Z',
      newId: () => `d${++n}`,
    });
    assert.deepEqual(
      ds.map((d) => [d.deliveryId, d.event, d.url, d.authId, d.createdOn]),
      [
        ['d1', 0, 'https://hooks.example.com/cb', call.authId, '2026-12-01T12:00:02.000000Z'],
        ['d2', 1, 'https://hooks.example.com/cb', call.authId, '2026-12-01T12:00:02.000000Z'],
        ['d3', 2, 'https://hooks.example.com/cb', call.authId, '2026-12-01T12:00:02.000000Z'],
      ],
    );
    assert.deepEqual(JSON.parse(ds[0].body), { phlo_id: 'phlo-1', node_id: 'mpc1', member: null });
    assert.deepEqual(JSON.parse(ds[1].body).member, {
      member_id: m.memberId,
      address: 'sip:alice@example.com',
      role: 'agent',
      state: 'on_hold',
      muted: false,
      held: true,
      joined_on: '2026-12-01 12:00:01.000001+00:00',
      left_on: null,
      hangup_cause: null,
    });
    assert.equal(JSON.parse(ds[2].body).member, null);
    // Fresh UUIDs by default.
    const [a] = callbackDeliveries({
      url: 'http://h/x',
      call,
      events: [{ memberId: null }],
      createdOn: 'x',
    });
    assert.match(
      a.deliveryId,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('builds the payload from the event and the frozen fields, the same bytes every time', () => {
    const [d] = callbackDeliveries({
      url: 'http://h/x',
      call,
      events: [{ memberId: null }],
      createdOn: '2026-12-01T12:00:02.000000Z',
      newId: () => 'd1',
    });
    const delivery: DeliveryRecord = {
      ...d,
      callId: 'call-1',
      seq: 7,
      attempts: 0,
      nextAttemptAt: d.createdOn,
      lastAttemptOn: null,
      deliveredOn: null,
      lastError: null,
      gaveUpOn: null,
    };
    const event: EventRecord = {
      callId: 'call-1',
      seq: 7,
      at: '2026-12-01T12:00:02.123456Z',
      type: 'call.ended',
      memberId: null,
      data: '{"reason":"last-agent-left"}',
    };
    const payload = callbackPayload({ delivery, event });
    assert.deepEqual(payload, {
      event_id: 'd1',
      call_id: 'call-1',
      phlo_id: 'phlo-1',
      node_id: 'mpc1',
      seq: 7,
      type: 'call.ended',
      at: '2026-12-01 12:00:02.123456+00:00',
      member: null,
      data: { reason: 'last-agent-left' },
    });
    assert.equal(JSON.stringify(callbackPayload({ delivery, event })), JSON.stringify(payload));
    // A row this code did not write still gives a payload, not a throw.
    const odd = callbackPayload({
      delivery: { ...delivery, body: '[1]' },
      event: { ...event, data: 'null' },
    });
    assert.deepEqual([odd.phlo_id, odd.node_id, odd.member, odd.data], [null, null, null, {}]);
  });
});
