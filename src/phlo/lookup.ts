import type { PhloDocument } from './types.js';

/** The node with id `nodeId` (UUIDs compare case-insensitively), or undefined. */
export function findNode<D extends PhloDocument>(
  document: D,
  nodeId: string,
): D['nodes'][number] | undefined {
  if (typeof nodeId !== 'string') return undefined;
  const wanted = nodeId.toLowerCase();
  return document.nodes.find((n) => n.id !== undefined && n.id.toLowerCase() === wanted);
}

/** The node a run starts: the one `start.next` names (a validated document always has it). */
export function startNode<D extends PhloDocument>(document: D): D['nodes'][number] {
  return document.nodes.find((n) => n.name === document.start.next) ?? document.nodes[0]!;
}

/** `nodes[i]`, the path of a node in error messages. */
export function nodePath(document: PhloDocument, node: PhloDocument['nodes'][number]): string {
  const i = document.nodes.indexOf(node);
  return i >= 0 ? `nodes[${i}]` : `nodes[${JSON.stringify(node.name)}]`;
}
