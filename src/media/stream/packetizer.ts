/**
 * Turns the mixer's 20 ms frames into packets of the negotiated packet time
 * (RFC 4566 a=ptime; RFC 3551 §4.5 lets G.711 frames be any number of
 * samples): with ptime 40 two frames make one packet, with 30 three frames
 * make two, with 10 one frame makes two.
 */
export class Packetizer {
  private buffer: Int16Array;
  private fill = 0;

  constructor(private samplesPerPacket: number) {
    this.buffer = new Int16Array(samplesPerPacket + 160);
  }

  get packetSamples(): number {
    return this.samplesPerPacket;
  }

  setSamplesPerPacket(samples: number): void {
    this.samplesPerPacket = samples;
    this.ensure(samples + 160);
  }

  /** Adds samples and hands every complete packet's PCM to `emit` (a view, valid during the call only). */
  push(frame: Int16Array, emit: (pcm: Int16Array) => void): void {
    this.ensure(this.fill + frame.length);
    this.buffer.set(frame, this.fill);
    this.fill += frame.length;
    const n = this.samplesPerPacket;
    let at = 0;
    while (this.fill - at >= n) {
      emit(this.buffer.subarray(at, at + n));
      at += n;
    }
    if (at > 0) {
      this.buffer.copyWithin(0, at, this.fill);
      this.fill -= at;
    }
  }

  /** Drops buffered samples; returns how many were dropped (the RTP clock still has to move by them). */
  clear(): number {
    const dropped = this.fill;
    this.fill = 0;
    return dropped;
  }

  private ensure(capacity: number): void {
    if (capacity <= this.buffer.length) return;
    const bigger = new Int16Array(capacity);
    bigger.set(this.buffer.subarray(0, this.fill));
    this.buffer = bigger;
  }
}
