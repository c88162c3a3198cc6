import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeAddress } from '../../src/address/index.js';
import {
  parsePhloDocument,
  parseTemplate,
  renderFirstLegs,
  renderTemplate,
  templateKeys,
  type MultiPartyCallNode,
} from '../../src/phlo/index.js';

describe('parseTemplate', () => {
  const cases: [string, unknown][] = [
    ['{{start.from}}', [{ key: 'from' }]],
    ['{{ start.from }}', [{ key: 'from' }]],
    ['+1415', [{ literal: '+1415' }]],
    ['', []],
    [
      'sip:{{start.agent}}@pbx.example.com',
      [{ literal: 'sip:' }, { key: 'agent' }, { literal: '@pbx.example.com' }],
    ],
    ['{{start.a}}{{start.b-c_1}}', [{ key: 'a' }, { key: 'b-c_1' }]],
    ['a{b}c', [{ literal: 'a{b}c' }]],
  ];
  for (const [text, parts] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(parseTemplate(text), { parts }));
  }
  const bad: [string, RegExp][] = [
    ['{{start}}', /unknown placeholder '\{\{start\}\}'/],
    ['{{start.}}', /unknown placeholder/],
    ['{{from}}', /unknown placeholder '\{\{from\}\}'/],
    ['{{start.from.x}}', /unknown placeholder/],
    ['{{start["from"]}}', /unknown placeholder/],
    ['{{constructor.constructor("return 1")()}}', /unknown placeholder/],
    ['{{start.from}', /'\{\{' without a closing '\}\}'/],
    ['}}{{start.from}}', /'\}\}' without an opening '\{\{'/],
    ['{{}}', /unknown placeholder '\{\{\}\}'/],
  ];
  for (const [text, re] of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const r = parseTemplate(text);
      assert.ok('error' in r);
      assert.match(r.error, re);
    });
  }
  it('templateKeys lists the payload keys read', () => {
    assert.deepEqual(templateKeys('{{start.a}}-{{start.b}}'), ['a', 'b']);
    assert.deepEqual(templateKeys('{{oops'), []);
  });
});

describe('renderTemplate', () => {
  const payload = {
    from: '+14155550100',
    to: 'sip:bob@example.com',
    n: 14155550100,
    agent: '1001',
  };
  const cases: [string, string][] = [
    ['{{start.from}}', '+14155550100'],
    ['{{ start.to }}', 'sip:bob@example.com'],
    ['sip:{{start.agent}}@pbx.example.com', 'sip:1001@pbx.example.com'],
    ['{{start.n}}', '14155550100'],
    ['literal', 'literal'],
  ];
  for (const [template, value] of cases) {
    it(`${template} → ${value}`, () => {
      assert.deepEqual(renderTemplate(template, { start: payload }), { value });
    });
  }
  it('names the missing key and what needs it', () => {
    assert.deepEqual(renderTemplate('{{start.from}}', { start: {} }, 'nodes[0].from'), {
      error: "run payload has no 'from' (needed by nodes[0].from)",
    });
    assert.deepEqual(renderTemplate('{{start.from}}', { start: {} }), {
      error: "run payload has no 'from'",
    });
  });
  it('treats null like missing', () => {
    assert.deepEqual(renderTemplate('{{start.from}}', { start: { from: null } }, 'p'), {
      error: "run payload has no 'from' (needed by p)",
    });
  });
  it('does not read inherited properties', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const r = renderTemplate(`{{start.${key}}}`, { start: {} });
      assert.deepEqual(r, { error: `run payload has no '${key}'` });
    }
  });
  const wrongType: [unknown, string][] = [
    [{ a: 1 }, 'a mapping'],
    [['x'], 'a list'],
    [true, 'true'],
    [1.5, '1.5'],
    [-1, '-1'],
    [2 ** 60, String(2 ** 60)],
  ];
  for (const [value, shown] of wrongType) {
    it(`refuses a payload value ${shown}`, () => {
      assert.deepEqual(
        renderTemplate('{{start.from}}', { start: { from: value } }, 'nodes[0].from'),
        {
          error: `run payload 'from' must be a string (got ${shown}) (needed by nodes[0].from)`,
        },
      );
    });
  }
  it('reports a malformed template instead of throwing', () => {
    assert.deepEqual(renderTemplate('{{x}}', { start: {} }, 'f'), {
      error:
        "f: unknown placeholder '{{x}}' (only {{start.<key>}} is supported, e.g. {{start.from}})",
    });
  });
});

function node(fields: Partial<MultiPartyCallNode> = {}): MultiPartyCallNode {
  const r = parsePhloDocument({
    name: 'x',
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

describe('renderFirstLegs', () => {
  it('renders and normalises from, to and caller_id', () => {
    assert.deepEqual(
      renderFirstLegs(node({ caller_id: '{{start.cid}}' }), {
        from: '+1 (415) 555-0100',
        to: 'Bob@Example.com;transport=TCP',
        cid: '+14155550000',
      }),
      { from: '+14155550100', to: 'sip:Bob@example.com;transport=tcp', callerId: '+14155550000' },
    );
  });
  it('callerId is null when the node has none', () => {
    const legs = renderFirstLegs(node(), { from: '1111111111', to: '2222222222' });
    assert.deepEqual(legs, { from: '1111111111', to: '2222222222', callerId: null });
  });
  it('literal parts around a placeholder', () => {
    const legs = renderFirstLegs(node({ from: 'sip:{{start.agent}}@PBX.example.com:5070' }), {
      agent: '1001',
      to: '+14155550199',
    });
    assert.ok('from' in legs);
    assert.equal(legs.from, 'sip:1001@pbx.example.com:5070');
  });
  it('the rendered strings normalise back to themselves', () => {
    const legs = renderFirstLegs(node(), {
      from: 'sip:a@example.com;transport=tcp',
      to: '+14155550199',
    });
    assert.ok('from' in legs);
    for (const s of [legs.from, legs.to]) {
      const n = normalizeAddress(s);
      assert.ok(!('error' in n));
      assert.equal(n.dial, s);
    }
  });
  it('reports every missing key, naming the node path', () => {
    assert.deepEqual(renderFirstLegs(node({ caller_id: '{{start.cid}}' }), {}, 'nodes[0]'), {
      errors: [
        "run payload has no 'from' (needed by nodes[0].from)",
        "run payload has no 'to' (needed by nodes[0].to)",
        "run payload has no 'cid' (needed by nodes[0].caller_id)",
      ],
    });
  });
  it('defaults the node path to its name', () => {
    assert.deepEqual(renderFirstLegs(node(), { to: '+14155550199' }), {
      errors: ["run payload has no 'from' (needed by nodes['support'].from)"],
    });
  });
  it('names the payload key when its value is not an address', () => {
    assert.deepEqual(renderFirstLegs(node(), { from: 'abc', to: '+1' }, 'nodes[0]'), {
      errors: [
        "run payload 'from' (for nodes[0].from): 'abc' is neither a phone number nor a SIP address (sip:user@host)",
        "run payload 'to' (for nodes[0].to): '+1' is not a valid phone number: it has 1 digit; a number has 3 to 15 (E.164)",
      ],
    });
  });
  it('refuses from and to that are the same member', () => {
    assert.deepEqual(
      renderFirstLegs(node(), { from: '+14155550100', to: '14155550100' }, 'nodes[0]'),
      {
        errors: [
          'nodes[0].to: 14155550100 is the same address as nodes[0].from; a call needs two different members',
        ],
      },
    );
  });
  it('a payload that is not an object counts as empty', () => {
    for (const p of [null, 'x', ['a']]) {
      const r = renderFirstLegs(node(), p as unknown as Record<string, unknown>, 'n');
      assert.ok('errors' in r);
      assert.equal(r.errors[0], "run payload has no 'from' (needed by n.from)");
    }
  });
});
