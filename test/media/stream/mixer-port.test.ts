import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MixerPort } from '../../../src/media/mixer/index.js';
import { RtpStream } from '../../../src/media/stream/index.js';

// The mixer declares the port it consumes; RtpStream must keep matching it.
// This assignment fails to compile (npm test type-checks) if they drift apart.
type Check<T extends MixerPort> = T;
type _RtpStreamIsAMixerPort = Check<RtpStream>;

test('RtpStream has the MixerPort methods', () => {
  assert.equal(typeof RtpStream.prototype.readFrame, 'function');
  assert.equal(typeof RtpStream.prototype.writeFrame, 'function');
});
