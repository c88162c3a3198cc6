/** Session-timer negotiation (RFC 4028 §4, §7, §9). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Headers, SipRequest, SipResponse, parseUri } from '../../../src/sip/message/index.js';
import {
  parseMinSe,
  parseSessionExpires,
  uacSessionTimer,
  uasSessionTimer,
} from '../../../src/sip/dialog/index.js';

const policy = { expiresS: 1800, minSeS: 90 };

function invite(lines: string[]): SipRequest {
  const h = new Headers();
  for (const l of lines) {
    const i = l.indexOf(':');
    h.append(l.slice(0, i), l.slice(i + 1).trim());
  }
  return new SipRequest('INVITE', parseUri('sip:a@127.0.0.1'), h);
}

function ok(lines: string[]): SipResponse {
  const h = new Headers();
  for (const l of lines) {
    const i = l.indexOf(':');
    h.append(l.slice(0, i), l.slice(i + 1).trim());
  }
  return new SipResponse(200, 'OK', h);
}

describe('Session-Expires / Min-SE', () => {
  it('parses delta-seconds and the refresher, compact form included; malformed is null', () => {
    assert.deepEqual(parseSessionExpires('1800;refresher=UAC'), { deltaS: 1800, refresher: 'uac' });
    assert.deepEqual(parseSessionExpires(' 90 '), { deltaS: 90, refresher: null });
    assert.equal(parseSessionExpires('soon'), null);
    assert.equal(parseSessionExpires('0'), null);
    assert.equal(parseMinSe('120;x=y'), 120);
    assert.deepEqual(
      invite(['x: 300;refresher=uas']).headers.get('session-expires'),
      '300;refresher=uas',
    );
  });

  it('UAS: below our Min-SE → too-small (422) with ours', () => {
    assert.deepEqual(uasSessionTimer(invite(['Supported: timer', 'Session-Expires: 60']), policy), {
      kind: 'too-small',
      minSeS: 90,
    });
  });

  it('UAS: a caller that supports timers refreshes (Require: timer follows); one that does not, we do', () => {
    assert.deepEqual(
      uasSessionTimer(invite(['Supported: timer', 'Session-Expires: 600']), policy),
      {
        kind: 'interval',
        intervalS: 600,
        refresher: 'uac',
        weRefresh: false,
      },
    );
    // A proxy added Session-Expires but the caller knows no timers: §9, the refresher MUST be uas.
    assert.deepEqual(uasSessionTimer(invite(['Session-Expires: 600;refresher=uac']), policy), {
      kind: 'interval',
      intervalS: 600,
      refresher: 'uas',
      weRefresh: true,
    });
    assert.deepEqual(uasSessionTimer(invite([]), policy), {
      kind: 'interval',
      intervalS: 1800,
      refresher: 'uas',
      weRefresh: true,
    });
  });

  it('UAS: an interval above ours is lowered to ours, never below their Min-SE', () => {
    const d = uasSessionTimer(
      invite(['Supported: timer', 'Session-Expires: 7200;refresher=uas', 'Min-SE: 3600']),
      policy,
    );
    assert.deepEqual(d, { kind: 'interval', intervalS: 3600, refresher: 'uas', weRefresh: true });
  });

  it('UAC: the 2xx decides; none means no timer; no refresher named means us', () => {
    assert.deepEqual(uacSessionTimer(ok(['Session-Expires: 90;refresher=uas'])), {
      intervalS: 90,
      weRefresh: false,
    });
    assert.deepEqual(uacSessionTimer(ok(['Session-Expires: 90'])), {
      intervalS: 90,
      weRefresh: true,
    });
    assert.equal(uacSessionTimer(ok([])), null);
  });
});
