/** The `incoming` trigger: start.incoming, agents, and which PHLO an INVITE is for. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  incomingKey,
  incomingKeys,
  incomingMatches,
  parsePhloDocument,
  renderFirstLegs,
  startNode,
  type PhloDocument,
} from '../../src/phlo/index.js';

const AGENT_NODE = {
  type: 'multi_party_call',
  name: 'support',
  agents: ['sip:alice@pbx.example.com', 'sip:bob@pbx.example.com'],
};

function doc(start: Record<string, unknown>, nodes: unknown[] = [AGENT_NODE]): PhloDocument {
  const r = parsePhloDocument({ name: 'Inbound', start, nodes });
  if ('errors' in r) assert.fail(r.errors.join('\n'));
  return r.document;
}

function errors(start: unknown, nodes: unknown[] = [AGENT_NODE]): string[] {
  const r = parsePhloDocument({ name: 'Inbound', start, nodes });
  if ('document' in r) assert.fail('expected errors');
  return r.errors;
}

describe('start.incoming', () => {
  it('an incoming-only PHLO needs no from and to, and keeps its entries as written', () => {
    const d = doc({ triggers: ['incoming'], incoming: [' +1 (415) 555-0100 ', 'support', '1001'] });
    assert.deepEqual(d.start, {
      triggers: ['incoming'],
      next: 'support',
      incoming: ['+1 (415) 555-0100', 'support', '1001'],
    });
    const n = startNode(d);
    assert.equal(n.from, undefined);
    assert.equal(n.to, undefined);
    assert.deepEqual(n.agents, AGENT_NODE.agents);
  });

  it('api and incoming together need from and to as well as agents', () => {
    assert.deepEqual(errors({ triggers: ['api', 'incoming'], incoming: ['support'] }), [
      'nodes[0].from: required (an address, or a template such as {{start.from}})',
      'nodes[0].to: required (an address, or a template such as {{start.from}})',
    ]);
    const d = doc({ triggers: ['api', 'incoming'], incoming: ['support'] }, [
      { ...AGENT_NODE, from: '{{start.from}}', to: '{{start.to}}' },
    ]);
    assert.deepEqual(d.start.triggers, ['api', 'incoming']);
  });

  it('only the node an inbound call starts must have agents', () => {
    const d = doc({ triggers: ['incoming'], incoming: ['support'], next: 'b' }, [
      { type: 'multi_party_call', name: 'a' },
      { ...AGENT_NODE, name: 'b' },
    ]);
    assert.equal(d.nodes[0]!.agents, undefined);
    assert.deepEqual(
      errors({ triggers: ['incoming'], incoming: ['support'], next: 'a' }, [
        { type: 'multi_party_call', name: 'a' },
        { ...AGENT_NODE, name: 'b' },
      ]),
      [
        "nodes[0].agents: required: start.triggers has 'incoming' and an inbound call starts this node, which dials these agents (e.g. agents: ['sip:alice@pbx.example.com'])",
      ],
    );
  });

  it('templates on the start node may read only start.from and start.to', () => {
    const ok = doc({ triggers: ['incoming'], incoming: ['support'] }, [
      {
        ...AGENT_NODE,
        agents: ['sip:{{start.to}}-queue@pbx.example.com'],
        caller_id: '{{ start.from }}',
        event_callback_url: 'https://hooks.example.com/in/{{start.to}}',
      },
    ]);
    assert.equal(startNode(ok).caller_id, '{{ start.from }}');
    const why =
      'is not known when an incoming call starts this node: its payload has only from (the caller) and to (the number or user called)';
    assert.deepEqual(
      errors({ triggers: ['incoming'], incoming: ['support'] }, [
        {
          ...AGENT_NODE,
          agents: ['{{start.agent}}'],
          caller_id: '{{start.cid}}',
          event_callback_url: '{{start.callback}}',
        },
      ]),
      [
        `nodes[0].agents[0]: {{start.agent}} ${why}`,
        `nodes[0].caller_id: {{start.cid}} ${why}`,
        `nodes[0].event_callback_url: {{start.callback}} ${why}`,
      ],
    );
  });

  it('any key is fine in an API-only PHLO', () => {
    const d = doc({}, [
      {
        ...AGENT_NODE,
        from: '{{start.from}}',
        to: '{{start.to}}',
        agents: ['{{start.agent}}'],
        event_callback_url: '{{start.callback}}',
      },
    ]);
    assert.deepEqual(startNode(d).agents, ['{{start.agent}}']);
  });

  const cases: [string, unknown, string[] | RegExp][] = [
    [
      'incoming without the trigger',
      { incoming: ['support'] },
      [
        "start.incoming: is only used with the 'incoming' trigger (add it: triggers: [api, incoming])",
        // The default trigger is api, whose runs need from and to.
        'nodes[0].from: required (an address, or a template such as {{start.from}})',
        'nodes[0].to: required (an address, or a template such as {{start.from}})',
      ],
    ],
    [
      'not a list',
      { triggers: ['incoming'], incoming: 'support' },
      [
        'start.incoming: must be a list of phone numbers and SIP user names (got "support") (one is still a list: [\'support\'])',
      ],
    ],
    [
      'empty',
      { triggers: ['incoming'], incoming: [] },
      ['start.incoming: must hold at least one phone number or SIP user name'],
    ],
    [
      'too many',
      { triggers: ['incoming'], incoming: Array.from({ length: 51 }, (_, i) => `user${i}`) },
      ['start.incoming: holds 51 entries; at most 50'],
    ],
    [
      'a number unquoted in YAML',
      { triggers: ['incoming'], incoming: [14155550100] },
      [
        'start.incoming[0]: must be a string (got the number 14155550100; quote it in YAML, e.g. "+14155550100")',
      ],
    ],
    [
      'a mapping',
      { triggers: ['incoming'], incoming: [{ number: '+1415' }] },
      ['start.incoming[0]: must be a phone number or a SIP user name (got a mapping)'],
    ],
    [
      'empty entry',
      { triggers: ['incoming'], incoming: [' '] },
      ['start.incoming[0]: must not be empty'],
    ],
    [
      'a SIP address',
      { triggers: ['incoming'], incoming: ['sip:support@pbx.example.com'] },
      [
        'start.incoming[0]: "sip:support@pbx.example.com": give the SIP user name alone (e.g. \'support\'), not a SIP address; an inbound call is matched by the user part of the address it is sent to',
      ],
    ],
    [
      'user@host',
      { triggers: ['incoming'], incoming: ['support@pbx'] },
      /^start\.incoming\[0\]: "support@pbx": give the SIP user name alone/,
    ],
    [
      'a bad number',
      { triggers: ['incoming'], incoming: ['+1'] },
      [
        "start.incoming[0]: '+1' is not a valid phone number: it has 1 digit; a number has 3 to 15 (E.164)",
      ],
    ],
    [
      'a number with letters',
      { triggers: ['incoming'], incoming: ['1-800-FLOWERS'] },
      /^start\.incoming\[0\]: '1-800-FLOWERS' is not a valid phone number: it contains letters/,
    ],
    [
      'a user name with a space',
      { triggers: ['incoming'], incoming: ['help desk'] },
      [
        "start.incoming[0]: \"help desk\" is neither a phone number nor a SIP user name (a letter, then letters, digits, '.', '_', '~' or '-')",
      ],
    ],
    [
      'a user name too long',
      { triggers: ['incoming'], incoming: ['u'.repeat(65)] },
      ['start.incoming[0]: is too long (a SIP user name has at most 64 characters)'],
    ],
    [
      'control characters',
      { triggers: ['incoming'], incoming: ['sup\u0000port'] },
      ['start.incoming[0]: must not contain control characters'],
    ],
    [
      'a number twice, written differently',
      { triggers: ['incoming'], incoming: ['+14155550100', '1 415 555 0100'] },
      ['start.incoming[1]: is the same number as start.incoming[0]'],
    ],
    [
      'a user twice',
      { triggers: ['incoming'], incoming: ['support', 'sales', 'support'] },
      ['start.incoming[2]: is the same user as start.incoming[0]'],
    ],
    [
      'incoming listed twice',
      { triggers: ['incoming', 'incoming'], incoming: ['support'] },
      ['start.triggers[1]: "incoming" is listed twice'],
    ],
  ];
  for (const [title, start, expected] of cases) {
    it(title, () => {
      const got = errors(start);
      if (expected instanceof RegExp) {
        assert.equal(got.length, 1, got.join('\n'));
        assert.match(got[0]!, expected);
      } else assert.deepEqual(got, expected);
    });
  }

  it('user names differing in case are two users', () => {
    const d = doc({ triggers: ['incoming'], incoming: ['support', 'Support'] });
    assert.deepEqual(incomingKeys(d), ['user:support', 'user:Support']);
  });

  it('an API run of an incoming-only node says why it cannot start', () => {
    const d = doc({ triggers: ['incoming'], incoming: ['support'] });
    assert.deepEqual(renderFirstLegs(startNode(d), { from: '+1415', to: '+1416' }, 'nodes[0]'), {
      errors: [
        "nodes[0]: has no from and to, so a run through the API cannot start it (give the node from and to, and start.triggers 'api')",
      ],
    });
  });
});

describe('incomingKey, incomingKeys, incomingMatches', () => {
  const inbound = doc({
    triggers: ['incoming'],
    incoming: ['+1 (415) 555-0100', 'support', '1001'],
  });

  it('incomingKey: numbers by their digits (as member addresses), users as they are', () => {
    assert.equal(incomingKey('+14155550100'), 'phone:14155550100');
    assert.equal(incomingKey('14155550100'), 'phone:14155550100');
    assert.equal(incomingKey('+1 (415) 555-0100'), 'phone:14155550100');
    assert.equal(incomingKey('%2B14155550100'), 'phone:14155550100');
    assert.equal(incomingKey('+14155550100;phone-context=example.com'), 'phone:14155550100');
    assert.equal(incomingKey('support'), 'user:support');
    assert.equal(incomingKey('sup%70ort'), 'user:support');
    assert.equal(incomingKey('Support'), 'user:Support');
  });

  it('incomingKey: undefined for what is neither', () => {
    for (const v of ['', ' ', '+1', 'a b', 'alice@example.com', '%zz', '-x', 'x'.repeat(65)]) {
      assert.equal(incomingKey(v), undefined, v);
    }
    assert.equal(incomingKey(undefined as unknown as string), undefined);
    assert.equal(incomingKey(42 as unknown as string), undefined);
  });

  it('incomingKeys lists them in order; none without the incoming trigger', () => {
    assert.deepEqual(incomingKeys(inbound), ['phone:14155550100', 'user:support', 'phone:1001']);
    const apiOnly = doc({}, [{ ...AGENT_NODE, from: '{{start.from}}', to: '{{start.to}}' }]);
    assert.deepEqual(incomingKeys(apiOnly), []);
    assert.equal(incomingMatches(apiOnly, 'support'), false);
  });

  it('incomingMatches: the called user of an INVITE', () => {
    for (const called of [
      '+14155550100',
      '14155550100',
      '+1-415-555-0100',
      'support',
      '1001',
      '+1001',
    ]) {
      assert.equal(incomingMatches(inbound, called), true, called);
    }
    for (const called of [
      'Support',
      'SUPPORT',
      'sales',
      '+14155550101',
      '4155550100',
      '',
      'support;x',
    ]) {
      assert.equal(incomingMatches(inbound, called), called === 'support;x', called);
    }
  });

  it('two PHLOs claiming one number share a key (the server refuses the second)', () => {
    const other = doc({ triggers: ['incoming'], incoming: ['sales', '14155550100'] });
    const shared = incomingKeys(other).filter((k) => incomingKeys(inbound).includes(k));
    assert.deepEqual(shared, ['phone:14155550100']);
  });
});
