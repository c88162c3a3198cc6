/** Well-formed seed messages shared by the parser, serializer and fuzz tests. */

/** Joins header lines with CRLF, adds the empty line and the body. */
export function wire(lines: string[], body = ''): string {
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

export const SDP = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com',
  's=-',
  'c=IN IP4 192.0.2.101',
  't=0 0',
  'm=audio 49172 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

export const INVITE = wire(
  [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@biloxi.example.com>',
    'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    'CSeq: 314159 INVITE',
    'Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>',
    'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
  ],
  SDP,
);

export const OK200 = wire([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3',
  'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
  'Record-Route: <sip:server10.biloxi.example.com;lr>, <sip:bigbox3.site3.atlanta.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.4>',
  'Content-Length: 0',
]);

export const BYE = wire([
  'BYE sip:alice@pc33.atlanta.example.com SIP/2.0',
  'Via: SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKnashds10',
  'Max-Forwards: 70',
  'From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'To: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 231 BYE',
  'Content-Length: 0',
]);

export const ACK = wire([
  'ACK sip:bob@192.0.2.4 SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds9',
  'Route: <sip:bigbox3.site3.atlanta.example.com;lr>',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 ACK',
  'Content-Length: 0',
]);

export const CANCEL = wire([
  'CANCEL sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 CANCEL',
  'Content-Length: 0',
]);

export const REGISTER = wire([
  'REGISTER sip:registrar.biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Bob <sip:bob@biloxi.example.com>;tag=456248',
  'Call-ID: 843817637684230@998sdasdh09',
  'CSeq: 1827 REGISTER',
  'Contact: <sip:bob@192.0.2.4>;expires=7200, "Mobile" <sip:bob@[2001:db8::4]:5070;transport=tcp>;q=0.5',
  'Authorization: Digest username="bob", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:registrar.biloxi.example.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  'Expires: 7200',
  'Content-Length: 0',
]);

export const OPTIONS = wire([
  'OPTIONS sip:carol@chicago.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877',
  'Max-Forwards: 70',
  'To: <sip:carol@chicago.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 63104 OPTIONS',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Accept: application/sdp',
  'Content-Length: 0',
]);

export const SEEDS: readonly string[] = [INVITE, OK200, BYE, ACK, CANCEL, REGISTER, OPTIONS];
