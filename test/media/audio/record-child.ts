// Child process for the recorder crash test: records, flushes, reports how
// many samples reached the file, buffers a few more frames and waits to be
// killed with SIGKILL (so close() never runs).
import { WavRecorder } from '../../../src/media/audio/index.js';
import { sampleAt } from './helpers.js';

async function main(): Promise<void> {
  const path = process.argv[2];
  const rec = await WavRecorder.open(path, { chunkBytes: 3200 });
  const frame = new Int16Array(160);
  let n = 0;
  const writeFrames = (count: number): void => {
    for (let f = 0; f < count; f++) {
      for (let i = 0; i < 160; i++) frame[i] = sampleAt(n++);
      rec.write(frame);
    }
  };
  writeFrames(50);
  await rec.flush();
  // Less than one chunk: stays in memory and is lost with the process.
  writeFrames(5);
  process.stdout.write(`flushed ${rec.samplesWritten - 5 * 160}\n`);
  // Wait for SIGKILL; give up on our own if the parent never sends it.
  setTimeout(() => process.exit(1), 60_000);
}

void main();
