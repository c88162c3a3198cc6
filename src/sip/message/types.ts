/** Parsed forms of the SIP values the stack reasons about (RFC 3261 §19, §20, §25). */

/** URI / header parameters in written order; a flag parameter (`;lr`) has the value null. */
export type Params = Map<string, string | null>;

/** sip: and sips: URIs (RFC 3261 §19.1). `host` keeps IPv6 references in brackets. */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | null;
  password: string | null;
  host: string;
  port: number | null;
  params: Params;
  /** `?name=value&...` URI headers, in order. */
  headers: Map<string, string>;
}

/** tel: URIs (RFC 3966). */
export interface TelUri {
  scheme: 'tel';
  number: string;
  params: Params;
}

/** Any other absolute URI (RFC 3261 §25.1 absoluteURI); kept opaque. */
export interface AbsoluteUri {
  scheme: string;
  opaque: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

/** name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route (§20.10). */
export interface NameAddr {
  displayName: string | null;
  uri: Uri;
  params: Params;
}

/** One Via value (§20.42). branch, received, rport, maddr, ttl live in `params`. */
export interface Via {
  /** e.g. "SIP/2.0" */
  protocol: string;
  /** upper-case: UDP, TCP, TLS, SCTP, WS ... */
  transport: string;
  host: string;
  port: number | null;
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === 'tel';
}
