/**
 * PHLO documents: parsing (JSON or YAML) and validation, node ids, the
 * start node, and `{{start.<key>}}` templating of the first legs. The
 * format is described in README.md beside this file:
 *
 * ```yaml
 * name: Support line            # required, 1..100 characters
 * description: optional text
 * start:                        # optional; these are the defaults
 *   triggers: [api]             # only api in this version
 *   next: support               # the node a run starts; optional with one node
 * nodes:                        # 1..50 nodes
 *   - type: multi_party_call    # the only node type
 *     name: support             # unique; ids are kept by name on replace
 *     from: "{{start.from}}"    # first leg, dialled as agent
 *     to: "{{start.to}}"        # second leg, dialled as customer when the agent answers
 *     caller_id: "+14155550000" # optional, templated too
 *     ring_timeout: 45          # seconds, 5..300
 *     max_participants: 10      # 2..100
 *     agent_hold_music: tone:440        # audio source spec (optional)
 *     customer_hold_music: tone:660
 * ```
 *
 * Pure functions, no I/O; malformed input becomes `{ errors }`, never a throw.
 */
export type {
  IdentifiedNode,
  IdentifiedPhloDocument,
  MultiPartyCallNode,
  PhloDocument,
  RunPayload,
  StartNode,
  StartTrigger,
} from './types.js';
export {
  MAX_DESCRIPTION_LENGTH,
  MAX_DOCUMENT_BYTES,
  MAX_NAME_LENGTH,
  MAX_NODES,
  MAX_PARTICIPANTS,
  RING_TIMEOUT,
} from './types.js';
export { parsePhloDocument } from './parse.js';
export { assignIds, newNodeId, newPhloId } from './ids.js';
export { findNode, nodePath, startNode } from './lookup.js';
export { parseTemplate, renderTemplate, templateKeys, type TemplatePart } from './template.js';
export { renderFirstLegs, type FirstLegs } from './render.js';
export { checkAudioSpec } from './audio-spec.js';
