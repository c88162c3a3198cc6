import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assignIds, parsePhloDocument, renderFirstLegs, startNode } from '../../src/phlo/index.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

async function load(file: string, contentType?: string) {
  const r = parsePhloDocument(await readFile(examples + file, 'utf8'), contentType);
  if ('errors' in r) assert.fail(`${file}:\n${r.errors.join('\n')}`);
  return r.document;
}

describe('examples', () => {
  it('support-line.yaml parses, and its JSON twin is the same document', async () => {
    const yaml = await load('support-line.yaml', 'application/yaml');
    const json = await load('support-line.json', 'application/json');
    assert.deepEqual(yaml, json);
    assert.deepEqual(await load('support-line.yaml'), yaml);
  });

  it('is the seed scenario: agent from, customer to, distinct built-in hold tones', async () => {
    const doc = await load('support-line.yaml');
    assert.equal(doc.nodes.length, 1);
    const node = startNode(doc);
    assert.equal(node.type, 'multi_party_call');
    assert.equal(node.from, '{{start.from}}');
    assert.equal(node.to, '{{start.to}}');
    assert.match(node.agent_hold_music ?? '', /^tone:/);
    assert.match(node.customer_hold_music ?? '', /^tone:/);
    assert.notEqual(node.agent_hold_music, node.customer_hold_music);
  });

  it('gets ids and renders a run', async () => {
    const r = assignIds(await load('support-line.yaml'));
    assert.ok('document' in r);
    const legs = renderFirstLegs(startNode(r.document), {
      from: '+14155550100',
      to: 'sip:customer@127.0.0.1:5070',
    });
    assert.deepEqual(legs, {
      from: '+14155550100',
      to: 'sip:customer@127.0.0.1:5070',
      callerId: null,
    });
  });
});
