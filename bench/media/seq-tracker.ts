/**
 * Counts what a receiver can tell from RTP sequence numbers alone
 * (RFC 3550 §5.1: the sequence number increments by one for each packet
 * sent): packets received, packets missing (gaps), packets that arrived
 * after a later one (reordered) and repeats. 16-bit wrap-around is handled
 * by taking differences modulo 2^16, a jump of less than half the space
 * being forward (as the A.1 algorithm does for its extended numbers).
 */
const SEQ_MOD = 0x10000;
const HALF = 0x8000;

export class SeqTracker {
  /** Packets accepted (duplicates included, as RFC 3550 A.3 counts them). */
  received = 0;
  /** Sequence numbers skipped and not (yet) filled in by a late packet. */
  gaps = 0;
  /** Packets that arrived after a packet with a higher sequence number. */
  reordered = 0;
  /** Packets repeating the highest sequence number seen. */
  duplicates = 0;
  private highest: number | null = null;

  push(seq: number): void {
    const s = seq & 0xffff;
    this.received++;
    if (this.highest === null) {
      this.highest = s;
      return;
    }
    const ahead = (s - this.highest + SEQ_MOD) % SEQ_MOD;
    if (ahead === 0) {
      this.duplicates++;
    } else if (ahead < HALF) {
      // Everything between the highest and this one has not arrived (yet).
      this.gaps += ahead - 1;
      this.highest = s;
    } else {
      // Behind the highest: a late packet filling a hole counted as a gap.
      this.reordered++;
      if (this.gaps > 0) this.gaps--;
    }
  }

  /** Forgets the counts but not the highest sequence number: a window continues the stream. */
  resetCounts(): void {
    this.received = 0;
    this.gaps = 0;
    this.reordered = 0;
    this.duplicates = 0;
  }
}
