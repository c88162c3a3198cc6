/**
 * What the mixer sees of a member: one 20 ms frame in and one out per tick.
 * The RTP stream implements it (jitter buffer, concealment and G.711 behind
 * `readFrame`, packetisation behind `writeFrame`); the mixer knows nothing of
 * RTP, SIP or the codec.
 *
 * Declared here, by its consumer, so the mixer does not depend on the stream
 * layer: RtpStream matches it structurally (test/media/stream checks it).
 */
export interface MixerPort {
  /**
   * Fills `out` (160 samples = 20 ms at 8 kHz) with the next frame of the
   * peer's audio; true when audio (real or concealed), false when silence was
   * written. Called once per tick.
   */
  readFrame(out: Int16Array, nowMs: number): boolean;
  /**
   * Sends 20 ms (160 samples) to the peer. The mixer reuses `frame` on the
   * next tick: a port that keeps the samples must copy them.
   */
  writeFrame(frame: Int16Array): void;
  /**
   * The clock skipped `frames` ticks (a stalled process): that much media
   * time passed with no frame read or written. An RTP port moves its
   * timestamp on by it, so its packets stay on wall-clock time (RFC 3550
   * §5.1: the timestamp is the sampling instant) and the peer's jitter
   * buffer does not take the stall for delay to keep. Optional.
   */
  skipFrames?(frames: number): void;
}
