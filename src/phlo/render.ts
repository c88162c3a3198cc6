import {
  isAddressError,
  matchKey,
  normalizeAddress,
  type NormalizedAddress,
} from '../address/index.js';
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

function renderAddress(
  template: string,
  payload: RunPayload,
  path: string,
  errors: string[],
): NormalizedAddress | undefined {
  const rendered = renderTemplate(template, { start: payload }, path);
  if ('error' in rendered) {
    errors.push(rendered.error);
    return undefined;
  }
  const keys = templateKeys(template);
  // Name what the caller can fix: the payload key when the value came from it.
  const field = keys.length === 0 ? path : `run payload '${keys.join("', '")}' (for ${path})`;
  const address = normalizeAddress(rendered.value, field);
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
  const errors: string[] = [];
  const safePayload: RunPayload =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
  const from = renderAddress(node.from, safePayload, `${path}.from`, errors);
  const to = renderAddress(node.to, safePayload, `${path}.to`, errors);
  const callerId =
    node.caller_id === undefined
      ? null
      : renderAddress(node.caller_id, safePayload, `${path}.caller_id`, errors);
  if (from && to && matchKey(from) === matchKey(to)) {
    errors.push(
      `${path}.to: ${to.address} is the same address as ${path}.from; a call needs two different members`,
    );
  }
  if (errors.length > 0 || !from || !to || callerId === undefined) return { errors };
  return { from: from.dial, to: to.dial, callerId: callerId === null ? null : callerId.dial };
}
