import { randomUUID } from 'node:crypto';
import type {
  IdentifiedNode,
  IdentifiedPhloDocument,
  MultiPartyCallNode,
  PhloDocument,
} from './types.js';

/** A fresh PHLO id: a UUID, as Plivo's are. */
export function newPhloId(): string {
  return randomUUID();
}

/** A fresh node id: a UUID, as Plivo's are. */
export function newNodeId(): string {
  return randomUUID();
}

/**
 * Gives every node its id. On create (`previous` absent) every node gets a
 * fresh UUID, and a node that carries an `id` is refused: ids are the
 * server's to assign. On replace (`previous` = the current version):
 * - a node carrying an `id` is that node of the current version (so a
 *   node can be renamed and keep its id); an id the current version does
 *   not have is refused;
 * - a node without an `id` keeps the id of the current version's node of
 *   the same name, if that id is not already taken by the rule above;
 * - any other node is new and gets a fresh UUID.
 * Node ids in API paths and live calls thus survive a replace. The
 * document given is not modified.
 */
export function assignIds(
  document: PhloDocument,
  previous?: PhloDocument,
): { document: IdentifiedPhloDocument } | { errors: string[] } {
  const errors: string[] = [];
  const previousIds = new Set<string>();
  const previousByName = new Map<string, string>();
  for (const node of previous?.nodes ?? []) {
    if (node.id === undefined) continue;
    previousIds.add(node.id.toLowerCase());
    previousByName.set(node.name, node.id.toLowerCase());
  }

  const taken = new Set<string>();
  document.nodes.forEach((node, i) => {
    if (node.id === undefined) return;
    const id = node.id.toLowerCase();
    if (!previous) {
      errors.push(
        `nodes[${i}].id: node ids are assigned by the server; remove 'id' when creating a PHLO`,
      );
    } else if (!previousIds.has(id)) {
      errors.push(
        `nodes[${i}].id: the current version of this PHLO has no node '${node.id}' (remove 'id' to add a new node)`,
      );
    } else if (taken.has(id)) {
      errors.push(`nodes[${i}].id: '${node.id}' is given to two nodes`);
    }
    taken.add(id);
  });
  if (errors.length > 0) return { errors };

  const nodes = document.nodes.map((node: MultiPartyCallNode): IdentifiedNode => {
    let id = node.id?.toLowerCase();
    if (id === undefined) {
      const kept = previousByName.get(node.name);
      id = kept !== undefined && !taken.has(kept) ? kept : newNodeId();
      taken.add(id);
    }
    // id first, as it is shown and stored.
    const { id: _given, ...rest } = node;
    return { id, ...rest };
  });
  return { document: { ...document, nodes } };
}
