/** The rest of the Multi-Party Call node (issue 9): ranges, defaults, errors with their paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALONE_TIMEOUT,
  DEFAULT_COLD_TRANSFER_FAILURE,
  DEFAULT_END_ON_EXIT,
  MAX_DURATION,
  assignIds,
  parsePhloDocument,
  readStoredDocument,
  type MultiPartyCallNode,
} from '../../src/phlo/index.js';

const BASE = {
  type: 'multi_party_call',
  name: 'support',
  from: '{{start.from}}',
  to: '{{start.to}}',
};

function node(fields: Record<string, unknown>): MultiPartyCallNode {
  const r = parsePhloDocument({ name: 'x', nodes: [{ ...BASE, ...fields }] });
  if ('errors' in r) assert.fail(r.errors.join('\n'));
  return r.document.nodes[0]!;
}

function errors(fields: Record<string, unknown>): string[] {
  const r = parsePhloDocument({ name: 'x', nodes: [{ ...BASE, ...fields }] });
  if ('document' in r) assert.fail('expected errors');
  return r.errors;
}

describe('MPC node fields: defaults', () => {
  it('fills max_duration, alone_timeout, end_on_exit, record, sounds and cold_transfer_failure', () => {
    const n = node({});
    assert.equal(n.max_duration, 14400);
    assert.equal(n.alone_timeout, 60);
    assert.deepEqual(n.end_on_exit, { agent: false, customer: false, supervisor: false });
    assert.equal(n.record, false);
    assert.equal(n.enter_sound, 'beep:1');
    assert.equal(n.exit_sound, 'beep:2');
    assert.deepEqual(n.cold_transfer_failure, { message: 'beep:2', then: 'end' });
    for (const optional of [
      'agents',
      'wait_music',
      'voicemail_message',
      'event_callback_url',
    ] as const) {
      assert.equal(optional in n, false, optional);
    }
  });

  it('exports the ranges and defaults it fills in, and they are not shared objects', () => {
    assert.deepEqual(MAX_DURATION, { min: 60, max: 86400, default: 14400 });
    assert.deepEqual(ALONE_TIMEOUT, { min: 0, max: 3600, default: 60 });
    const a = node({});
    a.end_on_exit.customer = true;
    a.cold_transfer_failure.then = 'continue';
    assert.deepEqual(node({}).end_on_exit, DEFAULT_END_ON_EXIT);
    assert.deepEqual(node({}).cold_transfer_failure, DEFAULT_COLD_TRANSFER_FAILURE);
    assert.equal(DEFAULT_END_ON_EXIT.customer, false);
  });

  it('fills the parts of end_on_exit and cold_transfer_failure not given', () => {
    assert.deepEqual(node({ end_on_exit: { customer: true } }).end_on_exit, {
      agent: false,
      customer: true,
      supervisor: false,
    });
    assert.deepEqual(node({ end_on_exit: {} }).end_on_exit, DEFAULT_END_ON_EXIT);
    assert.deepEqual(node({ cold_transfer_failure: { then: 'continue' } }).cold_transfer_failure, {
      message: 'beep:2',
      then: 'continue',
    });
    assert.deepEqual(node({ cold_transfer_failure: { message: 'none' } }).cold_transfer_failure, {
      message: 'none',
      then: 'end',
    });
  });
});

describe('MPC node fields: valid values', () => {
  it('reads every field', () => {
    const n = node({
      max_duration: 60,
      alone_timeout: 0,
      end_on_exit: { agent: true, customer: true, supervisor: false },
      record: true,
      wait_music: 'https://example.com/wait.wav',
      enter_sound: 'none',
      exit_sound: '/srv/audio/bye.wav',
      voicemail_message: 'file:///srv/audio/voicemail.wav',
      cold_transfer_failure: { message: 'tone:300:500', then: 'continue' },
      event_callback_url: 'https://hooks.example.com/partyline?x=1',
      agents: ['sip:alice@pbx.example.com', '+14155550111'],
    });
    assert.deepEqual(
      { ...n },
      {
        type: 'multi_party_call',
        name: 'support',
        from: '{{start.from}}',
        to: '{{start.to}}',
        agents: ['sip:alice@pbx.example.com', '+14155550111'],
        ring_timeout: 45,
        max_participants: 10,
        max_duration: 60,
        alone_timeout: 0,
        end_on_exit: { agent: true, customer: true, supervisor: false },
        record: true,
        wait_music: 'https://example.com/wait.wav',
        enter_sound: 'none',
        exit_sound: '/srv/audio/bye.wav',
        voicemail_message: 'file:///srv/audio/voicemail.wav',
        cold_transfer_failure: { message: 'tone:300:500', then: 'continue' },
        event_callback_url: 'https://hooks.example.com/partyline?x=1',
      },
    );
  });

  it('takes the ends of the ranges', () => {
    assert.equal(node({ max_duration: 86400 }).max_duration, 86400);
    assert.equal(node({ alone_timeout: 3600 }).alone_timeout, 3600);
  });

  it('stores the fields in a stable order (as shown back by the API)', () => {
    const n = node({ event_callback_url: 'http://127.0.0.1:9000/cb', wait_music: 'tone:500' });
    assert.deepEqual(Object.keys(n), [
      'type',
      'name',
      'from',
      'to',
      'ring_timeout',
      'max_participants',
      'max_duration',
      'alone_timeout',
      'end_on_exit',
      'record',
      'wait_music',
      'enter_sound',
      'exit_sound',
      'cold_transfer_failure',
      'event_callback_url',
    ]);
  });

  it('round-trips: a stored document parses to itself', () => {
    const r = parsePhloDocument({
      name: 'x',
      nodes: [
        {
          ...BASE,
          record: true,
          end_on_exit: { customer: true },
          agents: ['sip:{{start.to}}@pbx.example.com'],
          event_callback_url: 'https://hooks.example.com/{{start.to}}',
        },
      ],
    });
    assert.ok('document' in r, JSON.stringify(r));
    const again = parsePhloDocument(JSON.stringify(r.document), 'application/json');
    assert.deepEqual(again, r);
  });
});

describe('MPC node fields: errors name the path and the problem', () => {
  const cases: [string, Record<string, unknown>, string[] | RegExp][] = [
    [
      'max_duration too short',
      { max_duration: 59 },
      ['nodes[0].max_duration: must be an integer from 60 to 86400 (got 59)'],
    ],
    [
      'max_duration too long',
      { max_duration: 86401 },
      ['nodes[0].max_duration: must be an integer from 60 to 86400 (got 86401)'],
    ],
    [
      'max_duration a string',
      { max_duration: '4h' },
      ['nodes[0].max_duration: must be an integer from 60 to 86400 (got "4h")'],
    ],
    [
      'alone_timeout negative',
      { alone_timeout: -1 },
      ['nodes[0].alone_timeout: must be an integer from 0 to 3600 (got -1)'],
    ],
    [
      'alone_timeout not an integer',
      { alone_timeout: 1.5 },
      ['nodes[0].alone_timeout: must be an integer from 0 to 3600 (got 1.5)'],
    ],
    [
      'alone_timeout too long',
      { alone_timeout: 3601 },
      ['nodes[0].alone_timeout: must be an integer from 0 to 3600 (got 3601)'],
    ],
    [
      'record a string',
      { record: 'true' },
      ['nodes[0].record: must be true or false (got "true")'],
    ],
    ['record a number', { record: 1 }, ['nodes[0].record: must be true or false (got 1)']],
    ['record null', { record: null }, ['nodes[0].record: must be true or false (got null)']],
    [
      'end_on_exit a boolean',
      { end_on_exit: true },
      [
        'nodes[0].end_on_exit: must be a mapping of roles to true or false, e.g. {customer: true} (got true)',
      ],
    ],
    [
      'end_on_exit a list',
      { end_on_exit: ['customer'] },
      /^nodes\[0\]\.end_on_exit: must be a mapping of roles .* \(got a list\)$/,
    ],
    [
      'end_on_exit unknown role',
      { end_on_exit: { admin: true } },
      ['nodes[0].end_on_exit.admin: unknown field (expected one of agent, customer, supervisor)'],
    ],
    [
      'end_on_exit role not a boolean',
      { end_on_exit: { customer: 'yes' } },
      ['nodes[0].end_on_exit.customer: must be true or false (got "yes")'],
    ],
    [
      'wait_music not a source',
      { wait_music: 'jazz' },
      /^nodes\[0\]\.wait_music: "jazz" is not an audio source \(expected beep:1/,
    ],
    [
      'enter_sound beep:3',
      { enter_sound: 'beep:3' },
      ['nodes[0].enter_sound: unknown built-in "beep:3" (beep:1 or beep:2)'],
    ],
    [
      'exit_sound relative file',
      { exit_sound: 'bye.wav' },
      /^nodes\[0\]\.exit_sound: "bye\.wav": a local file must be given by its absolute path/,
    ],
    ['exit_sound empty', { exit_sound: '' }, /^nodes\[0\]\.exit_sound: is empty \(expected beep:1/],
    [
      'enter_sound false (meaning none)',
      { enter_sound: false },
      /^nodes\[0\]\.enter_sound: must be an audio source .*got false$/,
    ],
    [
      'voicemail_message ftp',
      { voicemail_message: 'ftp://example.com/vm.wav' },
      [
        'nodes[0].voicemail_message: "ftp://example.com/vm.wav": only http(s) and file URLs are supported',
      ],
    ],
    [
      'voicemail_message templated',
      { voicemail_message: '{{start.vm}}' },
      [
        'nodes[0].voicemail_message: templates are not allowed in audio sources (only in from, to, agents, caller_id and event_callback_url)',
      ],
    ],
    [
      'cold_transfer_failure a string',
      { cold_transfer_failure: 'end' },
      [
        'nodes[0].cold_transfer_failure: must be a mapping with message and then, e.g. {message: beep:2, then: end} (got "end")',
      ],
    ],
    [
      'cold_transfer_failure unknown field',
      { cold_transfer_failure: { retry: 2 } },
      ['nodes[0].cold_transfer_failure.retry: unknown field (expected one of message, then)'],
    ],
    [
      'cold_transfer_failure.then unknown',
      { cold_transfer_failure: { then: 'retry' } },
      ["nodes[0].cold_transfer_failure.then: must be 'end' or 'continue' (got \"retry\")"],
    ],
    [
      'cold_transfer_failure.message not a source',
      { cold_transfer_failure: { message: 'sorry' } },
      /^nodes\[0\]\.cold_transfer_failure\.message: "sorry" is not an audio source/,
    ],
    [
      'event_callback_url not a URL',
      { event_callback_url: 'hooks.example.com/cb' },
      [
        'nodes[0].event_callback_url: "hooks.example.com/cb" is not an http(s) URL (e.g. https://hooks.example.com/partyline)',
      ],
    ],
    [
      'event_callback_url with credentials',
      { event_callback_url: 'https://user:secret@hooks.example.com/cb' },
      [
        "nodes[0].event_callback_url: must not carry credentials (user:password@): callbacks are signed with the account's auth token instead",
      ],
    ],
    [
      'event_callback_url ftp',
      { event_callback_url: 'ftp://hooks.example.com/cb' },
      ['nodes[0].event_callback_url: "ftp:": only http and https URLs are supported'],
    ],
    [
      'event_callback_url too long',
      { event_callback_url: 'https://hooks.example.com/' + 'a'.repeat(2048) },
      ['nodes[0].event_callback_url: is too long (at most 2048 characters)'],
    ],
    [
      'event_callback_url a number',
      { event_callback_url: 42 },
      [
        'nodes[0].event_callback_url: must be an http(s) URL (e.g. https://hooks.example.com/partyline); got 42',
      ],
    ],
    [
      'event_callback_url bad placeholder',
      { event_callback_url: 'https://hooks.example.com/{{call.id}}' },
      [
        "nodes[0].event_callback_url: unknown placeholder '{{call.id}}' (only {{start.<key>}} is supported, e.g. {{start.from}})",
      ],
    ],
    [
      'event_callback_url template with credentials in its literal start',
      { event_callback_url: 'https://user:pw@{{start.host}}/cb' },
      [
        "nodes[0].event_callback_url: must not carry credentials (user:password@): callbacks are signed with the account's auth token instead",
      ],
    ],
    [
      'event_callback_url template of another scheme',
      { event_callback_url: 'ftp://{{start.host}}/cb' },
      [
        'nodes[0].event_callback_url: must start with http:// or https:// (or be a placeholder giving the whole URL); got "ftp://{{start.host}}/cb"',
      ],
    ],
    [
      'event_callback_url template with a space',
      { event_callback_url: 'https://hooks.example.com/a b/{{start.x}}' },
      ['nodes[0].event_callback_url: contains spaces (percent-encode them, e.g. %20)'],
    ],
    [
      'agents not a list',
      { agents: 'sip:alice@pbx.example.com' },
      [
        'nodes[0].agents: must be a list of addresses (got "sip:alice@pbx.example.com") (one agent is still a list: [sip:alice@pbx.example.com])',
      ],
    ],
    ['agents empty', { agents: [] }, ['nodes[0].agents: must hold at least one agent']],
    [
      'an agent not an address',
      { agents: ['+14155550111', 'alice'] },
      ["nodes[0].agents[1]: 'alice' is neither a phone number nor a SIP address (sip:user@host)"],
    ],
    [
      'an agent unquoted in YAML',
      { agents: [14155550111] },
      [
        'nodes[0].agents[0]: must be a string (got the number 14155550111; quote it in YAML, e.g. "+14155550111")',
      ],
    ],
    [
      'an agent listed twice',
      { agents: ['+14155550111', '1 415 555 0111'] },
      ['nodes[0].agents[1]: is the same address as nodes[0].agents[0]'],
    ],
    [
      'a template listed twice',
      { agents: ['{{start.a}}', '{{start.a}}'] },
      ['nodes[0].agents[1]: is the same address as nodes[0].agents[0]'],
    ],
    [
      'more agents than seats',
      { max_participants: 3, agents: ['+14155550111', '+14155550112', '+14155550113'] },
      ['nodes[0].agents: lists 3 agents; with the caller that is more than max_participants (3)'],
    ],
    [
      'too many agents',
      { agents: Array.from({ length: 51 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`) },
      ['nodes[0].agents: holds 51 agents; at most 50'],
    ],
  ];
  for (const [title, fields, expected] of cases) {
    it(title, () => {
      const got = errors(fields);
      if (expected instanceof RegExp) {
        assert.equal(got.length, 1, got.join('\n'));
        assert.match(got[0]!, expected);
      } else assert.deepEqual(got, expected);
    });
  }

  it('a templated event_callback_url is accepted as far as it can be judged', () => {
    for (const url of [
      '{{start.callback}}',
      'https://{{start.host}}/cb',
      'https://hooks.example.com:{{start.port}}/cb',
      'https://hooks.example.com/calls/{{start.ticket}}?to={{ start.to }}',
    ]) {
      assert.equal(node({ event_callback_url: url }).event_callback_url, url);
    }
  });

  it('accepts loopback and http callback URLs (tests and local receivers)', () => {
    for (const url of [
      'http://127.0.0.1:9000/cb',
      'http://[::1]:9000/cb',
      'HTTPS://Hooks.example.com',
    ]) {
      assert.equal(node({ event_callback_url: url }).event_callback_url, url);
    }
  });
});

describe('from and to', () => {
  it('are still required when the PHLO is run through the API', () => {
    const r = parsePhloDocument({ name: 'x', nodes: [{ type: 'multi_party_call', name: 'a' }] });
    assert.deepEqual(r, {
      errors: [
        'nodes[0].from: required (an address, or a template such as {{start.from}})',
        'nodes[0].to: required (an address, or a template such as {{start.from}})',
      ],
    });
  });
});

describe('readStoredDocument', () => {
  it('fills in the defaults of fields a document stored by an older version lacks', () => {
    const stored = JSON.stringify({
      name: 'Support line',
      start: { triggers: ['api'], next: 'support' },
      nodes: [
        {
          id: '11111111-1111-4111-8111-111111111111',
          ...BASE,
          ring_timeout: 45,
          max_participants: 10,
        },
      ],
    });
    const r = readStoredDocument(stored);
    assert.ok('document' in r, JSON.stringify(r));
    const n = r.document.nodes[0]!;
    assert.equal(n.id, '11111111-1111-4111-8111-111111111111');
    assert.equal(n.max_duration, 14400);
    assert.equal(n.enter_sound, 'beep:1');
    assert.deepEqual(n.end_on_exit, DEFAULT_END_ON_EXIT);
  });

  it('reads back what assignIds produced, unchanged', () => {
    const parsed = parsePhloDocument({ name: 'x', nodes: [{ ...BASE, record: true }] });
    assert.ok('document' in parsed);
    const ids = assignIds(parsed.document);
    assert.ok('document' in ids);
    assert.deepEqual(readStoredDocument(JSON.stringify(ids.document)), ids);
  });

  it('refuses a stored node without an id, and what does not parse', () => {
    const parsed = parsePhloDocument({ name: 'x', nodes: [BASE] });
    assert.ok('document' in parsed);
    assert.deepEqual(readStoredDocument(JSON.stringify(parsed.document)), {
      errors: ['nodes[0].id: a stored node has no id'],
    });
    const bad = readStoredDocument('{');
    assert.ok('errors' in bad);
    assert.match(bad.errors[0]!, /^document: not valid JSON/);
  });
});
