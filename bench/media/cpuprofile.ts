/**
 * Summarises a V8 .cpuprofile (from --cpu-prof, or --profile of this
 * benchmark) by function: self time (samples in the function itself) and
 * total time (samples in it or anything it called, each sample counted once
 * per function even through recursion), as a share of the busy samples
 * (idle excluded). Run: `node --import tsx bench/media/cpuprofile.ts FILE [TOP]`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
}

export interface FunctionCost {
  /** `name file:line`. */
  fn: string;
  self_pct: number;
  total_pct: number;
}

const IDLE = '(idle)';

function key(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  return `${name} ${basename(url)}:${lineNumber + 1}`;
}

/** Per function, self and total shares of the busy samples, by total share descending. */
export function summariseProfile(profile: CpuProfile): FunctionCost[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const roots = profile.nodes.filter((n) => !childIds.has(n.id));
  const subtree = new Map<number, number>();
  // Subtree hit counts, children before parents (iterative: deep stacks must not overflow).
  const order: ProfileNode[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.children ?? []) {
      const child = byId.get(c);
      if (child) stack.push(child);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    let hits = n.hitCount ?? 0;
    for (const c of n.children ?? []) hits += subtree.get(c) ?? 0;
    subtree.set(n.id, hits);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const n of profile.nodes) {
    if (key(n) !== IDLE) busy += n.hitCount ?? 0;
  }
  // Total: add a node's subtree unless the same function is already on the path above it.
  const walk: { node: ProfileNode; onPath: Set<string> }[] = roots.map((node) => ({
    node,
    onPath: new Set<string>(),
  }));
  while (walk.length > 0) {
    const { node, onPath } = walk.pop()!;
    const k = key(node);
    self.set(k, (self.get(k) ?? 0) + (node.hitCount ?? 0));
    let path = onPath;
    if (!onPath.has(k)) {
      total.set(k, (total.get(k) ?? 0) + (subtree.get(node.id) ?? 0));
      path = new Set(onPath).add(k);
    }
    for (const c of node.children ?? []) {
      const child = byId.get(c);
      if (child) walk.push({ node: child, onPath: path });
    }
  }
  const pct = (v: number): number => (busy > 0 ? Math.round((1000 * v) / busy) / 10 : 0);
  return [...total.keys()]
    .filter((k) => k !== IDLE && k !== '(root)')
    .map((fn) => ({ fn, self_pct: pct(self.get(fn) ?? 0), total_pct: pct(total.get(fn) ?? 0) }))
    .sort((a, b) => b.total_pct - a.total_pct || b.self_pct - a.self_pct);
}

async function main(): Promise<void> {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error('usage: cpuprofile.ts FILE [TOP]');
    process.exitCode = 2;
    return;
  }
  const top = Number(topArg ?? 40);
  const rows = summariseProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
  console.log('by total (inclusive):');
  console.table(rows.slice(0, top));
  console.log('by self:');
  console.table([...rows].sort((a, b) => b.self_pct - a.self_pct).slice(0, top));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
