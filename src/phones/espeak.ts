/**
 * Spoken phrases from espeak-ng (Debian's `espeak-ng`), when it is
 * installed: rendered to a WAV file, then decoded and resampled to 8 kHz by
 * the audio layer (src/media/audio), as any prompt is.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWavFile } from '../media/index.js';

/** Longest a rendering may take before it counts as failed (espeak-ng needs ~0.1 s a phrase). */
const RENDER_TIMEOUT_MS = 10_000;

/**
 * 8 kHz samples of `text` spoken by espeak-ng with `voice` (e.g. "en-us+f3");
 * null when espeak-ng is not installed or fails (the caller falls back to tones).
 */
export async function speak(text: string, voice: string): Promise<Int16Array | null> {
  const dir = await mkdtemp(join(tmpdir(), 'partyline-espeak-'));
  try {
    const wav = join(dir, 'phrase.wav');
    const ok = await run('espeak-ng', ['-v', voice, '-s', '150', '-w', wav, text]);
    if (!ok) return null;
    return (await decodeWavFile(wav)).samples;
  } catch {
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', timeout: RENDER_TIMEOUT_MS });
    // ENOENT (not installed) arrives as 'error'; a crash or a timeout as a non-zero exit.
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
