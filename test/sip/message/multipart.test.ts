/** Multipart bodies (RFC 2046 §5.1, RFC 5621): splitting, media types, hostile input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bodyLeaves, parseMediaType, splitMultipart } from '../../../src/sip/message/index.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

describe('parseMediaType', () => {
  it('lower-cases the type and parameter names, unquotes values', () => {
    const t = parseMediaType('Multipart/Mixed; Boundary="a;b \\"c\\""; x=1');
    assert.equal(t.type, 'multipart/mixed');
    assert.equal(t.params.get('boundary'), 'a;b "c"');
    assert.equal(t.params.get('x'), '1');
  });
});

describe('splitMultipart', () => {
  it('SDP and a binary ISUP part, preamble and epilogue ignored', () => {
    const isup = Buffer.from([0x01, 0x00, 0x0d, 0x0a, 0x2d, 0xff, 0x60]);
    const body = Buffer.concat([
      Buffer.from(`preamble\r\n--b1\r\nContent-Type: application/sdp\r\n\r\n${SDP}\r\n--b1\r\n`),
      Buffer.from(
        'Content-Type: application/isup;version=itu-t92+\r\nContent-Disposition: signal;\r\n handling=optional\r\n\r\n',
      ),
      isup,
      Buffer.from('\r\n--b1--\r\nepilogue'),
    ]);
    const parts = splitMultipart(body, 'b1');
    assert.ok(parts);
    assert.equal(parts.length, 2);
    assert.equal(parts[0]!.headers.get('content-type'), 'application/sdp');
    assert.equal(parts[0]!.body.toString(), SDP);
    assert.equal(parts[1]!.headers.get('content-disposition'), 'signal; handling=optional');
    assert.deepEqual(parts[1]!.body, isup);
  });

  it('LF line ends, a part without headers, a missing close delimiter', () => {
    const parts = splitMultipart(Buffer.from('--x\n\nplain\n--x\nContent-Type: a/b\n\nlast'), 'x');
    assert.ok(parts);
    assert.equal(parts.length, 2);
    assert.equal(parts[0]!.headers.size, 0);
    assert.equal(parts[0]!.body.toString(), 'plain');
    assert.equal(parts[1]!.body.toString(), 'last');
  });

  it('no delimiter, an empty or overlong boundary, too many parts: null, never a throw', () => {
    assert.equal(splitMultipart(Buffer.from(SDP), 'b'), null);
    assert.equal(splitMultipart(Buffer.from('--\r\n'), ''), null);
    assert.equal(splitMultipart(Buffer.from('--x'), 'x'.repeat(71)), null);
    assert.equal(splitMultipart(Buffer.from('--x\r\n\r\n'.repeat(1000)), 'x'), null);
  });
});

describe('bodyLeaves', () => {
  it('flattens a multipart/alternative inside a multipart/mixed; a part without type is text/plain', () => {
    const inner = `--in\r\nContent-Type: application/sdp\r\n\r\n${SDP}\r\n--in--`;
    const outer =
      `--out\r\nContent-Type: multipart/alternative;boundary=in\r\n\r\n${inner}\r\n` +
      `--out\r\n\r\nno type\r\n--out--\r\n`;
    const leaves = bodyLeaves('multipart/mixed; boundary=out', Buffer.from(outer));
    assert.deepEqual(
      leaves.map((l) => l.type?.type),
      ['application/sdp', 'text/plain'],
    );
    assert.equal(leaves[0]!.body.toString(), SDP);
  });

  it('nesting past three levels yields nothing rather than recursing without end', () => {
    let body = SDP;
    for (let i = 0; i < 10; i++)
      body = `--b${i}\r\nContent-Type: ${i === 0 ? 'application/sdp' : `multipart/mixed;boundary=b${i - 1}`}\r\n\r\n${body}\r\n--b${i}--`;
    assert.deepEqual(bodyLeaves('multipart/mixed;boundary=b9', Buffer.from(body)), []);
  });
});
