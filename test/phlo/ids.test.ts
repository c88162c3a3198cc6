import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assignIds,
  findNode,
  newNodeId,
  newPhloId,
  nodePath,
  parsePhloDocument,
  startNode,
  type IdentifiedPhloDocument,
  type PhloDocument,
} from '../../src/phlo/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function doc(nodes: Array<{ name: string; id?: string }>, next?: string): PhloDocument {
  const r = parsePhloDocument({
    name: 'x',
    start: { next: next ?? nodes[0]!.name },
    nodes: nodes.map((n) => ({
      ...n,
      type: 'multi_party_call',
      from: '{{start.from}}',
      to: '{{start.to}}',
    })),
  });
  if ('errors' in r) assert.fail(r.errors.join('\n'));
  return r.document;
}

function assigned(document: PhloDocument, previous?: PhloDocument): IdentifiedPhloDocument {
  const r = assignIds(document, previous);
  if ('errors' in r) assert.fail(r.errors.join('\n'));
  return r.document;
}

describe('ids', () => {
  it('newPhloId and newNodeId are v4 UUIDs', () => {
    assert.match(newPhloId(), UUID);
    assert.match(newNodeId(), UUID);
    assert.notEqual(newPhloId(), newPhloId());
  });

  it('assignIds on create gives every node a fresh UUID, id first, input untouched', () => {
    const d = doc([{ name: 'a' }, { name: 'b' }]);
    const before = JSON.stringify(d);
    const out = assigned(d);
    assert.equal(JSON.stringify(d), before);
    assert.match(out.nodes[0]!.id, UUID);
    assert.match(out.nodes[1]!.id, UUID);
    assert.notEqual(out.nodes[0]!.id, out.nodes[1]!.id);
    assert.equal(Object.keys(out.nodes[0]!)[0], 'id');
    assert.deepEqual({ ...out.nodes[0], id: undefined }, { ...d.nodes[0], id: undefined });
  });

  it('refuses ids on create', () => {
    const d = doc([{ name: 'a', id: '11111111-1111-4111-8111-111111111111' }]);
    assert.deepEqual(assignIds(d), {
      errors: [
        "nodes[0].id: node ids are assigned by the server; remove 'id' when creating a PHLO",
      ],
    });
  });

  it('on replace keeps ids by name, and gives new nodes new ids', () => {
    const v1 = assigned(doc([{ name: 'a' }, { name: 'b' }]));
    const v2 = assigned(doc([{ name: 'b' }, { name: 'c' }, { name: 'a' }]), v1);
    assert.equal(v2.nodes[0]!.id, v1.nodes[1]!.id);
    assert.equal(v2.nodes[2]!.id, v1.nodes[0]!.id);
    assert.ok(![v1.nodes[0]!.id, v1.nodes[1]!.id].includes(v2.nodes[1]!.id));
  });

  it('on replace an id given renames that node', () => {
    const v1 = assigned(doc([{ name: 'a' }, { name: 'b' }]));
    const v2 = assigned(doc([{ name: 'renamed', id: v1.nodes[0]!.id.toUpperCase() }]), v1);
    assert.equal(v2.nodes[0]!.id, v1.nodes[0]!.id);
    assert.equal(v2.nodes[0]!.name, 'renamed');
  });

  it('an id claimed explicitly is not also given by name', () => {
    const v1 = assigned(doc([{ name: 'a' }, { name: 'b' }]));
    // 'b' takes a's id; the new node named 'a' must not get the same id.
    const v2 = assigned(doc([{ name: 'b', id: v1.nodes[0]!.id }, { name: 'a' }]), v1);
    assert.equal(v2.nodes[0]!.id, v1.nodes[0]!.id);
    assert.notEqual(v2.nodes[1]!.id, v1.nodes[0]!.id);
    assert.notEqual(v2.nodes[1]!.id, v1.nodes[1]!.id);
  });

  it('a stored document sent back unchanged keeps all its ids', () => {
    const v1 = assigned(doc([{ name: 'a' }, { name: 'b' }]));
    const again = parsePhloDocument(JSON.stringify(v1), 'application/json');
    assert.ok('document' in again);
    assert.deepEqual(assigned(again.document, v1), v1);
  });

  it('refuses an id the current version does not have', () => {
    const v1 = assigned(doc([{ name: 'a' }]));
    const id = '22222222-2222-4222-8222-222222222222';
    assert.deepEqual(assignIds(doc([{ name: 'a', id }]), v1), {
      errors: [
        `nodes[0].id: the current version of this PHLO has no node '${id}' (remove 'id' to add a new node)`,
      ],
    });
  });
});

describe('findNode, startNode, nodePath', () => {
  const d = assigned(doc([{ name: 'a' }, { name: 'b' }], 'b'));
  it('findNode by id, case-insensitively', () => {
    assert.equal(findNode(d, d.nodes[1]!.id), d.nodes[1]);
    assert.equal(findNode(d, d.nodes[1]!.id.toUpperCase()), d.nodes[1]);
    assert.equal(findNode(d, newNodeId()), undefined);
    assert.equal(findNode(d, ''), undefined);
    assert.equal(findNode(d, undefined as unknown as string), undefined);
  });
  it('findNode finds nothing in a document without ids', () => {
    const plain = doc([{ name: 'a' }]);
    assert.equal(findNode(plain, 'a'), undefined);
  });
  it('startNode is the node start.next names', () => {
    assert.equal(startNode(d), d.nodes[1]);
    const single = doc([{ name: 'only' }]);
    assert.equal(startNode(single).name, 'only');
  });
  it('nodePath', () => {
    assert.equal(nodePath(d, d.nodes[1]!), 'nodes[1]');
    assert.equal(nodePath(d, { ...d.nodes[1]! }), 'nodes["b"]');
  });
});
