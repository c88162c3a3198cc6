import { isAddressError, normalizeAddress } from '../address/index.js';
import { CONTROL_CHARS, describeValue, listNames } from './describe.js';
import { Problems, checkFields, isMapping, text } from './fields.js';
import { MAX_SIP_USER_NAME_LENGTH, PHONE_START, SIP_USER_NAME, incomingKey } from './incoming.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_INCOMING,
  MAX_NAME_LENGTH,
  MAX_NODES,
  type MultiPartyCallNode,
  type PhloDocument,
  type StartNode,
  type StartTrigger,
} from './types.js';
import { parseNode } from './validate-node.js';

const TOP_FIELDS = ['name', 'description', 'start', 'nodes'];
const START_FIELDS = ['triggers', 'next', 'incoming'];
const TRIGGERS: readonly StartTrigger[] = ['api', 'incoming'];

type ParsedStart = Omit<StartNode, 'next'> & { next?: string };

function parseStart(value: unknown, problems: Problems): ParsedStart {
  const start: ParsedStart = { triggers: ['api'] };
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
      const triggers: StartTrigger[] = [];
      value.triggers.forEach((t: unknown, i) => {
        const at = `start.triggers[${i}]`;
        if (seen.has(t)) problems.add(at, `${describeValue(t)} is listed twice`);
        else if (TRIGGERS.includes(t as StartTrigger)) triggers.push(t as StartTrigger);
        else problems.add(at, `unknown trigger ${describeValue(t)} (expected 'api' or 'incoming')`);
        seen.add(t);
      });
      if (triggers.length > 0) start.triggers = triggers;
    }
  }
  const next = text(value.next, 'start.next', MAX_NAME_LENGTH, problems, false);
  if (next !== undefined) start.next = next;

  const wantsIncoming = Array.isArray(value.triggers) && value.triggers.includes('incoming');
  if (value.incoming === undefined) {
    if (wantsIncoming) {
      problems.add(
        'start.incoming',
        "required with the 'incoming' trigger: the phone numbers and SIP user names whose " +
          "inbound calls start this PHLO (e.g. incoming: ['+14155550100', 'support'])",
      );
    }
  } else if (!wantsIncoming) {
    problems.add(
      'start.incoming',
      "is only used with the 'incoming' trigger (add it: triggers: [api, incoming])",
    );
  } else {
    const incoming = parseIncoming(value.incoming, problems);
    if (incoming) start.incoming = incoming;
  }
  return start;
}

/** `start.incoming`: 1..MAX_INCOMING phone numbers and SIP user names, none twice. */
function parseIncoming(value: unknown, problems: Problems): string[] | undefined {
  const path = 'start.incoming';
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? ` (one is still a list: ['${value}'])` : '';
    problems.add(
      path,
      `must be a list of phone numbers and SIP user names (got ${describeValue(value)})${hint}`,
    );
    return undefined;
  }
  if (value.length === 0) {
    problems.add(path, 'must hold at least one phone number or SIP user name');
    return undefined;
  }
  if (value.length > MAX_INCOMING) {
    problems.add(path, `holds ${value.length} entries; at most ${MAX_INCOMING}`);
    return undefined;
  }
  const entries: string[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  value.forEach((raw: unknown, i) => {
    const at = `${path}[${i}]`;
    const entry = incomingEntry(raw, at, problems);
    const key = entry === undefined ? undefined : incomingKey(entry);
    if (entry === undefined || key === undefined) {
      ok = false;
      return;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add(
        at,
        `is the same ${key.startsWith('phone:') ? 'number' : 'user'} as ${path}[${first}]`,
      );
      ok = false;
    } else seen.set(key, i);
    entries.push(entry);
  });
  return ok ? entries : undefined;
}

function incomingEntry(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'number') {
    problems.add(
      path,
      `must be a string (got the number ${value}; quote it in YAML, e.g. "+${value}")`,
    );
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.add(path, `must be a phone number or a SIP user name (got ${describeValue(value)})`);
    return undefined;
  }
  const entry = value.trim();
  if (entry === '') problems.add(path, 'must not be empty');
  else if (CONTROL_CHARS.test(entry)) problems.add(path, 'must not contain control characters');
  else if (/^sips?:/i.test(entry) || entry.includes('@')) {
    problems.add(
      path,
      `${describeValue(entry)}: give the SIP user name alone (e.g. 'support'), not a SIP address; ` +
        'an inbound call is matched by the user part of the address it is sent to',
    );
  } else if (PHONE_START.test(entry)) {
    const address = normalizeAddress(entry, path);
    if (isAddressError(address)) problems.raw(address.error);
    else return entry;
  } else if (entry.length > MAX_SIP_USER_NAME_LENGTH) {
    problems.add(
      path,
      `is too long (a SIP user name has at most ${MAX_SIP_USER_NAME_LENGTH} characters)`,
    );
  } else if (!SIP_USER_NAME.test(entry)) {
    problems.add(
      path,
      `${describeValue(entry)} is neither a phone number nor a SIP user name ` +
        "(a letter, then letters, digits, '.', '_', '~' or '-')",
    );
  } else return entry;
  return undefined;
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
  const apiRuns = start.triggers.includes('api');
  const incomingRuns = start.triggers.includes('incoming');

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
    const single = value.nodes.length === 1;
    value.nodes.forEach((raw: unknown, i) => {
      const path = `nodes[${i}]`;
      const rawName = isMapping(raw) && typeof raw.name === 'string' ? raw.name.trim() : undefined;
      const isStart = start.next !== undefined ? rawName === start.next : single;
      const node = parseNode(raw, path, problems, {
        apiRuns,
        incomingStart: incomingRuns && isStart,
      });
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
    start: {
      triggers: start.triggers,
      next: start.next ?? nodes[0]!.name,
      ...(start.incoming !== undefined ? { incoming: start.incoming } : {}),
    },
    nodes,
  };
  return { document };
}
