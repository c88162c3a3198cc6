/**
 * Copies of strings that must outlive the message they were read from.
 *
 * The parser decodes a message once and reads every header out of that one
 * string, so in V8 a header value is a *sliced* string (a view of the whole
 * message text) and a key built from several values is a *rope* (a
 * ConsString) over such views. Either keeps the whole received message alive
 * for as long as it is referenced. That is what we want for a message being
 * handled, and not for the few strings a transaction keeps for 64·T1 after
 * its call ended: at thousands of calls per second those message texts were
 * a third of the heap.
 */

/** V8 makes substrings shorter than this by copying (SlicedString::kMinLength). */
const MIN_SLICE_LENGTH = 13;

/**
 * Where flatten() stores its conversion: a store to module state is an
 * effect the optimising compiler must keep, so the conversion (and the
 * flattening it does) cannot be dropped as dead code — which it was, in
 * optimised code, while its result was only compared.
 */
let _conversionSink = 0;

/**
 * Returns `s` flattened: a rope is rewritten in place into one new
 * sequential string, so it no longer references the strings it was built
 * from. Converting a string to a number flattens it first; the `flatstr`
 * package (used by pino) relies on the same behaviour.
 */
export function flatten(s: string): string {
  _conversionSink = Number(s);
  return s;
}

/** Returns a copy of `s` that references no other string (see the module comment). */
export function detach(s: string): string {
  if (s.length < MIN_SLICE_LENGTH) return s;
  // ' ' + s is a rope; flattening it copies s; the final slice is a view of
  // that copy only (one character longer than s).
  return flatten(' ' + s).slice(1);
}
