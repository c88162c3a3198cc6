import {
  isAddressError,
  matchKey,
  normalizeAddress,
  type NormalizedAddress,
} from '../address/index.js';
import { checkCallbackUrl } from './callback-url.js';
import { renderTemplate, templateKeys } from './template.js';
import type { MultiPartyCallNode, RunPayload } from './types.js';

/**
 * Rendered and checked addresses, in their `dial` form (see the address
 * layer): normalizeAddress accepts each of them and gives back the same
 * identity and the same `dial`, so nothing is lost by passing strings on.
 */
export interface FirstLegs {
  /** Dialled first, joins as agent. */
  from: string;
  /** Dialled when `from` answers, joins as customer. */
  to: string;
  /** The caller ID to present, or null for the server's default. */
  callerId: string | null;
}

/** The legs of a run started by an inbound call (the caller is the customer). */
export interface AgentLegs {
  /**
   * The agents to dial, in the node's order, in their `dial` form: each
   * rendered once; repeats, and an agent who is the caller, left out.
   */
  agents: string[];
  /** The caller ID to present to them, or null when the node has none (the server's default). */
  callerId: string | null;
}

/** Fills one field's template from the payload; the message names the payload key to fix. */
function renderField(
  template: string,
  payload: RunPayload,
  path: string,
  errors: string[],
): { value: string; field: string } | undefined {
  const rendered = renderTemplate(template, { start: payload }, path);
  if ('error' in rendered) {
    errors.push(rendered.error);
    return undefined;
  }
  const keys = templateKeys(template);
  // Name what the caller can fix: the payload key when the value came from it.
  const field = keys.length === 0 ? path : `run payload '${keys.join("', '")}' (for ${path})`;
  return { value: rendered.value, field };
}

function renderAddress(
  template: string,
  payload: RunPayload,
  path: string,
  errors: string[],
): NormalizedAddress | undefined {
  const rendered = renderField(template, payload, path, errors);
  if (!rendered) return undefined;
  const address = normalizeAddress(rendered.value, rendered.field);
  if (isAddressError(address)) {
    errors.push(address.error);
    return undefined;
  }
  return address;
}

/**
 * The node's first two legs and caller ID for a run with `payload`: its
 * templates rendered, then normalised as addresses. `path` names the node
 * in messages (default `nodes['<name>']`; the caller can pass `nodes[0]`,
 * see nodePath). Every problem is reported, not just the first. Never throws.
 */
export function renderFirstLegs(
  node: MultiPartyCallNode,
  payload: RunPayload,
  path = `nodes['${node.name}']`,
): FirstLegs | { errors: string[] } {
  if (node.from === undefined || node.to === undefined) {
    return {
      errors: [
        `${path}: has no from and to, so a run through the API cannot start it ` +
          "(give the node from and to, and start.triggers 'api')",
      ],
    };
  }
  const errors: string[] = [];
  const safePayload = objectPayload(payload);
  const from = renderAddress(node.from, safePayload, `${path}.from`, errors);
  const to = renderAddress(node.to, safePayload, `${path}.to`, errors);
  const callerId = renderCallerId(node, safePayload, path, errors);
  if (from && to && matchKey(from) === matchKey(to)) {
    errors.push(
      `${path}.to: ${to.address} is the same address as ${path}.from; a call needs two different members`,
    );
  }
  if (errors.length > 0 || !from || !to || callerId === undefined) return { errors };
  return { from: from.dial, to: to.dial, callerId: callerId === null ? null : callerId.dial };
}

/**
 * The agents to dial, and the caller ID, for a run that an inbound call
 * starts. `payload` is `{ from: <the caller's address>, to: <the called
 * user> }`, which the node's templates read as `{{start.from}}` and
 * `{{start.to}}`. Each agent is rendered and normalised; an agent that
 * renders to an address already listed, or to the caller's own address
 * (matched as member addresses are), is not dialled, and if nobody is left
 * that is an error. Every problem is reported. Never throws.
 */
export function renderAgents(
  node: MultiPartyCallNode,
  payload: RunPayload,
  path = `nodes['${node.name}']`,
): AgentLegs | { errors: string[] } {
  if (node.agents === undefined || node.agents.length === 0) {
    return {
      errors: [`${path}.agents: the node has no agents, so an inbound call cannot start it`],
    };
  }
  const errors: string[] = [];
  const safePayload = objectPayload(payload);
  const caller =
    typeof safePayload.from === 'string' ? normalizeAddress(safePayload.from) : undefined;
  const callerKey = caller && !isAddressError(caller) ? matchKey(caller) : undefined;
  const seen = new Set<string>();
  const agents: string[] = [];
  node.agents.forEach((template, i) => {
    const agent = renderAddress(template, safePayload, `${path}.agents[${i}]`, errors);
    if (!agent) return;
    const key = matchKey(agent);
    if (key === callerKey || seen.has(key)) return;
    seen.add(key);
    agents.push(agent.dial);
  });
  const callerId = renderCallerId(node, safePayload, path, errors);
  if (errors.length > 0 || callerId === undefined) return { errors };
  if (agents.length === 0) {
    return {
      errors: [`${path}.agents: the only agent is the caller; nobody is left to dial`],
    };
  }
  return { agents, callerId: callerId === null ? null : callerId.dial };
}

/**
 * The node's `event_callback_url` for a run with `payload`: its template
 * rendered (values inserted as they are, not percent-encoded) and checked
 * as a whole (http or https, a host, no credentials, at most 2048
 * characters). The URL comes back in its WHATWG serialisation (`href`),
 * which is what a request to it uses and so what a signature must cover.
 * `url` is null when the node has no callback URL. Never throws.
 */
export function renderEventCallbackUrl(
  node: MultiPartyCallNode,
  payload: RunPayload,
  path = `nodes['${node.name}']`,
): { url: string | null } | { error: string } {
  if (node.event_callback_url === undefined) return { url: null };
  const errors: string[] = [];
  const at = `${path}.event_callback_url`;
  const rendered = renderField(node.event_callback_url, objectPayload(payload), at, errors);
  if (!rendered) return { error: errors[0]! };
  const problem = checkCallbackUrl(rendered.value);
  if (problem) return { error: `${rendered.field}: ${problem}` };
  return { url: new URL(rendered.value).href };
}

/** undefined: an error was reported; null: the node has no caller ID. */
function renderCallerId(
  node: MultiPartyCallNode,
  payload: RunPayload,
  path: string,
  errors: string[],
): NormalizedAddress | null | undefined {
  if (node.caller_id === undefined) return null;
  return renderAddress(node.caller_id, payload, `${path}.caller_id`, errors);
}

/** A payload that is not a plain object counts as empty. */
function objectPayload(payload: RunPayload): RunPayload {
  return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
}
