/**
 * PHLO documents: parsing (JSON or YAML) and validation, node ids, the
 * start node, the numbers an inbound call starts a PHLO by, and
 * `{{start.<key>}}` templating. The format is described in README.md
 * beside this file (every field, its range and default):
 *
 * ```yaml
 * name: Support line            # required, 1..100 characters
 * description: optional text
 * start:                        # optional; these are the defaults
 *   triggers: [api]             # api and/or incoming
 *   next: support               # the node a run starts; optional with one node
 *   # incoming: ['+14155550100', support]  # with 'incoming': 1..50 numbers / SIP users
 * nodes:                        # 1..50 nodes
 *   - type: multi_party_call    # the only node type
 *     name: support             # unique; ids are kept by name on replace
 *     from: "{{start.from}}"    # API run: first leg, dialled as agent (required with api)
 *     to: "{{start.to}}"        # API run: dialled as customer when the agent answers
 *     agents: ['sip:alice@pbx.example.com']  # inbound run: 1..50, dialled at once
 *     caller_id: "+14155550000" # optional, templated too
 *     ring_timeout: 45          # seconds, 5..300
 *     max_participants: 10      # 2..100
 *     max_duration: 14400       # seconds, 60..86400
 *     alone_timeout: 60         # seconds a member may be alone, 0..3600
 *     end_on_exit: { agent: false, customer: false, supervisor: false }
 *     record: false
 *     wait_music: tone:550      # audio source specs, optional …
 *     agent_hold_music: tone:440
 *     customer_hold_music: tone:660
 *     enter_sound: beep:1       # … with these defaults
 *     exit_sound: beep:2
 *     voicemail_message: /srv/audio/voicemail.wav  # optional; voicemail_drop needs it
 *     cold_transfer_failure: { message: beep:2, then: end }  # then: end | continue
 *     event_callback_url: https://hooks.example.com/partyline  # optional, templated
 * ```
 *
 * Pure functions, no I/O; malformed input becomes `{ errors }`, never a throw.
 */
export type {
  ColdTransferFailure,
  EndOnExit,
  IdentifiedNode,
  IdentifiedPhloDocument,
  MemberRole,
  MultiPartyCallNode,
  PhloDocument,
  RunPayload,
  StartNode,
  StartTrigger,
} from './types.js';
export {
  ALONE_TIMEOUT,
  DEFAULT_COLD_TRANSFER_FAILURE,
  DEFAULT_END_ON_EXIT,
  DEFAULT_ENTER_SOUND,
  DEFAULT_EXIT_SOUND,
  MAX_ADDRESS_TEMPLATE_LENGTH,
  MAX_AGENTS,
  MAX_CALLBACK_URL_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_DOCUMENT_BYTES,
  MAX_DURATION,
  MAX_INCOMING,
  MAX_NAME_LENGTH,
  MAX_NODES,
  MAX_PARTICIPANTS,
  RING_TIMEOUT,
} from './types.js';
export { parsePhloDocument } from './parse.js';
export { readStoredDocument } from './stored.js';
export { assignIds, newNodeId, newPhloId } from './ids.js';
export { findNode, nodePath, startNode } from './lookup.js';
export { incomingKey, incomingKeys, incomingMatches } from './incoming.js';
export { parseTemplate, renderTemplate, templateKeys, type TemplatePart } from './template.js';
export {
  renderAgents,
  renderEventCallbackUrl,
  renderFirstLegs,
  type AgentLegs,
  type FirstLegs,
} from './render.js';
export { checkAudioSpec } from './audio-spec.js';
export { checkCallbackUrl } from './callback-url.js';
