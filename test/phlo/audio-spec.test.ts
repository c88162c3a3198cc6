import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinSource, isBuiltinSpec } from '../../src/media/index.js';
import { checkAudioSpec } from '../../src/phlo/index.js';

const VALID = [
  'beep:1',
  'beep:2',
  'ringback',
  'silence',
  'none',
  'tone:440',
  'tone:660',
  'tone:1000:250',
  'tone:3999.5',
  'tone:440:86400000',
  '/usr/share/asterisk/moh/macroform-cold_day.wav',
  '/srv/music/hold music.wav',
  'file:///srv/music/hold.wav',
  'https://example.com/hold.wav',
  'http://127.0.0.1:8000/hold.wav?sig=abc',
  'HTTPS://Example.com/x.wav',
];

const INVALID: [unknown, RegExp][] = [
  ['', /^is empty \(expected beep:1/],
  ['   ', /^is empty/],
  [' tone:440', /leading or trailing spaces/],
  [42, /^must be an audio source .*got 42/],
  [null, /got null/],
  ['tone:', /is not a tone \(expected tone:<Hz>\[:<ms>\]/],
  ['tone:abc', /is not a tone/],
  ['tone:440:', /is not a tone/],
  ['tone:-5', /is not a tone/],
  ['tone:0', /tone frequency 0 Hz must be above 0 and below 4000/],
  ['tone:4000', /tone frequency 4000 Hz/],
  ['tone:9000', /tone frequency 9000 Hz/],
  ['tone:440:0', /tone duration 0 ms must be from 1 to 86400000/],
  ['tone:440:86400001', /tone duration 86400001 ms/],
  ['beep:3', /unknown built-in "beep:3" \(beep:1 or beep:2\)/],
  ['Ringback', /is not an audio source/],
  ['jazz', /is not an audio source \(expected beep:1, beep:2, ringback, silence, none/],
  ['moh/hold.wav', /a local file must be given by its absolute path/],
  ['hold.wav', /a local file must be given by its absolute path/],
  ['ftp://example.com/hold.wav', /only http\(s\) and file URLs are supported/],
  ['http://', /is not a valid http\(s\) URL/],
  ['http:/example.com/x.wav', /is not a valid http\(s\) URL/],
  ['file://host/x.wav', /is not a valid file:\/\/ URL/],
  ['/srv/a\nb.wav', /control characters/],
  ['{{start.music}}', /templates are not allowed in audio sources \(only in from, to, agents/],
  ['/' + 'a'.repeat(2048), /too long/],
];

describe('checkAudioSpec', () => {
  for (const spec of VALID)
    it(`accepts ${spec}`, () => assert.equal(checkAudioSpec(spec), undefined));
  for (const [spec, re] of INVALID) {
    it(`rejects ${JSON.stringify(spec)}`, () => {
      const problem = checkAudioSpec(spec);
      assert.ok(problem, 'expected a problem');
      assert.match(problem, re);
    });
  }
  it('agrees with the media layer on built-ins (what is accepted here plays there)', () => {
    for (const spec of VALID.filter(isBuiltinSpec)) {
      assert.doesNotThrow(() => builtinSource(spec), spec);
      assert.ok(builtinSource(spec), spec);
    }
    for (const [spec] of INVALID) {
      if (typeof spec !== 'string' || !isBuiltinSpec(spec)) continue;
      assert.throws(() => builtinSource(spec), Error, spec);
    }
  });
});
