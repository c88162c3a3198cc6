import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  assignIds,
  incomingKeys,
  incomingMatches,
  parsePhloDocument,
  renderAgents,
  renderEventCallbackUrl,
  renderFirstLegs,
  startNode,
} from '../../src/phlo/index.js';

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

  it('inbound-support.yaml: an incoming trigger, agents, wait music, sounds', async () => {
    const doc = await load('inbound-support.yaml');
    assert.deepEqual(doc.start.triggers, ['incoming']);
    assert.deepEqual(incomingKeys(doc), ['phone:14155550100', 'user:support']);
    assert.equal(incomingMatches(doc, '14155550100'), true);
    assert.equal(incomingMatches(doc, 'support'), true);
    assert.equal(incomingMatches(doc, 'sales'), false);
    const node = startNode(doc);
    assert.equal(node.from, undefined);
    assert.match(node.wait_music ?? '', /^tone:/);
    assert.equal(node.enter_sound, 'beep:1');
    assert.equal(node.exit_sound, 'beep:2');
    assert.equal(node.record, false);
    assert.deepEqual(node.end_on_exit, { agent: false, customer: true, supervisor: false });
    assert.equal(node.event_callback_url, undefined);
    // The three hold/wait tones differ, so each can be told apart by ear.
    assert.equal(
      new Set([node.wait_music, node.agent_hold_music, node.customer_hold_music]).size,
      3,
    );
    assert.deepEqual(renderAgents(node, { from: '+14155550199', to: '+14155550100' }), {
      agents: ['sip:alice@pbx.example.com', 'sip:bob@pbx.example.com', '+14155550111'],
      callerId: '+14155550199',
    });
    assert.deepEqual(renderEventCallbackUrl(node, {}), { url: null });
  });

  it("inbound-support.yaml's commented callback URL is valid once uncommented", async () => {
    const text = (await readFile(examples + 'inbound-support.yaml', 'utf8')).replace(
      '# event_callback_url:',
      'event_callback_url:',
    );
    const r = parsePhloDocument(text);
    assert.ok('document' in r, JSON.stringify(r));
    const node = startNode(r.document);
    assert.deepEqual(renderEventCallbackUrl(node, { from: '+14155550199', to: 'support' }), {
      url: 'https://hooks.example.com/partyline/support',
    });
  });
});
