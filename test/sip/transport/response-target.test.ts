import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Via } from '../../../src/sip/message/index.js';
import {
  reliableResponseTarget,
  unreliableResponseTarget,
} from '../../../src/sip/transport/response-target.js';

function via(host: string, port: number | null, params: Array<[string, string | null]>): Via {
  return { protocol: 'SIP/2.0', transport: 'UDP', host, port, params: new Map(params) };
}

describe('response targets (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('UDP: sent-by, default port 5060', () => {
    assert.deepEqual(unreliableResponseTarget(via('10.0.0.1', null, [])), {
      host: '10.0.0.1',
      port: 5060,
    });
  });

  it('UDP: received with the sent-by port', () => {
    const v = via('pc.example.com', 5070, [['received', '10.0.0.9']]);
    assert.deepEqual(unreliableResponseTarget(v), { host: '10.0.0.9', port: 5070 });
  });

  it('UDP: received and rport win over sent-by', () => {
    const v = via('10.0.0.1', 5070, [
      ['rport', '40000'],
      ['received', '192.0.2.4'],
    ]);
    assert.deepEqual(unreliableResponseTarget(v), { host: '192.0.2.4', port: 40000 });
  });

  it('UDP: a value-less rport is ignored', () => {
    const v = via('10.0.0.1', 5070, [
      ['rport', null],
      ['received', '192.0.2.4'],
    ]);
    assert.deepEqual(unreliableResponseTarget(v), { host: '192.0.2.4', port: 5070 });
  });

  it('UDP: maddr is ignored — the response goes where the request came from, never where the sender says', () => {
    const v = via('10.0.0.1', 5070, [
      ['maddr', '10.0.0.200'],
      ['rport', '40000'],
      ['received', '192.0.2.4'],
    ]);
    assert.deepEqual(unreliableResponseTarget(v), { host: '192.0.2.4', port: 40000 });
    const named = via('10.0.0.1', 5070, [['maddr', 'victim.example']]);
    assert.deepEqual(unreliableResponseTarget(named), { host: '10.0.0.1', port: 5070 });
  });

  it('IPv6 hosts lose their brackets', () => {
    assert.deepEqual(unreliableResponseTarget(via('[::1]', 5080, [])), { host: '::1', port: 5080 });
  });

  it('TCP reconnect: received (else sent-by) on the sent-by port, never rport', () => {
    const v = via('10.0.0.1', 5070, [
      ['rport', '40000'],
      ['received', '192.0.2.4'],
    ]);
    assert.deepEqual(reliableResponseTarget(v), { host: '192.0.2.4', port: 5070 });
    assert.deepEqual(reliableResponseTarget(via('10.0.0.1', null, [])), {
      host: '10.0.0.1',
      port: 5060,
    });
  });
});
