import { isAddressError, matchKey, normalizeAddress } from '../address/index.js';
import { checkCallbackUrl, checkCallbackUrlTemplate } from './callback-url.js';
import { describeValue } from './describe.js';
import {
  INCOMING_KEYS,
  Problems,
  addressTemplate,
  audio,
  boolean,
  checkFields,
  integer,
  isLiteral,
  isMapping,
  templateParts,
  text,
} from './fields.js';
import {
  ALONE_TIMEOUT,
  DEFAULT_COLD_TRANSFER_FAILURE,
  DEFAULT_END_ON_EXIT,
  DEFAULT_ENTER_SOUND,
  DEFAULT_EXIT_SOUND,
  MAX_AGENTS,
  MAX_DURATION,
  MAX_NAME_LENGTH,
  MAX_PARTICIPANTS,
  RING_TIMEOUT,
  type ColdTransferFailure,
  type EndOnExit,
  type MemberRole,
  type MultiPartyCallNode,
} from './types.js';

/** In the order the validated node shows them. */
const NODE_FIELDS = [
  'id',
  'type',
  'name',
  'from',
  'to',
  'agents',
  'caller_id',
  'ring_timeout',
  'max_participants',
  'max_duration',
  'alone_timeout',
  'end_on_exit',
  'record',
  'wait_music',
  'agent_hold_music',
  'customer_hold_music',
  'enter_sound',
  'exit_sound',
  'voicemail_message',
  'cold_transfer_failure',
  'event_callback_url',
];
const ROLES: readonly MemberRole[] = ['agent', 'customer', 'supervisor'];
const COLD_TRANSFER_FAILURE_FIELDS = ['message', 'then'];
const THEN: readonly ColdTransferFailure['then'][] = ['end', 'continue'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a node must carry, which depends on the start node. */
export interface NodeContext {
  /** `start.triggers` has `api`: a run renders `from` and `to`, so they are required. */
  apiRuns: boolean;
  /**
   * This node is the one an inbound call starts: `agents` is required,
   * and the templates rendered for such a call (agents, caller_id,
   * event_callback_url) may read only `{{start.from}}` and `{{start.to}}`.
   */
  incomingStart: boolean;
}

export function parseNode(
  value: unknown,
  path: string,
  problems: Problems,
  context: NodeContext,
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
  checkFields(value, path, NODE_FIELDS, problems);
  const incomingKeys = context.incomingStart ? INCOMING_KEYS : undefined;

  let id: string | undefined;
  if (value.id !== undefined) {
    if (typeof value.id === 'string' && UUID.test(value.id)) id = value.id.toLowerCase();
    else problems.add(`${path}.id`, `must be a node id (a UUID) (got ${describeValue(value.id)})`);
  }
  const name = text(value.name, `${path}.name`, MAX_NAME_LENGTH, problems, true);
  const from = addressTemplate(value.from, `${path}.from`, problems, context.apiRuns);
  const to = addressTemplate(value.to, `${path}.to`, problems, context.apiRuns);
  const maxParticipants = integer(
    value.max_participants,
    `${path}.max_participants`,
    MAX_PARTICIPANTS,
    problems,
  );
  const agents = agentList(value.agents, `${path}.agents`, problems, context, maxParticipants);
  const callerId = addressTemplate(
    value.caller_id,
    `${path}.caller_id`,
    problems,
    false,
    incomingKeys,
  );
  const ringTimeout = integer(value.ring_timeout, `${path}.ring_timeout`, RING_TIMEOUT, problems);
  const maxDuration = integer(value.max_duration, `${path}.max_duration`, MAX_DURATION, problems);
  const aloneTimeout = integer(
    value.alone_timeout,
    `${path}.alone_timeout`,
    ALONE_TIMEOUT,
    problems,
  );
  const endOnExit = parseEndOnExit(value.end_on_exit, `${path}.end_on_exit`, problems);
  const record = boolean(value.record, `${path}.record`, false, problems);
  const waitMusic = audio(value.wait_music, `${path}.wait_music`, problems);
  const agentHold = audio(value.agent_hold_music, `${path}.agent_hold_music`, problems);
  const customerHold = audio(value.customer_hold_music, `${path}.customer_hold_music`, problems);
  const enterSound = audio(value.enter_sound, `${path}.enter_sound`, problems);
  const exitSound = audio(value.exit_sound, `${path}.exit_sound`, problems);
  const voicemail = audio(value.voicemail_message, `${path}.voicemail_message`, problems);
  const coldTransferFailure = parseColdTransferFailure(
    value.cold_transfer_failure,
    `${path}.cold_transfer_failure`,
    problems,
  );
  const callbackUrl = eventCallbackUrl(
    value.event_callback_url,
    `${path}.event_callback_url`,
    problems,
    incomingKeys,
  );

  if (from !== undefined && to !== undefined && sameLiteralAddress(from, to)) {
    problems.add(`${path}.to`, `is the same address as ${path}.from`);
  }
  if (name === undefined) return undefined;
  if (context.apiRuns && (from === undefined || to === undefined)) return undefined;
  if (context.incomingStart && agents === undefined) return undefined;
  const node: MultiPartyCallNode = {
    ...(id !== undefined ? { id } : {}),
    type: 'multi_party_call',
    name,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(agents !== undefined ? { agents } : {}),
    ...(callerId !== undefined ? { caller_id: callerId } : {}),
    ring_timeout: ringTimeout,
    max_participants: maxParticipants,
    max_duration: maxDuration,
    alone_timeout: aloneTimeout,
    end_on_exit: endOnExit,
    record,
    ...(waitMusic !== undefined ? { wait_music: waitMusic } : {}),
    ...(agentHold !== undefined ? { agent_hold_music: agentHold } : {}),
    ...(customerHold !== undefined ? { customer_hold_music: customerHold } : {}),
    enter_sound: enterSound ?? DEFAULT_ENTER_SOUND,
    exit_sound: exitSound ?? DEFAULT_EXIT_SOUND,
    ...(voicemail !== undefined ? { voicemail_message: voicemail } : {}),
    cold_transfer_failure: coldTransferFailure,
    ...(callbackUrl !== undefined ? { event_callback_url: callbackUrl } : {}),
  };
  return node;
}

/**
 * `agents`: 1..MAX_AGENTS addresses or templates (over from/to only on the
 * node an inbound call starts), no two alike, and room for them all and
 * the caller within max_participants (they are dialled at the same time).
 */
function agentList(
  value: unknown,
  path: string,
  problems: Problems,
  context: NodeContext,
  maxParticipants: number,
): string[] | undefined {
  if (value === undefined) {
    if (context.incomingStart) {
      problems.add(
        path,
        "required: start.triggers has 'incoming' and an inbound call starts this node, " +
          "which dials these agents (e.g. agents: ['sip:alice@pbx.example.com'])",
      );
    }
    return undefined;
  }
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? ` (one agent is still a list: [${value}])` : '';
    problems.add(path, `must be a list of addresses (got ${describeValue(value)})${hint}`);
    return undefined;
  }
  if (value.length === 0) {
    problems.add(path, 'must hold at least one agent');
    return undefined;
  }
  if (value.length > MAX_AGENTS) {
    problems.add(path, `holds ${value.length} agents; at most ${MAX_AGENTS}`);
    return undefined;
  }
  const onlyKeys = context.incomingStart ? INCOMING_KEYS : undefined;
  const agents: string[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  value.forEach((raw: unknown, i) => {
    const at = `${path}[${i}]`;
    const agent = addressTemplate(raw, at, problems, true, onlyKeys);
    if (agent === undefined) {
      ok = false;
      return;
    }
    const key = literalKey(agent) ?? `template:${agent}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add(at, `is the same address as ${path}[${first}]`);
      ok = false;
    } else seen.set(key, i);
    agents.push(agent);
  });
  if (value.length + 1 > maxParticipants) {
    problems.add(
      path,
      `lists ${value.length} agents; with the caller that is more than max_participants (${maxParticipants})`,
    );
    return undefined;
  }
  return ok ? agents : undefined;
}

function parseEndOnExit(value: unknown, path: string, problems: Problems): EndOnExit {
  const endOnExit: EndOnExit = { ...DEFAULT_END_ON_EXIT };
  if (value === undefined) return endOnExit;
  if (!isMapping(value)) {
    problems.add(
      path,
      `must be a mapping of roles to true or false, e.g. {customer: true} (got ${describeValue(value)})`,
    );
    return endOnExit;
  }
  checkFields(value, path, ROLES, problems);
  for (const role of ROLES) {
    endOnExit[role] = boolean(value[role], `${path}.${role}`, false, problems);
  }
  return endOnExit;
}

function parseColdTransferFailure(
  value: unknown,
  path: string,
  problems: Problems,
): ColdTransferFailure {
  const failure: ColdTransferFailure = { ...DEFAULT_COLD_TRANSFER_FAILURE };
  if (value === undefined) return failure;
  if (!isMapping(value)) {
    problems.add(
      path,
      `must be a mapping with message and then, e.g. {message: beep:2, then: end} (got ${describeValue(value)})`,
    );
    return failure;
  }
  checkFields(value, path, COLD_TRANSFER_FAILURE_FIELDS, problems);
  failure.message = audio(value.message, `${path}.message`, problems) ?? failure.message;
  if (value.then !== undefined) {
    if (THEN.includes(value.then as ColdTransferFailure['then'])) {
      failure.then = value.then as ColdTransferFailure['then'];
    } else {
      problems.add(
        `${path}.then`,
        `must be 'end' or 'continue' (got ${describeValue(value.then)})`,
      );
    }
  }
  return failure;
}

function eventCallbackUrl(
  value: unknown,
  path: string,
  problems: Problems,
  onlyKeys: readonly string[] | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.add(path, checkCallbackUrl(value)!);
    return undefined;
  }
  const parts = templateParts(value, path, problems, onlyKeys);
  if (!parts) return undefined;
  const problem = isLiteral(parts)
    ? checkCallbackUrl(value)
    : checkCallbackUrlTemplate(value, parts);
  if (problem) {
    problems.add(path, problem);
    return undefined;
  }
  return value;
}

/** The match key of a literal address (no placeholder), or undefined. */
function literalKey(template: string): string | undefined {
  if (template.includes('{{')) return undefined;
  const address = normalizeAddress(template);
  return isAddressError(address) ? undefined : matchKey(address);
}

function sameLiteralAddress(a: string, b: string): boolean {
  const ka = literalKey(a);
  return ka !== undefined && ka === literalKey(b);
}
