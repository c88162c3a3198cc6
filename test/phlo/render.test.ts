/** Rendering for an inbound run (renderAgents) and the callback URL (renderEventCallbackUrl). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCallbackUrl,
  parsePhloDocument,
  renderAgents,
  renderEventCallbackUrl,
  type MultiPartyCallNode,
} from '../../src/phlo/index.js';

function node(fields: Record<string, unknown>, triggers = ['api']): MultiPartyCallNode {
  const r = parsePhloDocument({
    name: 'x',
    start: { triggers, ...(triggers.includes('incoming') ? { incoming: ['support'] } : {}) },
    nodes: [
      {
        type: 'multi_party_call',
        name: 'support',
        from: '{{start.from}}',
        to: '{{start.to}}',
        ...fields,
      },
    ],
  });
  if ('errors' in r) assert.fail(r.errors.join('\n'));
  return r.document.nodes[0]!;
}

const CALLER = { from: '+14155550199', to: 'support' };

describe('renderAgents', () => {
  it('renders and normalises every agent, in order, and the caller ID', () => {
    const n = node(
      {
        agents: [
          'sip:Alice@PBX.example.com;transport=TCP',
          '+1 415 555 0111',
          'sip:{{start.to}}@queue.example.com',
        ],
        caller_id: '{{start.from}}',
      },
      ['incoming'],
    );
    assert.deepEqual(renderAgents(n, CALLER), {
      agents: [
        'sip:Alice@pbx.example.com;transport=tcp',
        '+14155550111',
        'sip:support@queue.example.com',
      ],
      callerId: '+14155550199',
    });
  });

  it('callerId is null when the node has none', () => {
    const n = node({ agents: ['+14155550111'] }, ['incoming']);
    assert.deepEqual(renderAgents(n, CALLER), { agents: ['+14155550111'], callerId: null });
  });

  it('does not dial the caller, nor anyone twice', () => {
    const n = node(
      { agents: ['14155550199', '+14155550111', 'sip:{{start.to}}@pbx', 'sip:support@pbx'] },
      ['incoming'],
    );
    assert.deepEqual(renderAgents(n, CALLER), {
      agents: ['+14155550111', 'sip:support@pbx'],
      callerId: null,
    });
  });

  it('refuses when the only agent is the caller', () => {
    const n = node({ agents: ['+14155550199'] }, ['incoming']);
    assert.deepEqual(renderAgents(n, CALLER, 'nodes[0]'), {
      errors: ['nodes[0].agents: the only agent is the caller; nobody is left to dial'],
    });
  });

  it('a caller whose address is not one (anonymous) excludes nobody', () => {
    const n = node({ agents: ['+14155550111'] }, ['incoming']);
    assert.deepEqual(renderAgents(n, { from: 'anonymous', to: 'support' }), {
      agents: ['+14155550111'],
      callerId: null,
    });
  });

  it('reports every problem, naming the payload key and the agent', () => {
    const n = node(
      { agents: ['{{start.to}}', 'sip:x@{{start.from}}'], caller_id: '{{start.from}}' },
      ['incoming'],
    );
    assert.deepEqual(renderAgents(n, { to: 'nobody' }, 'nodes[0]'), {
      errors: [
        "run payload 'to' (for nodes[0].agents[0]): 'nobody' is neither a phone number nor a SIP address (sip:user@host)",
        "run payload has no 'from' (needed by nodes[0].agents[1])",
        "run payload has no 'from' (needed by nodes[0].caller_id)",
      ],
    });
  });

  it('a node without agents cannot start an inbound run', () => {
    assert.deepEqual(renderAgents(node({}), CALLER), {
      errors: [
        "nodes['support'].agents: the node has no agents, so an inbound call cannot start it",
      ],
    });
  });

  it('a payload that is not an object counts as empty', () => {
    const n = node({ agents: ['{{start.to}}'] }, ['incoming']);
    const r = renderAgents(n, null as unknown as Record<string, unknown>, 'n');
    assert.deepEqual(r, { errors: ["run payload has no 'to' (needed by n.agents[0])"] });
  });
});

describe('renderEventCallbackUrl', () => {
  it('null when the node has no callback URL', () => {
    assert.deepEqual(renderEventCallbackUrl(node({}), {}), { url: null });
  });

  it('a literal URL comes back in its serialised form', () => {
    assert.deepEqual(
      renderEventCallbackUrl(node({ event_callback_url: 'HTTPS://Hooks.Example.com' }), {}),
      {
        url: 'https://hooks.example.com/',
      },
    );
  });

  it('fills the template from the payload', () => {
    const n = node({
      event_callback_url: 'https://hooks.example.com/calls/{{start.ticket}}?to={{start.to}}',
    });
    assert.deepEqual(renderEventCallbackUrl(n, { ticket: 'T-42', to: '+14155550199' }), {
      url: 'https://hooks.example.com/calls/T-42?to=+14155550199',
    });
  });

  it('checks the rendered URL in full, naming the payload key', () => {
    const n = node({ event_callback_url: '{{start.callback}}' });
    const cases: [unknown, string][] = [
      [
        'ftp://example.com/cb',
        `run payload 'callback' (for nodes[0].event_callback_url): "ftp:": only http and https URLs are supported`,
      ],
      [
        'https://u:p@example.com/cb',
        "run payload 'callback' (for nodes[0].event_callback_url): must not carry credentials (user:password@): callbacks are signed with the account's auth token instead",
      ],
      [
        'https://example.com/a b',
        "run payload 'callback' (for nodes[0].event_callback_url): contains spaces (percent-encode them, e.g. %20)",
      ],
      [undefined, "run payload has no 'callback' (needed by nodes[0].event_callback_url)"],
    ];
    for (const [callback, error] of cases) {
      assert.deepEqual(
        renderEventCallbackUrl(n, { callback }, 'nodes[0]'),
        { error },
        String(callback),
      );
    }
  });

  it('a host from the payload cannot smuggle in credentials', () => {
    const n = node({ event_callback_url: 'https://{{start.host}}/cb' });
    const r = renderEventCallbackUrl(n, { host: 'user:pw@evil.example.com' });
    assert.ok('error' in r);
    assert.match(r.error, /must not carry credentials/);
    assert.doesNotMatch(r.error, /pw/);
  });
});

describe('checkCallbackUrl', () => {
  for (const url of [
    'https://hooks.example.com/partyline',
    'http://127.0.0.1:9000/cb?x=1#f',
    'http://[::1]/cb',
    'https://xn--bcher-kva.example/cb',
  ]) {
    it(`accepts ${url}`, () => assert.equal(checkCallbackUrl(url), undefined));
  }
  const bad: [unknown, RegExp][] = [
    ['', /^is empty/],
    ['https://', /is not a valid http\(s\) URL/],
    ['https://exa mple.com', /contains spaces/],
    ['https://example.com/\u0007', /control characters/],
    ['https://:pw@example.com', /credentials/],
    ['https://user@example.com', /credentials/],
    ['https://example.com:99999/', /is not a valid http\(s\) URL/],
    ['javascript:alert(1)', /is not an http\(s\) URL/],
    ['file:///etc/passwd', /"file:": only http and https/],
    [null, /got null/],
  ];
  for (const [url, re] of bad) {
    it(`rejects ${JSON.stringify(url)}`, () =>
      assert.match(checkCallbackUrl(url) ?? 'accepted', re));
  }
  it('does not echo credentials in a URL it cannot parse', () => {
    const problem = checkCallbackUrl('https://user:secret@exa_mple.com:99999/');
    assert.ok(problem);
    assert.doesNotMatch(problem, /secret/);
  });
});
