/**
 * Reception state for one remote synchronisation source, as RFC 3550
 * Appendix A lays it out: sequence validation with probation and 16-bit
 * wrap-around (A.1), expected/lost/fraction-lost accounting (A.3) and the
 * interarrival jitter estimate (A.8).
 */

/** A.1: a jump of fewer than this many packets ahead is a gap (loss), not a restart. */
export const MAX_DROPOUT = 3000;
/** A.1: up to this many packets behind is a late or duplicate packet, not a restart. */
export const MAX_MISORDER = 100;
/** A.1: consecutive packets needed before a new source is believed. */
export const MIN_SEQUENTIAL = 2;
const RTP_SEQ_MOD = 0x10000;

/**
 * Outcome of offering one packet's sequence number (A.1 update_seq):
 * - `valid`: count and play it;
 * - `probation`: the source is not yet validated, the packet does not count;
 * - `bad-sequence`: a very large jump that is not yet confirmed by a second
 *   packet in sequence (a restart is only accepted on that confirmation).
 */
export type SeqUpdate = 'valid' | 'probation' | 'bad-sequence';

export interface LossSnapshot {
  /** Extended highest sequence number (cycles << 16 | max_seq). */
  extendedMax: number;
  expected: number;
  received: number;
  /** Cumulative lost, clamped to the 24-bit signed field of a report block (A.3). */
  cumulativeLost: number;
  /** Loss over the current interval, 0..1 (never negative). */
  fractionLost: number;
}

export class RtpSourceState {
  private maxSeq = 0;
  /** Shifted count of sequence number cycles (multiples of 2^16). */
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation: number;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;

  /** A.8 state, in timestamp units. */
  private jitter = 0;
  private lastArrival = 0;
  private lastTimestamp = 0;
  private haveTransit = false;

  constructor(
    readonly ssrc: number,
    firstSeq: number,
  ) {
    // A.1: a new source starts on probation, with max_seq just below its first packet.
    this.initSeq(firstSeq);
    this.maxSeq = (firstSeq - 1) & 0xffff;
    this.probation = MIN_SEQUENTIAL;
  }

  get validated(): boolean {
    return this.probation === 0;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /** A.1 update_seq, with the probation comparison done modulo 2^16. */
  updateSeq(seq: number): SeqUpdate {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.received++;
          return 'valid';
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return 'probation';
    }
    if (udelta < MAX_DROPOUT) {
      // In order, with permissible gap; wrapping past 0 starts a new cycle.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: only two sequential packets prove the sender restarted.
      if (seq === this.badSeq) {
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return 'bad-sequence';
      }
    }
    // Otherwise a duplicate or reordered packet: counted, max_seq unchanged (A.1).
    this.received++;
    return 'valid';
  }

  /**
   * A.8 interarrival jitter. `arrival` is the arrival time already converted
   * to timestamp units. Packets sharing the previous packet's timestamp (the
   * updates of an RFC 4733 event, duplicates) are not new sampling instants
   * and are skipped: their growing transit time is event duration, not jitter.
   */
  recordArrival(timestamp: number, arrival: number): void {
    if (!this.haveTransit) {
      this.haveTransit = true;
    } else {
      if (timestamp === this.lastTimestamp) return;
      // D(i,j) = (Rj - Ri) - (Sj - Si), with the RTP difference taken modulo 2^32.
      const d = arrival - this.lastArrival - ((timestamp - this.lastTimestamp) | 0);
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastArrival = arrival;
    this.lastTimestamp = timestamp;
  }

  /** Jitter estimate in timestamp units. */
  get jitterUnits(): number {
    return this.jitter;
  }

  /** Valid packets counted by A.1 (duplicates included, as the RFC counts them). */
  get packetsReceived(): number {
    return this.received;
  }

  /** A.3 numbers for the current interval, without closing it. */
  snapshot(): LossSnapshot {
    const extendedMax = this.cycles + this.maxSeq;
    const expected = this.validated ? extendedMax - this.baseSeq + 1 : 0;
    const lost = expected - this.received;
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    return {
      extendedMax: extendedMax >>> 0,
      expected,
      received: this.received,
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, lost)),
      fractionLost:
        expectedInterval <= 0 || lostInterval <= 0 ? 0 : lostInterval / expectedInterval,
    };
  }

  /** Packets received in the current interval (since the last report). */
  get receivedInInterval(): number {
    return this.received - this.receivedPrior;
  }

  /**
   * A.3 at report time: the snapshot plus the 8-bit fraction, and the
   * interval is closed (the next report measures from here).
   */
  closeInterval(): LossSnapshot & { fractionLost8: number } {
    const snap = this.snapshot();
    const expectedInterval = snap.expected - this.expectedPrior;
    const lostInterval = expectedInterval - (snap.received - this.receivedPrior);
    const fractionLost8 =
      expectedInterval <= 0 || lostInterval <= 0
        ? 0
        : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    this.expectedPrior = snap.expected;
    this.receivedPrior = snap.received;
    return { ...snap, fractionLost8 };
  }
}
