/**
 * A SIP dialog (RFC 3261 §12): the peer-to-peer relationship an INVITE
 * creates, identified by Call-ID + local tag + remote tag. It owns the
 * in-dialog state — CSeq counters, remote target, route set — and builds
 * in-dialog requests (§12.2.1.1). It sends nothing itself.
 */
import {
  Headers,
  SipRequest,
  formatNameAddr,
  formatUri,
  isSipUri,
  type NameAddr,
  type SipResponse,
  type Uri,
} from '../message/index.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From (UAC) or To (UAS) without the tag parameter. */
  localUri: NameAddr;
  remoteUri: NameAddr;
  remoteTarget: Uri;
  /** Route set in the order requests must carry it (§12.1.1 / §12.1.2). */
  routeSet: NameAddr[];
  localSeq: number;
  remoteSeq: number | null;
  localContact: NameAddr;
  state: DialogState;
}

function withoutTag(na: NameAddr): NameAddr {
  const params = new Map(na.params);
  params.delete('tag');
  return { displayName: na.displayName, uri: na.uri, params };
}

function withTag(na: NameAddr, tag: string): NameAddr {
  const params = new Map(na.params);
  params.set('tag', tag);
  return { displayName: na.displayName, uri: na.uri, params };
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: NameAddr;
  readonly remoteUri: NameAddr;
  remoteTarget: Uri;
  readonly routeSet: NameAddr[];
  localSeq: number;
  remoteSeq: number | null;
  localContact: NameAddr;
  state: DialogState;

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localContact = init.localContact;
    this.state = init.state;
  }

  /** §12.1.2: the UAC side, from the INVITE we sent and a 1xx (with To tag) or 2xx we received. */
  static asUac(invite: SipRequest, response: SipResponse): Dialog {
    const to = response.to();
    const contact = response.contacts()[0];
    const localContact = invite.contacts()[0];
    if (!localContact) throw new Error('INVITE without Contact');
    return new Dialog({
      callId: invite.callId(),
      localTag: String(invite.from().params.get('tag') ?? ''),
      remoteTag: String(to.params.get('tag') ?? ''),
      localUri: withoutTag(invite.from()),
      remoteUri: withoutTag(to),
      remoteTarget: contact ? contact.uri : invite.uri,
      // The UAC reverses the Record-Route list (§12.1.2).
      routeSet: response.recordRoutes().slice().reverse(),
      localSeq: invite.cseq().seq,
      remoteSeq: null,
      localContact,
      state: response.status >= 200 ? 'confirmed' : 'early',
    });
  }

  /** §12.1.1: the UAS side, from the INVITE we received and the tag we put in our response. */
  static asUas(
    invite: SipRequest,
    localTag: string,
    localContact: NameAddr,
    state: DialogState,
  ): Dialog {
    const contact = invite.contacts()[0];
    return new Dialog({
      callId: invite.callId(),
      localTag,
      remoteTag: String(invite.from().params.get('tag') ?? ''),
      localUri: withoutTag(invite.to()),
      remoteUri: withoutTag(invite.from()),
      remoteTarget: contact ? contact.uri : invite.uri,
      routeSet: invite.recordRoutes(),
      localSeq: initialLocalSeq(),
      remoteSeq: invite.cseq().seq,
      localContact,
      state,
    });
  }

  get id(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * Builds an in-dialog request (§12.2.1.1). Via is left to the sender, which
   * knows the transport. ACK and CANCEL reuse the CSeq number they refer to,
   * so they pass `cseq` explicitly instead of consuming a new one.
   */
  createRequest(
    method: string,
    opts: { body?: Buffer; contentType?: string; cseq?: number } = {},
  ): SipRequest {
    const seq = opts.cseq ?? ++this.localSeq;
    const { uri, routes } = this.requestTarget();
    const h = new Headers();
    h.append('Max-Forwards', '70');
    for (const r of routes) h.append('Route', formatNameAddr(r));
    h.append('From', formatNameAddr(withTag(this.localUri, this.localTag)));
    const to = this.remoteTag ? withTag(this.remoteUri, this.remoteTag) : this.remoteUri;
    h.append('To', formatNameAddr(to));
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${seq} ${method}`);
    if (method !== 'ACK' && method !== 'CANCEL' && method !== 'BYE') {
      h.append('Contact', formatNameAddr(this.localContact));
    }
    if (opts.body && opts.body.length > 0)
      h.append('Content-Type', opts.contentType ?? 'application/sdp');
    return new SipRequest(method, uri, h, opts.body);
  }

  /**
   * §12.2.1.1: with a loose-routing first hop (";lr") the Request-URI is the
   * remote target and the route set is sent as is; with a strict router the
   * first route becomes the Request-URI and the remote target goes last.
   */
  private requestTarget(): { uri: Uri; routes: NameAddr[] } {
    const first = this.routeSet[0];
    if (!first || (isSipUri(first.uri) && first.uri.params.has('lr'))) {
      return { uri: this.remoteTarget, routes: this.routeSet };
    }
    const routes = this.routeSet.slice(1);
    routes.push({ displayName: null, uri: this.remoteTarget, params: new Map() });
    return { uri: first.uri, routes };
  }

  /** The URI whose host/port the next request goes to: the first route if any, else the remote target (§8.1.2). */
  nextHopUri(): Uri {
    return this.routeSet[0]?.uri ?? this.remoteTarget;
  }

  /**
   * §12.2.2: an in-dialog request with a CSeq lower than the last one is out
   * of order and gets a 500; otherwise the remote sequence advances. Returns
   * false for an out-of-order request.
   */
  acceptRemoteSeq(req: SipRequest): boolean {
    const seq = req.cseq().seq;
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (this.remoteSeq !== null && seq < this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }

  /** A target refresh request or its 2xx may carry a new Contact (§12.2.1.2, §12.2.2). */
  refreshTarget(contacts: NameAddr[]): void {
    const c = contacts[0];
    if (c) this.remoteTarget = c.uri;
  }

  describe(): string {
    return `${this.callId} ${formatUri(this.remoteTarget)} (${this.state})`;
  }
}

/**
 * Our first CSeq in a dialog we did not start (§12.1.1 leaves it to us;
 * §8.1.1.5: below 2**31). Kept below 2**30 so a long call's requests
 * never reach the limit.
 */
function initialLocalSeq(): number {
  return 1 + Math.floor(Math.random() * 0x3fffffff);
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}
