import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  AudioFileError,
  decodeWav,
  decodeWavFile,
  encodeWav,
  toneLevelDb,
} from '../../../src/media/audio/index.js';
import { buildWav, fmtChunk, makeTempDir, middle, pcm16, sine, sox, toInt16 } from './helpers.js';

const tmp = makeTempDir();
after(() => tmp.cleanup());

/** Asserts the decoded 8 kHz audio is `seconds` long and carries `freq` at `levelDb` (±tolerance). */
function assertTone(
  samples: Int16Array,
  seconds: number,
  freq: number,
  levelDb: number,
  tolerance = 0.3,
): void {
  assert.ok(Math.abs(samples.length - seconds * 8000) <= 1, `length ${samples.length}`);
  const level = toneLevelDb(middle(samples, 200), 8000, freq);
  assert.ok(
    Math.abs(level - levelDb) < tolerance,
    `level at ${freq} Hz: ${level.toFixed(2)} dB, expected ${levelDb}`,
  );
}

async function rejects(bytes: Uint8Array, message: RegExp): Promise<void> {
  await assert.rejects(decodeWav(bytes), (err: unknown) => {
    assert.ok(err instanceof AudioFileError, `not an AudioFileError: ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

describe('files written by sox', () => {
  const cases: {
    name: string;
    args: string[];
    rate: number;
    channels: number;
    encoding: string;
    tol?: number;
  }[] = [
    {
      name: '48k-stereo.wav',
      args: ['-r', '48000', '-c', '2', '-b', '16'],
      rate: 48000,
      channels: 2,
      encoding: 'PCM 16-bit',
    },
    {
      name: '44k-mono.wav',
      args: ['-r', '44100', '-c', '1', '-b', '16'],
      rate: 44100,
      channels: 1,
      encoding: 'PCM 16-bit',
    },
    {
      name: '16k-mono.wav',
      args: ['-r', '16000', '-c', '1', '-b', '16'],
      rate: 16000,
      channels: 1,
      encoding: 'PCM 16-bit',
    },
    {
      name: '8k-mono.wav',
      args: ['-r', '8000', '-c', '1', '-b', '16'],
      rate: 8000,
      channels: 1,
      encoding: 'PCM 16-bit',
    },
    {
      name: 'ulaw.wav',
      args: ['-r', '8000', '-c', '1', '-e', 'u-law'],
      rate: 8000,
      channels: 1,
      encoding: 'G.711 µ-law',
    },
    {
      name: 'alaw.wav',
      args: ['-r', '8000', '-c', '1', '-e', 'a-law'],
      rate: 8000,
      channels: 1,
      encoding: 'G.711 A-law',
    },
    {
      name: 'u8.wav',
      args: ['-r', '8000', '-c', '1', '-b', '8', '-e', 'unsigned-integer'],
      rate: 8000,
      channels: 1,
      encoding: 'PCM 8-bit',
      tol: 0.6,
    },
    // sox writes 24-bit files as WAVE_FORMAT_EXTENSIBLE.
    {
      name: '24bit.wav',
      args: ['-r', '48000', '-c', '2', '-b', '24'],
      rate: 48000,
      channels: 2,
      encoding: 'PCM 24-bit',
    },
    {
      name: '32bit.wav',
      args: ['-r', '32000', '-c', '1', '-b', '32', '-e', 'signed-integer'],
      rate: 32000,
      channels: 1,
      encoding: 'PCM 32-bit',
    },
    {
      name: '22k-stereo-ulaw.wav',
      args: ['-r', '22050', '-c', '2', '-e', 'u-law'],
      rate: 22050,
      channels: 2,
      encoding: 'G.711 µ-law',
    },
  ];
  for (const c of cases) {
    test(`${c.name}: 1 kHz at −6 dBFS, 1 s`, async () => {
      const path = join(tmp.dir, c.name);
      sox('-n', ...c.args, path, 'synth', '1', 'sine', '1000', 'vol', '0.5');
      const d = await decodeWavFile(path);
      assert.deepEqual(d.source, {
        sampleRate: c.rate,
        channels: c.channels,
        encoding: c.encoding,
      });
      assert.equal(d.durationMs, 1000);
      assertTone(d.samples, 1, 1000, -6.02, c.tol);
    });
  }

  test('stereo is downmixed by averaging: each channel’s tone comes out 6 dB down', async () => {
    const path = join(tmp.dir, 'split.wav');
    sox(
      '-n',
      '-r',
      '44100',
      '-c',
      '2',
      '-b',
      '16',
      path,
      'synth',
      '1',
      'sine',
      '1000',
      'sine',
      '440',
      'vol',
      '0.5',
    );
    const d = await decodeWavFile(path);
    assertTone(d.samples, 1, 1000, -12.04);
    assertTone(d.samples, 1, 440, -12.04);
  });

  test('32-bit float is refused with a clear message', async () => {
    const path = join(tmp.dir, 'float.wav');
    sox(
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'floating-point',
      '-b',
      '32',
      path,
      'synth',
      '0.1',
      'sine',
      '1000',
    );
    await assert.rejects(decodeWavFile(path), /unsupported WAV format 3 \(IEEE float\)/);
  });
});

describe('files written by our own writer', () => {
  test('8 kHz mono round-trips sample for sample', async () => {
    const samples = toInt16(sine(8000, 697, 0.5, 20000));
    samples[0] = -32768;
    samples[1] = 32767;
    const d = await decodeWav(encodeWav(samples));
    assert.deepEqual(d.samples, samples);
  });

  test('16 kHz stereo with identical channels decodes to the mono tone', async () => {
    const mono = toInt16(sine(16000, 1000, 1, 16384));
    const stereo = new Int16Array(mono.length * 2);
    mono.forEach((v, i) => {
      stereo[2 * i] = v;
      stereo[2 * i + 1] = v;
    });
    const d = await decodeWav(encodeWav(stereo, 16000, 2));
    assertTone(d.samples, 1, 1000, -6.02, 0.05);
  });
});

describe('chunk layout', () => {
  const tone = pcm16(toInt16(sine(8000, 1000, 0.25, 16384)));

  test('WAVE_FORMAT_EXTENSIBLE with PCM sub-format', async () => {
    const st = toInt16(sine(48000, 1000, 0.25, 16384));
    const inter = new Int16Array(st.length * 2);
    st.forEach((v, i) => inter.set([v, v], 2 * i));
    const wav = buildWav([
      {
        id: 'fmt ',
        body: fmtChunk({ tag: 1, channels: 2, rate: 48000, bits: 16, extensibleSubFormat: 1 }),
      },
      { id: 'data', body: pcm16(inter) },
    ]);
    const d = await decodeWav(wav);
    assertTone(d.samples, 0.25, 1000, -6.02, 0.1);
  });

  test('unknown and odd-sized chunks (padded) are skipped: LIST, fact, junk', async () => {
    const wav = buildWav([
      { id: 'LIST', body: Buffer.from('INFOISFT\x05\x00\x00\x00abcd\x00') }, // 17 bytes: odd, padded
      { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 }) },
      { id: 'fact', body: Buffer.from([0x40, 0x07, 0, 0]) },
      { id: 'junk', body: Buffer.from('xyz') },
      { id: 'data', body: tone },
      { id: 'LIST', body: Buffer.from('INFOtrailing') },
    ]);
    const d = await decodeWav(wav);
    assert.deepEqual(Buffer.from(d.samples.buffer), tone);
  });

  test('odd-length 8-bit data followed by a chunk (pad byte honoured)', async () => {
    const body = Buffer.from(
      Array.from(
        { length: 2001 },
        (_, i) => 128 + Math.round(64 * Math.sin((2 * Math.PI * 1000 * i) / 8000)),
      ),
    );
    const wav = buildWav([
      { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 8 }) },
      { id: 'data', body },
      { id: 'LIST', body: Buffer.from('INFO') },
    ]);
    const d = await decodeWav(wav);
    assert.equal(d.samples.length, 2001);
    assert.equal(d.samples[2], 64 * 256);
  });

  test('fmt after data is found too', async () => {
    const wav = buildWav([
      { id: 'data', body: tone },
      { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 }) },
    ]);
    assert.equal((await decodeWav(wav)).samples.length, tone.length / 2);
  });

  for (const size of [0, 0xffffffff]) {
    test(`data size ${size} (streamed / never patched) runs to the end of the file`, async () => {
      const wav = buildWav(
        [
          { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 }) },
          { id: 'data', body: Buffer.concat([tone, Buffer.from([7])]), size },
        ],
        size,
      ).subarray(0, -1); // drop the pad byte: the file ends on half a sample
      const d = await decodeWav(wav);
      // The partial last sample is dropped.
      assert.deepEqual(Buffer.from(d.samples.buffer), tone);
    });
  }

  test('a truncated chunk after the data is ignored', async () => {
    const wav = buildWav([
      { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 }) },
      { id: 'data', body: tone },
      { id: 'LIST', body: Buffer.from('INFO'), size: 1000 },
    ]);
    assert.equal((await decodeWav(wav)).samples.length, tone.length / 2);
  });
});

describe('malformed files give a clear AudioFileError', () => {
  const fmt16 = { id: 'fmt ', body: fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 }) };
  const data = { id: 'data', body: Buffer.alloc(320) };

  test('not RIFF / not WAVE', async () => {
    await rejects(Buffer.from('hello'), /^not a RIFF file/);
    await rejects(
      Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'),
      /^not a RIFF file$/,
    );
    await rejects(Buffer.from('RIFX\x00\x00\x00\x00WAVE'), /big-endian RIFX/);
    await rejects(Buffer.from('RF64\xff\xff\xff\xffWAVE', 'latin1'), /RF64/);
    await rejects(
      Buffer.from('RIFF\x00\x00\x00\x00AVI '),
      /not a WAVE file \(RIFF form type "AVI "\)/,
    );
  });

  test('unsupported formats are named', async () => {
    const withFmt = (tag: number, bits = 16, ext?: number): Buffer =>
      buildWav([
        {
          id: 'fmt ',
          body: fmtChunk({ tag, channels: 1, rate: 8000, bits, extensibleSubFormat: ext }),
        },
        data,
      ]);
    await rejects(withFmt(3, 32), /^unsupported WAV format 3 \(IEEE float\)$/);
    await rejects(withFmt(0x55), /^unsupported WAV format 85 \(MPEG Layer 3\)$/);
    await rejects(withFmt(0x1234), /^unsupported WAV format 4660$/);
    await rejects(
      withFmt(1, 32, 3),
      /^unsupported WAV format 3 \(IEEE float\) in WAVE_FORMAT_EXTENSIBLE$/,
    );
    await rejects(withFmt(1, 12), /unsupported PCM bit depth 12/);
    await rejects(withFmt(6, 16), /G.711 WAV must have 8 bits per sample \(has 16\)/);
    const badGuid = fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16, extensibleSubFormat: 1 });
    badGuid[39] = 0;
    await rejects(buildWav([{ id: 'fmt ', body: badGuid }, data]), /sub-format/);
    const shortExt = fmtChunk({ tag: 1, channels: 1, rate: 8000, bits: 16 });
    shortExt.writeUInt16LE(0xfffe, 0);
    await rejects(
      buildWav([{ id: 'fmt ', body: shortExt }, data]),
      /EXTENSIBLE fmt chunk too short/,
    );
  });

  test('channels and rates out of range', async () => {
    const withFmt = (channels: number, rate: number): Buffer =>
      buildWav([{ id: 'fmt ', body: fmtChunk({ tag: 1, channels, rate, bits: 16 }) }, data]);
    await rejects(withFmt(0, 8000), /unsupported channel count 0/);
    await rejects(withFmt(9, 8000), /unsupported channel count 9/);
    await rejects(withFmt(1, 4000), /unsupported sample rate 4000 Hz \(supported: 8000–96000 Hz\)/);
    await rejects(withFmt(1, 192000), /unsupported sample rate 192000 Hz/);
  });

  test('missing, short and truncated chunks; empty data; size limit', async () => {
    await rejects(buildWav([data]), /^missing fmt chunk$/);
    await rejects(buildWav([fmt16]), /^missing data chunk$/);
    await rejects(
      buildWav([{ id: 'fmt ', body: Buffer.alloc(12) }, data]),
      /fmt chunk too short \(12 bytes, need 16\)/,
    );
    await rejects(
      buildWav([fmt16, { id: 'data', body: Buffer.alloc(100), size: 5000 }]),
      /^truncated data chunk \(header says 5000 bytes, file has 100\)$/,
    );
    await rejects(
      buildWav([{ id: 'fmt ', body: Buffer.alloc(16), size: 400 }]),
      /^truncated fmt chunk$/,
    );
    await rejects(
      buildWav([{ id: 'LIST', body: Buffer.alloc(4), size: 400 }, fmt16, data]),
      /^truncated "LIST" chunk$/,
    );
    await rejects(buildWav([fmt16, { id: 'data', body: Buffer.alloc(1) }]), /no audio samples/);
    await assert.rejects(
      decodeWav(buildWav([fmt16, data]), { maxBytes: 100 }),
      /over the 0.0 MB limit/,
    );
  });

  test('file errors name the file', async () => {
    await assert.rejects(decodeWavFile(join(tmp.dir, 'nope.wav')), (err: unknown) => {
      assert.ok(err instanceof AudioFileError);
      assert.match(err.message, /^file not found: .*nope\.wav$/);
      return true;
    });
    mkdirSync(join(tmp.dir, 'adir.wav'));
    await assert.rejects(decodeWavFile(join(tmp.dir, 'adir.wav')), /is a directory/);
    await assert.rejects(decodeWavFile('/dev/zero'), /not a regular file: \/dev\/zero/);
    const bad = join(tmp.dir, 'bad.wav');
    writeFileSync(bad, 'not audio at all');
    await assert.rejects(decodeWavFile(bad), /bad\.wav: not a RIFF file/);
    writeFileSync(join(tmp.dir, 'big.wav'), Buffer.alloc(2 * 1024 * 1024));
    await assert.rejects(
      decodeWavFile(join(tmp.dir, 'big.wav'), { maxBytes: 1024 * 1024 }),
      /audio file is 2.0 MB, over the 1.0 MB limit/,
    );
  });
});
