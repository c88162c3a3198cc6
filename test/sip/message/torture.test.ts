/**
 * Torture suite in the spirit of RFC 4475: every fixture in
 * test/fixtures/sip-torture/ is parsed and checked against manifest.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatUri,
  parseMessage,
  serializeMessage,
  SipRequest,
  SipResponse,
  type SipMessage,
} from '../../../src/sip/message/index.js';
import type { Expectation, ValidExpectation } from '../../fixtures/sip-torture/generate.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/sip-torture');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<
  string,
  Expectation & { about: string }
>;

test('the manifest lists every fixture file and there are at least 30', () => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sip'))
    .sort();
  assert.deepEqual(files, Object.keys(manifest).sort());
  assert.ok(files.length >= 30);
  const valid = Object.values(manifest).filter((e) => e.valid).length;
  assert.ok(valid >= 10 && files.length - valid >= 10);
});

test('fixtures use CRLF line endings in their header sections', () => {
  for (const file of Object.keys(manifest)) {
    const bytes = readFileSync(join(dir, file));
    const end = bytes.indexOf('\r\n\r\n');
    assert.ok(end > 0, `${file}: no CRLF CRLF`);
    const head = bytes.subarray(0, end).toString('latin1');
    assert.ok(!/[^\r]\n/.test(head), `${file}: bare LF in header section`);
  }
});

function check(file: string, m: SipMessage, e: ValidExpectation): void {
  const at = (what: string) => `${file}: ${what}`;
  assert.equal(m.kind, e.kind, at('kind'));
  if (m instanceof SipRequest) {
    if (e.method !== undefined) assert.equal(m.method, e.method, at('method'));
    if (e.requestUri !== undefined) assert.equal(formatUri(m.uri), e.requestUri, at('Request-URI'));
  }
  if (m instanceof SipResponse) {
    if (e.status !== undefined) assert.equal(m.status, e.status, at('status'));
    if (e.reason !== undefined) assert.equal(m.reason, e.reason, at('reason'));
  }
  if (e.callId !== undefined) assert.equal(m.callId(), e.callId, at('Call-ID'));
  if (e.cseq !== undefined)
    assert.deepEqual(m.cseq(), { seq: e.cseq[0], method: e.cseq[1] }, at('CSeq'));
  const vias = m.vias();
  if (e.viaCount !== undefined) assert.equal(vias.length, e.viaCount, at('Via count'));
  if (e.viaHosts !== undefined) {
    assert.deepEqual(
      vias.map((v) => v.host).slice(0, e.viaHosts.length),
      e.viaHosts,
      at('Via hosts'),
    );
  }
  if (e.viaTransports !== undefined) {
    assert.deepEqual(
      vias.map((v) => v.transport),
      e.viaTransports,
      at('Via transports'),
    );
  }
  if (e.topViaBranch !== undefined) {
    assert.equal(m.topVia().params.get('branch'), e.topViaBranch, at('branch'));
  }
  if (e.topViaPort !== undefined) assert.equal(m.topVia().port, e.topViaPort, at('Via port'));
  const from = m.from();
  const to = m.to();
  if (e.fromDisplayName !== undefined)
    assert.equal(from.displayName, e.fromDisplayName, at('From name'));
  if (e.fromTag !== undefined) assert.equal(from.params.get('tag'), e.fromTag, at('From tag'));
  if (e.fromUri !== undefined) assert.equal(formatUri(from.uri), e.fromUri, at('From URI'));
  if (e.toDisplayName !== undefined) assert.equal(to.displayName, e.toDisplayName, at('To name'));
  if (e.toTag !== undefined) assert.equal(to.params.get('tag') ?? null, e.toTag, at('To tag'));
  if (e.toUri !== undefined) assert.equal(formatUri(to.uri), e.toUri, at('To URI'));
  if (e.contactUris !== undefined) {
    assert.deepEqual(
      m.contacts().map((c) => formatUri(c.uri)),
      e.contactUris,
      at('Contact'),
    );
  }
  if (e.routeUris !== undefined) {
    assert.deepEqual(
      m.routes().map((r) => formatUri(r.uri)),
      e.routeUris,
      at('Route'),
    );
  }
  if (e.bodyLength !== undefined) assert.equal(m.body.length, e.bodyLength, at('body length'));
  for (const [name, value] of Object.entries(e.headers ?? {})) {
    assert.equal(m.headers.get(name), value, at(`header ${name}`));
  }
}

for (const [file, e] of Object.entries(manifest)) {
  test(`${file}: ${e.about}`, () => {
    const bytes = readFileSync(join(dir, file));
    const r = parseMessage(bytes);
    if (e.valid) {
      if (!r.ok) assert.fail(`${file}: expected to parse, got "${r.error.message}"`);
      check(file, r.message, e);
      // Round trip: the serialised form parses to the same checks and is stable.
      const once = serializeMessage(r.message);
      const again = parseMessage(once);
      if (!again.ok) assert.fail(`${file}: serialised form did not parse: ${again.error.message}`);
      check(`${file} (re-parsed)`, again.message, e);
      assert.deepEqual(serializeMessage(again.message), once, `${file}: serialisation not stable`);
    } else {
      assert.equal(r.ok, false, `${file}: expected an error containing "${e.error}"`);
      if (r.ok) return;
      assert.ok(
        r.error.message.includes(e.error),
        `${file}: error "${r.error.message}" should contain "${e.error}"`,
      );
      assert.equal(r.request !== undefined, e.request, `${file}: request presence`);
      if (r.request) assert.ok(r.request.headers.entries.length > 0);
    }
  });
}
