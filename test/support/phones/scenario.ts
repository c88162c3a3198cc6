/**
 * The phones' SIPp scenarios (scenarios/*.xml, one per behaviour) and how
 * a phone gets its own copy. Three kinds of blanks, each where SIPp needs it:
 *
 * - `{{name}}`: timings (a `<recv timeout>`, a CSeq number) that SIPp reads
 *   once when it loads the file, so they are written into the copy here;
 * - `[name]`: -key keywords (the RTP port, codec, user, events file), which
 *   SIPp fills in each message it sends;
 * - `[$name]`: -set globals (the Request-URI user to expect, whether to
 *   challenge), which SIPp compares at run time.
 *
 * `<!--@include parts/x.xml-->` pastes a shared piece (the INVITE with its
 * optional digest challenge, the SDP, CANCEL, BYE, a caller's re-INVITE), so
 * each behaviour reads top to bottom in one file without six copies of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PHONE_SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

const INCLUDE = /<!--@include ([\w./-]+)-->/g;
const BLANK = /\{\{(\w+)\}\}/g;
const MAX_DEPTH = 4;

function expand(path: string, depth: number): string {
  if (depth > MAX_DEPTH)
    throw new Error(`scenario includes nest deeper than ${MAX_DEPTH}: ${path}`);
  return readFileSync(join(PHONE_SCENARIOS, path), 'latin1').replace(INCLUDE, (_, part: string) =>
    expand(part, depth + 1).replace(/\n$/, ''),
  );
}

/** The scenario `name` (e.g. "answer.xml") with its includes pasted and every {{blank}} filled. */
export function renderScenario(name: string, values: Record<string, string | number>): string {
  return expand(name, 0).replace(BLANK, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`scenario ${name} needs a value for {{${key}}}`);
    return String(value);
  });
}

/** Renders `name` into `dir` and returns the path of the copy, for SipPeer's `scenario`. */
export function writeScenario(
  dir: string,
  name: string,
  values: Record<string, string | number>,
): string {
  const path = join(dir, name);
  writeFileSync(path, renderScenario(name, values), 'latin1');
  return path;
}
