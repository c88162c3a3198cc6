import { isAddressError, matchKey, normalizeAddress } from '../address/index.js';
import { checkAudioSpec } from './audio-spec.js';
import { CONTROL_CHARS, describeValue, listNames } from './describe.js';
import { parseTemplate } from './template.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NODES,
  MAX_PARTICIPANTS,
  RING_TIMEOUT,
  type MultiPartyCallNode,
  type PhloDocument,
  type StartTrigger,
} from './types.js';

/** More than this many problems at once helps nobody; the first ones are reported. */
const MAX_ERRORS = 50;

const TOP_FIELDS = ['name', 'description', 'start', 'nodes'];
const START_FIELDS = ['triggers', 'next'];
const NODE_FIELDS = [
  'id',
  'type',
  'name',
  'from',
  'to',
  'caller_id',
  'ring_timeout',
  'max_participants',
  'agent_hold_music',
  'customer_hold_music',
];
/** In the design (DESIGN.md §2) but not in this version: refused rather than ignored. */
const NOT_YET_NODE_FIELDS = new Set([
  'max_duration',
  'wait_music',
  'enter_sound',
  'exit_sound',
  'record',
  'voicemail_message',
  'event_callback_url',
  'end_on_exit',
]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.raw(`${path}: ${message}`);
  }
  /** A message that already names its field (from the address layer). */
  raw(message: string): void {
    if (this.list.length < MAX_ERRORS) this.list.push(message);
  }
}

function checkFields(
  value: Mapping,
  path: string,
  known: readonly string[],
  problems: Problems,
  notYet: ReadonlySet<string> = new Set(),
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const at = path ? `${path}.${key}` : key;
    if (notYet.has(key)) problems.add(at, 'not supported yet');
    else problems.add(at, `unknown field (expected one of ${known.join(', ')})`);
  }
}

function text(
  value: unknown,
  path: string,
  max: number,
  problems: Problems,
  required: boolean,
  multiline = false,
): string | undefined {
  if (value === undefined) {
    if (required) problems.add(path, 'required');
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(path, `must be a string (got ${describeValue(value)})`);
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed === '') problems.add(path, 'must not be empty');
  else if (trimmed.length > max) problems.add(path, `is too long (at most ${max} characters)`);
  else if (CONTROL_CHARS.test(multiline ? trimmed.replace(/[\r\n\t]/g, ' ') : trimmed)) {
    problems.add(path, 'must not contain control characters');
  } else return trimmed;
  return undefined;
}

function integer(
  value: unknown,
  path: string,
  range: { min: number; max: number; default: number },
  problems: Problems,
): number {
  if (value === undefined) return range.default;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < range.min ||
    value > range.max
  ) {
    problems.add(
      path,
      `must be an integer from ${range.min} to ${range.max} (got ${describeValue(value)})`,
    );
    return range.default;
  }
  return value;
}

/**
 * A `from`/`to`/`caller_id` value: an address, or a template producing one.
 * Literal addresses are checked now; templated ones when a run renders them.
 */
function addressTemplate(
  value: unknown,
  path: string,
  problems: Problems,
  required: boolean,
): string | undefined {
  if (value === undefined) {
    if (required) problems.add(path, 'required (an address, or a template such as {{start.from}})');
    return undefined;
  }
  if (typeof value === 'number') {
    // YAML reads `from: +14155550100` as the number 14155550100, dropping the '+'.
    problems.add(
      path,
      `must be a string (got the number ${value}; quote it in YAML, e.g. "+${value}")`,
    );
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(path, `must be a string (got ${describeValue(value)})`);
    return undefined;
  }
  if (value.length > 512) {
    problems.add(path, 'is too long (at most 512 characters)');
    return undefined;
  }
  const parsed = parseTemplate(value);
  if ('error' in parsed) {
    problems.add(path, parsed.error);
    return undefined;
  }
  if (parsed.parts.every((p) => 'literal' in p)) {
    const address = normalizeAddress(value, path);
    if (isAddressError(address)) {
      problems.raw(address.error);
      return undefined;
    }
  }
  return value;
}

function audio(value: unknown, path: string, problems: Problems): string | undefined {
  if (value === undefined) return undefined;
  const problem = checkAudioSpec(value);
  if (problem) {
    problems.add(path, problem);
    return undefined;
  }
  return value as string;
}

function parseStart(
  value: unknown,
  problems: Problems,
): { triggers: StartTrigger[]; next?: string } {
  const start: { triggers: StartTrigger[]; next?: string } = { triggers: ['api'] };
  if (value === undefined) return start;
  if (!isMapping(value)) {
    problems.add('start', `must be a mapping with triggers and next (got ${describeValue(value)})`);
    return start;
  }
  checkFields(value, 'start', START_FIELDS, problems);
  if (value.triggers !== undefined) {
    if (!Array.isArray(value.triggers) || value.triggers.length === 0) {
      problems.add(
        'start.triggers',
        `must be a non-empty list, e.g. [api] (got ${describeValue(value.triggers)})`,
      );
    } else {
      const seen = new Set<unknown>();
      value.triggers.forEach((t: unknown, i) => {
        const at = `start.triggers[${i}]`;
        if (seen.has(t)) problems.add(at, `${describeValue(t)} is listed twice`);
        seen.add(t);
        if (t === 'api') return;
        if (t === 'incoming') problems.add(at, "'incoming' is not supported yet (only 'api')");
        else problems.add(at, `unknown trigger ${describeValue(t)} (expected 'api')`);
      });
    }
  }
  const next = text(value.next, 'start.next', MAX_NAME_LENGTH, problems, false);
  if (next !== undefined) start.next = next;
  return start;
}

function parseNode(
  value: unknown,
  path: string,
  problems: Problems,
): MultiPartyCallNode | undefined {
  if (!isMapping(value)) {
    problems.add(
      path,
      `must be a mapping (a node with type, name, from, to…); got ${describeValue(value)}`,
    );
    return undefined;
  }
  if (value.type === undefined) {
    problems.add(`${path}.type`, 'required (multi_party_call)');
    return undefined;
  }
  if (value.type !== 'multi_party_call') {
    problems.add(
      `${path}.type`,
      `${describeValue(value.type)} is not supported (only multi_party_call)`,
    );
    return undefined;
  }
  checkFields(value, path, NODE_FIELDS, problems, NOT_YET_NODE_FIELDS);

  let id: string | undefined;
  if (value.id !== undefined) {
    if (typeof value.id === 'string' && UUID.test(value.id)) id = value.id.toLowerCase();
    else problems.add(`${path}.id`, `must be a node id (a UUID) (got ${describeValue(value.id)})`);
  }
  const name = text(value.name, `${path}.name`, MAX_NAME_LENGTH, problems, true);
  const from = addressTemplate(value.from, `${path}.from`, problems, true);
  const to = addressTemplate(value.to, `${path}.to`, problems, true);
  const callerId = addressTemplate(value.caller_id, `${path}.caller_id`, problems, false);
  const ringTimeout = integer(value.ring_timeout, `${path}.ring_timeout`, RING_TIMEOUT, problems);
  const maxParticipants = integer(
    value.max_participants,
    `${path}.max_participants`,
    MAX_PARTICIPANTS,
    problems,
  );
  const agentHold = audio(value.agent_hold_music, `${path}.agent_hold_music`, problems);
  const customerHold = audio(value.customer_hold_music, `${path}.customer_hold_music`, problems);

  if (from !== undefined && to !== undefined && sameLiteralAddress(from, to)) {
    problems.add(`${path}.to`, `is the same address as ${path}.from`);
  }
  if (name === undefined || from === undefined || to === undefined) return undefined;
  const node: MultiPartyCallNode = {
    ...(id !== undefined ? { id } : {}),
    type: 'multi_party_call',
    name,
    from,
    to,
    ...(callerId !== undefined ? { caller_id: callerId } : {}),
    ring_timeout: ringTimeout,
    max_participants: maxParticipants,
    ...(agentHold !== undefined ? { agent_hold_music: agentHold } : {}),
    ...(customerHold !== undefined ? { customer_hold_music: customerHold } : {}),
  };
  return node;
}

function sameLiteralAddress(a: string, b: string): boolean {
  const na = normalizeAddress(a);
  const nb = normalizeAddress(b);
  return !isAddressError(na) && !isAddressError(nb) && matchKey(na) === matchKey(nb);
}

/** A plain value (parsed JSON or YAML, or a request body) → a validated document. */
export function validateDocument(
  value: unknown,
): { document: PhloDocument } | { errors: string[] } {
  const problems = new Problems();
  if (!isMapping(value)) {
    return {
      errors: [
        `document: must be a mapping with name, start and nodes (got ${describeValue(value)})`,
      ],
    };
  }
  for (const key of ['id', 'phlo_id']) {
    if (key in value) {
      problems.add(key, 'the PHLO id is assigned by the server and is not part of the document');
    }
  }
  checkFields(
    Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'id' && k !== 'phlo_id')),
    '',
    TOP_FIELDS,
    problems,
  );
  const name = text(value.name, 'name', MAX_NAME_LENGTH, problems, true);
  const description = text(
    value.description,
    'description',
    MAX_DESCRIPTION_LENGTH,
    problems,
    false,
    true,
  );
  const start = parseStart(value.start, problems);

  const nodes: MultiPartyCallNode[] = [];
  if (value.nodes === undefined)
    problems.add('nodes', 'required (a list of multi_party_call nodes)');
  else if (!Array.isArray(value.nodes)) {
    problems.add('nodes', `must be a list of nodes (got ${describeValue(value.nodes)})`);
  } else if (value.nodes.length === 0) problems.add('nodes', 'must hold at least one node');
  else if (value.nodes.length > MAX_NODES) {
    problems.add('nodes', `holds ${value.nodes.length} nodes; at most ${MAX_NODES}`);
  } else {
    const names = new Map<string, number>();
    const ids = new Map<string, number>();
    value.nodes.forEach((raw: unknown, i) => {
      const path = `nodes[${i}]`;
      const node = parseNode(raw, path, problems);
      const rawName = isMapping(raw) && typeof raw.name === 'string' ? raw.name.trim() : undefined;
      if (rawName) {
        const first = names.get(rawName);
        if (first !== undefined) {
          problems.add(`${path}.name`, `'${rawName}' is already the name of nodes[${first}]`);
        } else names.set(rawName, i);
      }
      if (node?.id !== undefined) {
        const first = ids.get(node.id);
        if (first !== undefined) problems.add(`${path}.id`, `is already the id of nodes[${first}]`);
        else ids.set(node.id, i);
      }
      if (node) nodes.push(node);
    });
    if (start.next !== undefined && !names.has(start.next)) {
      problems.add(
        'start.next',
        `no node is named '${start.next}' (the nodes are ${listNames([...names.keys()])})`,
      );
    } else if (start.next === undefined && names.size > 1) {
      problems.add(
        'start.next',
        `required when there is more than one node: name the one a run starts (${listNames([...names.keys()])})`,
      );
    }
  }

  if (problems.list.length > 0 || name === undefined) {
    return { errors: problems.list.length > 0 ? problems.list : ['name: required'] };
  }
  const document: PhloDocument = {
    name,
    ...(description !== undefined ? { description } : {}),
    start: { triggers: start.triggers, next: start.next ?? nodes[0]!.name },
    nodes,
  };
  return { document };
}
