/**
 * Which datagrams a stream believes. RTP is taken only from the address and
 * port the peer signalled in SDP — anything else could inject audio into a
 * call (RFC 3550 §9 leaves this to the application; RFC 7362 §4.2 describes
 * the risk of latching to anyone).
 *
 * Latch mode, for peers behind NAT (whose packets come from a translated
 * port, not the one in their SDP): the first packet from the signalled
 * *host*, any port, fixes the source and the reply address ("symmetric
 * RTP", RFC 4961); from then on only that address:port is accepted. It
 * latches once: a later packet from another port of the same host is
 * dropped like any other stranger, until relatch() (a new SDP from the
 * peer) arms it again.
 *
 * A latch host other than the signalled one: a phone behind NAT writes its
 * private address in c= (unreachable, and never the source of its packets);
 * its SIP came from its NAT's public address, and so will its RTP. Then the
 * first packet from that host latches, and until it comes we send to that
 * host at the signalled port (what a port-preserving NAT maps; Kamailio's
 * fix_nated_sdp does the same).
 *
 * States: fixed (no latching) | latching → latched.
 */
import { sameAddress } from './address.js';

export interface Endpoint {
  address: string;
  port: number;
}

type FilterState =
  { kind: 'fixed' } | { kind: 'latching' } | { kind: 'latched'; address: string; port: number };

export class SourceFilter {
  private signalled: Endpoint = { address: '', port: 0 };
  private state: FilterState = { kind: 'fixed' };
  /** Whose packets may latch: the signalled host, or the peer's SIP source host (NAT). */
  private latchHost: string | null = null;

  /**
   * Sets the signalled endpoint; a change of endpoint, of mode or of latch
   * host starts latching afresh.
   */
  configure(signalled: Endpoint, latch: boolean, latchHost?: string): void {
    const host = latch ? (latchHost ?? null) : null;
    const same =
      sameAddress(signalled.address, this.signalled.address) &&
      signalled.port === this.signalled.port &&
      (this.state.kind !== 'fixed') === latch &&
      (host === null
        ? this.latchHost === null
        : this.latchHost !== null && sameAddress(host, this.latchHost));
    this.signalled = { ...signalled };
    this.latchHost = host;
    if (same) return;
    this.state = latch ? { kind: 'latching' } : { kind: 'fixed' };
  }

  /** Latch mode: take the source again from the next packet of the latch host (a new SDP). */
  relatch(): void {
    if (this.state.kind === 'latched') this.state = { kind: 'latching' };
  }

  /** Whether a datagram from address:port is from our peer (latching to it if it is the first). */
  accept(address: string, port: number): boolean {
    const s = this.state;
    switch (s.kind) {
      case 'fixed':
        return port === this.signalled.port && sameAddress(address, this.signalled.address);
      case 'latching':
        if (!sameAddress(address, this.latchHost ?? this.signalled.address)) return false;
        this.state = { kind: 'latched', address, port };
        return true;
      case 'latched':
        return port === s.port && sameAddress(address, s.address);
    }
  }

  /** Where to send: the latched source once latched, else the signalled endpoint. */
  destination(): Endpoint {
    const s = this.state;
    if (s.kind === 'latched') return { address: s.address, port: s.port };
    if (s.kind === 'latching' && this.latchHost !== null)
      return { address: this.latchHost, port: this.signalled.port };
    return this.signalled;
  }

  get latched(): boolean {
    return this.state.kind === 'latched';
  }
}
