/**
 * Recording, proved by the WAV file: members start their tones one second
 * apart and one is then muted; windows of the recording must hold exactly
 * the tones that were heard in the room at that time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeWavFile, WavRecorder } from '../../../src/media/audio/index.js';
import { HEARD_DB, levels, openConference, show, sleep, type Conference } from './conference.js';

const A = 440;
const B = 1000;
const C = 1800;

describe('e2e mixer: recording', () => {
  let conf: Conference | undefined;
  let dir: string | undefined;
  after(async () => {
    await conf?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records every heard tone in the right time range', async () => {
    dir = await mkdtemp(join(tmpdir(), 'partyline-mixer-rec-'));
    const path = join(dir, 'room.wav');
    conf = await openConference('PCMU', ['a', 'b', 'c']);
    const recorder = await WavRecorder.open(path);
    assert.equal(conf.room.startRecording(recorder), true);
    // 0–1 s: a; 1–2 s: a + b; 2–3 s: a + b + c; 3–4 s: b muted.
    conf.leg('a').peer.startTone(A);
    await sleep(1000);
    conf.leg('b').peer.startTone(B);
    await sleep(1000);
    conf.leg('c').peer.startTone(C);
    await sleep(1000);
    conf.room.setFlags('b', { muted: true });
    await sleep(1000);
    await conf.room.stopRecording();

    const { samples } = await decodeWavFile(path);
    assert.ok(samples.length >= 3.8 * 8000, `recording is ${samples.length / 8000} s long`);
    // Windows well inside each second: tone starts (timers, jitter buffers) land at the edges.
    const window = (second: number) => {
      const from = Math.round((second + 0.3) * 8000);
      return levels(samples.subarray(from, from + 0.5 * 8000), [A, B, C]);
    };
    const expectations: [number, number[], number[]][] = [
      [0, [A], [B, C]],
      [1, [A, B], [C]],
      [2, [A, B, C], []],
      [3, [A, C], [B]],
    ];
    for (const [second, present, missing] of expectations) {
      const l = window(second);
      for (const f of present)
        assert.ok(l[f] > HEARD_DB, `second ${second}: ${f} Hz missing: ${show(l)}`);
      for (const f of missing)
        assert.ok(l[f] < -60, `second ${second}: ${f} Hz present: ${show(l)}`);
    }
  });
});
