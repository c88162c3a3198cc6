/**
 * A room recorder that can be paused: while paused it records silence, so
 * the file keeps the call's timeline but not what was said (a warm
 * transfer's private consultation is not part of the call's recording).
 */
import type { RecordingInfo, RoomRecorder, WavRecorder } from '../media/index.js';

export class PausableRecorder implements RoomRecorder {
  paused = false;
  private readonly silence = new Int16Array(160);
  private closing: Promise<RecordingInfo> | null = null;

  constructor(private readonly wav: WavRecorder) {}

  write(frame: Int16Array): void {
    if (!this.paused) return this.wav.write(frame);
    if (this.silence.length !== frame.length) return this.wav.write(new Int16Array(frame.length));
    this.wav.write(this.silence);
  }

  close(): Promise<RecordingInfo> {
    this.closing ??= this.wav.close();
    return this.closing;
  }

  /** The finished file's facts (closes it if still open). */
  info(): Promise<RecordingInfo> {
    return this.close();
  }
}
