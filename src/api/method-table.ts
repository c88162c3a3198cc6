/**
 * Which methods each registered path accepts, so that a known path asked
 * with another method answers 405 with an Allow header (RFC 9110 §15.5.6)
 * instead of Fastify's 404.
 */

interface Entry {
  pattern: RegExp;
  methods: Set<string>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/v1/phlo/:phlo_id` → /^\/v1\/phlo\/[^/]+\/?$/ (trailing slash optional, as routed). */
function compile(url: string): RegExp {
  const segments = url.replace(/\/+$/, '').split('/');
  const body = segments
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.includes(':')) return '[^/]+';
      if (seg.endsWith('*')) return `${escapeRegExp(seg.slice(0, -1))}.*`;
      return escapeRegExp(seg);
    })
    .join('/');
  return new RegExp(`^${body}/?$`);
}

export class MethodTable {
  private readonly entries = new Map<string, Entry>();

  add(url: string, methods: string | readonly string[]): void {
    const key = url.replace(/\/+$/, '') || '/';
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { pattern: compile(url), methods: new Set() };
      this.entries.set(key, entry);
    }
    for (const m of typeof methods === 'string' ? [methods] : methods) {
      entry.methods.add(m.toUpperCase());
      if (m.toUpperCase() === 'GET') entry.methods.add('HEAD');
    }
  }

  /** The methods some route accepts at this path (query stripped), or undefined if none matches. */
  allowed(path: string): string[] | undefined {
    const found = new Set<string>();
    for (const entry of this.entries.values()) {
      if (entry.pattern.test(path)) for (const m of entry.methods) found.add(m);
    }
    return found.size > 0 ? [...found].sort() : undefined;
  }
}
