import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DOCUMENT_BYTES, parsePhloDocument, type PhloDocument } from '../../src/phlo/index.js';

const MINIMAL = {
  name: 'Support line',
  nodes: [
    { type: 'multi_party_call', name: 'support', from: '{{start.from}}', to: '{{start.to}}' },
  ],
};

function ok(input: unknown, contentType?: string): PhloDocument {
  const r = parsePhloDocument(input, contentType);
  if ('errors' in r) assert.fail(`expected a document, got:\n${r.errors.join('\n')}`);
  return r.document;
}

function errors(input: unknown, contentType?: string): string[] {
  const r = parsePhloDocument(input, contentType);
  if ('document' in r) assert.fail('expected errors');
  return r.errors;
}

/** MINIMAL with the first node's fields changed (undefined deletes). */
function withNode(fields: Record<string, unknown>): Record<string, unknown> {
  const node: Record<string, unknown> = { ...MINIMAL.nodes[0], ...fields };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete node[k];
  return { ...MINIMAL, nodes: [node] };
}

describe('parsePhloDocument: valid documents', () => {
  it('fills the defaults in', () => {
    assert.deepEqual(ok(MINIMAL), {
      name: 'Support line',
      start: { triggers: ['api'], next: 'support' },
      nodes: [
        {
          type: 'multi_party_call',
          name: 'support',
          from: '{{start.from}}',
          to: '{{start.to}}',
          ring_timeout: 45,
          max_participants: 10,
          max_duration: 14400,
          alone_timeout: 60,
          end_on_exit: { agent: false, customer: false, supervisor: false },
          record: false,
          enter_sound: 'beep:1',
          exit_sound: 'beep:2',
          cold_transfer_failure: { message: 'beep:2', then: 'end' },
        },
      ],
    });
  });

  it('reads every field', () => {
    const doc = ok({
      name: '  Support line ',
      description: 'Two lines\nof text',
      start: { triggers: ['api'], next: 'second' },
      nodes: [
        MINIMAL.nodes[0],
        {
          id: 'A1B2C3D4-0000-4000-8000-000000000000',
          type: 'multi_party_call',
          name: 'second',
          from: 'sip:agent@pbx.example.com',
          to: '+1 (415) 555-0199',
          caller_id: '+14155550000',
          ring_timeout: 5,
          max_participants: 100,
          agent_hold_music: 'tone:440',
          customer_hold_music: '/usr/share/asterisk/moh/macroform-cold_day.wav',
        },
      ],
    });
    assert.equal(doc.name, 'Support line');
    assert.equal(doc.description, 'Two lines\nof text');
    assert.equal(doc.start.next, 'second');
    assert.deepEqual(doc.nodes[1], {
      id: 'a1b2c3d4-0000-4000-8000-000000000000',
      type: 'multi_party_call',
      name: 'second',
      from: 'sip:agent@pbx.example.com',
      to: '+1 (415) 555-0199',
      caller_id: '+14155550000',
      ring_timeout: 5,
      max_participants: 100,
      max_duration: 14400,
      alone_timeout: 60,
      end_on_exit: { agent: false, customer: false, supervisor: false },
      record: false,
      agent_hold_music: 'tone:440',
      customer_hold_music: '/usr/share/asterisk/moh/macroform-cold_day.wav',
      enter_sound: 'beep:1',
      exit_sound: 'beep:2',
      cold_transfer_failure: { message: 'beep:2', then: 'end' },
    });
  });

  it('reads YAML and JSON text, and bytes, to the same document', () => {
    const yaml = [
      'name: Support line',
      'nodes:',
      '  - type: multi_party_call',
      '    name: support',
      '    from: "{{start.from}}"',
      "    to: '{{start.to}}'",
    ].join('\n');
    const json = JSON.stringify(MINIMAL);
    const expected = ok(MINIMAL);
    assert.deepEqual(ok(yaml), expected);
    assert.deepEqual(ok(yaml, 'application/yaml'), expected);
    assert.deepEqual(ok(yaml, 'text/x-yaml; charset=utf-8'), expected);
    assert.deepEqual(ok(json), expected);
    assert.deepEqual(ok(json, 'application/json; charset=utf-8'), expected);
    assert.deepEqual(ok(Buffer.from(yaml)), expected);
    assert.deepEqual(ok(new TextEncoder().encode(json), 'application/json'), expected);
    assert.deepEqual(ok('\uFEFF' + json), expected);
  });

  it('round-trips: a stored document parses to itself', () => {
    const doc = ok(withNode({ id: 'a1b2c3d4-0000-4000-8000-000000000000', caller_id: '+1415' }));
    assert.deepEqual(ok(JSON.parse(JSON.stringify(doc))), doc);
  });

  it('keeps YAML 1.2 strings as strings (yes, on, 0123)', () => {
    const doc = ok(
      'name: yes\nnodes:\n  - {type: multi_party_call, name: on, from: "+1415", to: "+1416"}',
    );
    assert.equal(doc.name, 'yes');
    assert.equal(doc.nodes[0]!.name, 'on');
  });
});

describe('parsePhloDocument: field errors name the path and the problem', () => {
  const cases: [string, unknown, string[] | RegExp][] = [
    [
      'ring_timeout not a number',
      withNode({ ring_timeout: 'abc' }),
      ['nodes[0].ring_timeout: must be an integer from 5 to 300 (got "abc")'],
    ],
    [
      'ring_timeout too small',
      withNode({ ring_timeout: 4 }),
      ['nodes[0].ring_timeout: must be an integer from 5 to 300 (got 4)'],
    ],
    [
      'ring_timeout not an integer',
      withNode({ ring_timeout: 4.5 }),
      ['nodes[0].ring_timeout: must be an integer from 5 to 300 (got 4.5)'],
    ],
    [
      'ring_timeout as a numeric string',
      withNode({ ring_timeout: '45' }),
      ['nodes[0].ring_timeout: must be an integer from 5 to 300 (got "45")'],
    ],
    [
      'max_participants too large',
      withNode({ max_participants: 101 }),
      ['nodes[0].max_participants: must be an integer from 2 to 100 (got 101)'],
    ],
    [
      'max_participants 1',
      withNode({ max_participants: 1 }),
      ['nodes[0].max_participants: must be an integer from 2 to 100 (got 1)'],
    ],
    ['missing from', withNode({ from: undefined }), /^nodes\[0\]\.from: required/],
    ['missing to', withNode({ to: undefined }), /^nodes\[0\]\.to: required/],
    ['missing name', withNode({ name: undefined }), ['nodes[0].name: required']],
    ['empty name', withNode({ name: '  ' }), ['nodes[0].name: must not be empty']],
    [
      'name with a newline',
      withNode({ name: 'a\nb' }),
      ['nodes[0].name: must not contain control characters'],
    ],
    ['long name', withNode({ name: 'x'.repeat(101) }), /at most 100 characters/],
    [
      'from a number (unquoted YAML)',
      withNode({ from: 14155550100 }),
      [
        'nodes[0].from: must be a string (got the number 14155550100; quote it in YAML, e.g. "+14155550100")',
      ],
    ],
    ['from a list', withNode({ from: ['a'] }), ['nodes[0].from: must be a string (got a list)']],
    [
      'literal from not an address',
      withNode({ from: 'abc' }),
      ["nodes[0].from: 'abc' is neither a phone number nor a SIP address (sip:user@host)"],
    ],
    [
      'literal caller_id with letters',
      withNode({ caller_id: '+1415CALLME' }),
      /^nodes\[0\]\.caller_id: '\+1415CALLME' is not a valid phone number: it contains letters/,
    ],
    [
      'literal from equal to literal to',
      withNode({ from: '+14155550100', to: '14155550100' }),
      ['nodes[0].to: is the same address as nodes[0].from'],
    ],
    [
      'unknown placeholder',
      withNode({ from: '{{payload.from}}' }),
      [
        "nodes[0].from: unknown placeholder '{{payload.from}}' (only {{start.<key>}} is supported, e.g. {{start.from}})",
      ],
    ],
    [
      'code in a placeholder',
      withNode({ to: '{{ process.exit() }}' }),
      /^nodes\[0\]\.to: unknown placeholder '\{\{process\.exit\(\)\}\}'/,
    ],
    [
      'unclosed placeholder',
      withNode({ to: '{{start.to' }),
      ["nodes[0].to: '{{' without a closing '}}'"],
    ],
    ['stray close', withNode({ to: 'start.to}}' }), ["nodes[0].to: '}}' without an opening '{{'"]],
    [
      'hold music not a source',
      withNode({ agent_hold_music: 'jazz' }),
      /^nodes\[0\]\.agent_hold_music: "jazz" is not an audio source \(expected beep:1/,
    ],
    [
      'hold music templated',
      withNode({ customer_hold_music: '{{start.music}}' }),
      [
        'nodes[0].customer_hold_music: templates are not allowed in audio sources (only in from, to, agents, caller_id and event_callback_url)',
      ],
    ],
    [
      'bad node id',
      withNode({ id: 'node-1' }),
      ['nodes[0].id: must be a node id (a UUID) (got "node-1")'],
    ],
    [
      'node type missing',
      withNode({ type: undefined }),
      ['nodes[0].type: required (multi_party_call)'],
    ],
    [
      'other node type',
      withNode({ type: 'play_audio' }),
      ['nodes[0].type: "play_audio" is not supported (only multi_party_call)'],
    ],
    [
      'unknown node field',
      withNode({ colour: 'red' }),
      [
        'nodes[0].colour: unknown field (expected one of id, type, name, from, to, agents, caller_id, ring_timeout, max_participants, max_duration, alone_timeout, end_on_exit, record, wait_music, agent_hold_music, customer_hold_music, enter_sound, exit_sound, voicemail_message, cold_transfer_failure, event_callback_url)',
      ],
    ],
    ['camelCase field', withNode({ ringTimeout: 30 }), /^nodes\[0\]\.ringTimeout: unknown field/],
    ['node not a mapping', { ...MINIMAL, nodes: ['support'] }, /^nodes\[0\]: must be a mapping/],
    ['no nodes', { name: 'x' }, ['nodes: required (a list of multi_party_call nodes)']],
    ['empty nodes', { name: 'x', nodes: [] }, ['nodes: must hold at least one node']],
    [
      'nodes a mapping',
      { name: 'x', nodes: {} },
      ['nodes: must be a list of nodes (got a mapping)'],
    ],
    [
      'too many nodes',
      {
        name: 'x',
        nodes: Array.from({ length: 51 }, (_, i) => ({ ...MINIMAL.nodes[0], name: `n${i}` })),
      },
      ['nodes: holds 51 nodes; at most 50'],
    ],
    ['no name', { nodes: MINIMAL.nodes }, ['name: required']],
    ['name a number', { ...MINIMAL, name: 7 }, ['name: must be a string (got 7)']],
    [
      'top-level id',
      { ...MINIMAL, id: 'x' },
      ['id: the PHLO id is assigned by the server and is not part of the document'],
    ],
    [
      'unknown top-level field',
      { ...MINIMAL, version: 2 },
      ['version: unknown field (expected one of name, description, start, nodes)'],
    ],
    [
      'unknown start field',
      { ...MINIMAL, start: { trigger: 'api' } },
      ['start.trigger: unknown field (expected one of triggers, next, incoming)'],
    ],
    [
      'incoming trigger without start.incoming',
      { ...MINIMAL, start: { triggers: ['api', 'incoming'] } },
      [
        "start.incoming: required with the 'incoming' trigger: the phone numbers and SIP user names whose inbound calls start this PHLO (e.g. incoming: ['+14155550100', 'support'])",
        "nodes[0].agents: required: start.triggers has 'incoming' and an inbound call starts this node, which dials these agents (e.g. agents: ['sip:alice@pbx.example.com'])",
      ],
    ],
    [
      'unknown trigger',
      { ...MINIMAL, start: { triggers: ['sms'] } },
      ["start.triggers[0]: unknown trigger \"sms\" (expected 'api' or 'incoming')"],
    ],
    [
      'duplicate trigger',
      { ...MINIMAL, start: { triggers: ['api', 'api'] } },
      ['start.triggers[1]: "api" is listed twice'],
    ],
    [
      'triggers not a list',
      { ...MINIMAL, start: { triggers: 'api' } },
      ['start.triggers: must be a non-empty list, e.g. [api] (got "api")'],
    ],
    [
      'empty triggers',
      { ...MINIMAL, start: { triggers: [] } },
      ['start.triggers: must be a non-empty list, e.g. [api] (got a list)'],
    ],
    [
      'start.next names nothing',
      { ...MINIMAL, start: { next: 'sales' } },
      ["start.next: no node is named 'sales' (the nodes are 'support')"],
    ],
    [
      'start.next needed with two nodes',
      { name: 'x', nodes: [MINIMAL.nodes[0], { ...MINIMAL.nodes[0], name: 'sales' }] },
      [
        "start.next: required when there is more than one node: name the one a run starts ('support', 'sales')",
      ],
    ],
    [
      'duplicate node names',
      { name: 'x', start: { next: 'support' }, nodes: [MINIMAL.nodes[0], MINIMAL.nodes[0]] },
      ["nodes[1].name: 'support' is already the name of nodes[0]"],
    ],
    [
      'duplicate node ids',
      {
        name: 'x',
        start: { next: 'a' },
        nodes: [
          { ...MINIMAL.nodes[0], name: 'a', id: '11111111-1111-4111-8111-111111111111' },
          { ...MINIMAL.nodes[0], name: 'b', id: '11111111-1111-4111-8111-111111111111' },
        ],
      },
      ['nodes[1].id: is already the id of nodes[0]'],
    ],
    [
      'start not a mapping',
      { ...MINIMAL, start: 'api' },
      ['start: must be a mapping with triggers and next (got "api")'],
    ],
    ['document a list', [MINIMAL], /^document: must be a mapping .* \(got a list\)$/],
    ['document null', null, ['document: must be a mapping with name, start and nodes (got null)']],
  ];
  for (const [title, input, expected] of cases) {
    it(title, () => {
      const got = errors(input);
      if (expected instanceof RegExp) {
        assert.equal(got.length, 1, got.join('\n'));
        assert.match(got[0]!, expected);
      } else assert.deepEqual(got, expected);
    });
  }

  it('reports every problem at once', () => {
    const got = errors({
      name: '',
      nodes: [{ type: 'multi_party_call', name: 'a', from: 'abc', ring_timeout: 0, record: 'yes' }],
    });
    assert.deepEqual(got, [
      'name: must not be empty',
      "nodes[0].from: 'abc' is neither a phone number nor a SIP address (sip:user@host)",
      'nodes[0].to: required (an address, or a template such as {{start.from}})',
      'nodes[0].ring_timeout: must be an integer from 5 to 300 (got 0)',
      'nodes[0].record: must be true or false (got "yes")',
    ]);
  });

  it('caps the number of errors reported', () => {
    const nodes = Array.from({ length: 50 }, (_, i) => ({
      type: 'multi_party_call',
      name: `n${i}`,
      from: 'x',
      to: 'y',
    }));
    assert.equal(errors({ name: 'x', start: { next: 'n0' }, nodes }).length, 50);
  });
});

describe('parsePhloDocument: text input', () => {
  const cases: [string, string, string | undefined, RegExp][] = [
    ['empty', '', undefined, /^document: is empty \(expected JSON or YAML\)$/],
    ['blank', ' \n\t', undefined, /^document: is empty/],
    ['bad JSON', '{"name":', 'application/json', /^document: not valid JSON: /],
    ['YAML sent as JSON', 'name: x', 'application/json', /^document: not valid JSON/],
    ['bad YAML', 'name: [x\nnodes: 1', undefined, /^document: not valid YAML: .*line/i],
    [
      'duplicate YAML keys',
      'name: a\nname: b\nnodes: []',
      undefined,
      /^document: not valid YAML: .*unique/i,
    ],
    ['two YAML documents', 'name: a\n---\nname: b', undefined, /more than one YAML document/],
    [
      'YAML tag',
      'name: !!js/function "x"\nnodes: []',
      undefined,
      /^document: YAML tags are not supported/,
    ],
    [
      'custom YAML tag',
      'name: !shout x\nnodes: []',
      undefined,
      /^document: YAML tags are not supported/,
    ],
    ['a scalar', 'hello', undefined, /^document: must be a mapping .* \(got "hello"\)$/],
    ['a list', '- a\n- b', undefined, /^document: must be a mapping .* \(got a list\)$/],
    ['only comments', '# nothing', undefined, /^document: must be a mapping .* \(got null\)$/],
  ];
  for (const [title, text, type, re] of cases) {
    it(title, () => {
      const got = errors(text, type);
      assert.equal(got.length, 1, got.join('\n'));
      assert.match(got[0]!, re);
    });
  }

  it('refuses a document larger than MAX_DOCUMENT_BYTES', () => {
    const big = JSON.stringify({ ...MINIMAL, description: 'x'.repeat(MAX_DOCUMENT_BYTES) });
    assert.match(errors(big)[0]!, /^document: is too large \(\d+ bytes; at most 262144\)$/);
    assert.match(errors(Buffer.from(big))[0]!, /^document: is too large/);
  });

  it('refuses bytes that are not UTF-8', () => {
    assert.deepEqual(errors(Buffer.from([0x6e, 0x61, 0xff, 0xfe])), [
      'document: not valid UTF-8 text',
    ]);
  });

  it('bounds YAML alias expansion (billion laughs)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(
        `${cur}: &${cur} [${Array(10)
          .fill('*' + prev)
          .join(', ')}]`,
      );
    }
    lines.push('name: x', 'nodes: *i');
    const got = errors(lines.join('\n'));
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^document: not valid YAML: .*alias/i);
  });

  it('allows a few aliases for reuse', () => {
    const yaml = [
      'name: two lines',
      'start: { next: a }',
      'x-common: &common',
      '  type: multi_party_call',
      'nodes:',
      '  - { type: multi_party_call, name: a, from: &agent "sip:agent@pbx.example.com", to: "{{start.to}}" }',
      '  - { type: multi_party_call, name: b, from: *agent, to: "{{start.to}}" }',
    ].join('\n');
    // x-common is an unknown field: the document is refused for that, not for the alias.
    assert.deepEqual(errors(yaml), [
      'x-common: unknown field (expected one of name, description, start, nodes)',
    ]);
    const doc = ok(yaml.replace('x-common: &common\n  type: multi_party_call\n', ''));
    assert.equal(doc.nodes[1]!.from, 'sip:agent@pbx.example.com');
  });

  it('never throws, even on a hostile value', () => {
    const hostile = {
      get name(): string {
        throw new Error('gotcha');
      },
    };
    const got = errors(hostile);
    assert.match(got[0]!, /^document: could not be read \(gotcha\)$/);
    assert.ok('errors' in parsePhloDocument(undefined));
    assert.ok('errors' in parsePhloDocument(42));
  });
});
