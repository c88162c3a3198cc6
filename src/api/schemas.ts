/**
 * JSON schemas of the routes: they validate requests, serialise responses
 * and become the OpenAPI document (@fastify/swagger), so they describe
 * exactly what goes over the wire — error answers included.
 */
import { MEMBER_ACTION_SPELLINGS, NODE_ACTION_SPELLINGS, ROLE_SPELLINGS } from './actions.js';
import { PLIVO_TIMESTAMP_PATTERN } from './time.js';

type Schema = Record<string, unknown>;

const apiId = { type: 'string', format: 'uuid', description: 'A fresh id for this request' };
const timestamp = {
  type: 'string',
  pattern: PLIVO_TIMESTAMP_PATTERN,
  description: 'UTC, as Plivo formats it: 2018-11-14 04:41:31.827796+00:00',
  example: '2018-11-14 04:41:31.827796+00:00',
};
const nullableTimestamp = { ...timestamp, type: ['string', 'null'] };
const id = { type: 'string', minLength: 1 };

/** A response schema with the description the OpenAPI document shows for it. */
export function described(description: string, schema: Schema): Schema {
  return { description, ...schema };
}

function object(properties: Record<string, Schema>, extra: Schema = {}): Schema {
  return { type: 'object', required: Object.keys(properties), properties, ...extra };
}

// ---- errors ----------------------------------------------------------------

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad input: a field, the body, the URL, or an action Partyline does not offer',
  401: 'Missing or wrong HTTP Basic credentials',
  404: 'No such PHLO, node, call or member (or it belongs to another account), or no such route',
  405: 'The path exists but not with this method (see Allow)',
  409: "The action conflicts with the call's current state",
  413: 'The request body is larger than the limit',
  415: 'Unsupported Content-Type',
  429: 'Too many requests from this account, or too many credential checks from this address (see Retry-After)',
  500: 'Internal error',
  503: 'Not ready, overloaded or shutting down',
};

const ERROR_HEADERS: Readonly<Record<number, Schema>> = {
  401: { 'WWW-Authenticate': { type: 'string', description: 'Basic realm="partyline"' } },
  405: { Allow: { type: 'string', description: 'The methods this path accepts' } },
  429: { 'Retry-After': { type: 'string', description: 'Seconds to wait' } },
  503: { 'Retry-After': { type: 'string', description: 'Seconds to wait' } },
};

export function errorSchema(status: number): Schema {
  const headers = ERROR_HEADERS[status];
  return {
    description: ERROR_DESCRIPTIONS[status] ?? 'Error',
    ...object({ api_id: apiId, error: { type: 'string', minLength: 1 } }),
    ...(headers ? { headers } : {}),
  };
}

const V1_ERRORS = [400, 401, 404, 405, 409, 429, 500, 503] as const;
const BODY_ERRORS = [413, 415] as const;

function errors(statuses: readonly number[]): Record<number, Schema> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema(s)]));
}

/** The error answers of a /v1 route; `withBody` adds 413 and 415. */
export function v1Errors(withBody: boolean): Record<number, Schema> {
  return errors(withBody ? [...V1_ERRORS, ...BODY_ERRORS] : V1_ERRORS);
}

// ---- requests --------------------------------------------------------------

export const phloParams = object({ phlo_id: id });
export const runParams = object({ auth_id: id, phlo_id: id });
export const nodeParams = object({ phlo_id: id, node_id: id });
export const memberParams = object({ phlo_id: id, node_id: id, member_address: id });
export const callParams = object({ phlo_id: id, node_id: id, call_id: id });
export const callMemberParams = object({ phlo_id: id, node_id: id, call_id: id, member_id: id });
export const anyNodeParams = object({ phlo_id: id, node_type: id, node_id: id });
export const anyMemberParams = object({
  phlo_id: id,
  node_type: id,
  node_id: id,
  member_address: id,
});

const payloadValue = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] };

export const runBody: Schema = {
  type: 'object',
  description:
    'Free key/value payload (templated into the PHLO as {{start.KEY}}); numbers and booleans ' +
    'become strings. No body, {}, null and the JSON string "" all mean "no payload".',
  additionalProperties: payloadValue,
};
export const runQuery: Schema = {
  type: 'object',
  description: 'Payload keys the body lacks are taken from the query string (.NET sends both)',
  additionalProperties: { type: 'string' },
};
/**
 * How the OpenAPI document shows `runQuery`. @fastify/swagger turns a querystring schema into one
 * parameter per property, and one with no `properties` into parameters named after its keywords
 * (`type`, `description`, `additionalProperties`). Free-form query keys are, in OpenAPI 3.0, one
 * object parameter serialised `style: form, explode: true` (Parameter Object): `?from=…&to=…`.
 */
export const runQueryDocumented: Schema = {
  type: 'object',
  style: 'form',
  explode: true,
  properties: {
    payload: {
      type: 'object',
      description: runQuery.description,
      additionalProperties: { type: 'string' },
    },
  },
};

/**
 * How the document shows a body that may be "no payload": besides none at all, `null` and the
 * JSON string "" (the Node SDK's `run()`) are accepted (PLIVO-SDK-WIRE.md §3.2).
 */
export function orNoPayload(body: Schema): Schema {
  const { description, ...schema } = body;
  return {
    description,
    anyOf: [
      { ...schema, type: ['object', 'null'] },
      { type: 'string', enum: [''] },
    ],
  };
}

const nodeActionFields = {
  action: {
    type: 'string',
    enum: NODE_ACTION_SPELLINGS,
    description: 'call | warm_transfer | cold_transfer (hyphenated spellings accepted)',
  },
  to: { type: 'string', description: 'Phone number or sip: address to dial' },
  role: {
    type: 'string',
    enum: ROLE_SPELLINGS,
    description: 'Role of the dialled member; missing or "" means agent',
  },
  trigger_source: { type: 'string', description: 'The connected agent/supervisor who acts' },
};
export const nodeActionBody: Schema = {
  type: 'object',
  description: 'Fields missing or "" here are read from the query string',
  properties: nodeActionFields,
};
export const nodeActionQuery: Schema = { type: 'object', properties: nodeActionFields };

const memberActionFields = {
  action: {
    type: 'string',
    enum: MEMBER_ACTION_SPELLINGS,
    description:
      'hold | unhold | hangup | mute | unmute | resume_call | voicemail_drop | abort_transfer ' +
      '(hyphenated spellings and abort_warm_transfer/abort_cold_transfer accepted)',
  },
};
export const memberActionBody: Schema = {
  type: 'object',
  description: 'action missing or "" here is read from the query string',
  properties: memberActionFields,
};
export const memberActionQuery: Schema = { type: 'object', properties: memberActionFields };
/** The extension's member action by id: JSON, action required (no SDK quirks to serve). */
export const memberByIdActionBody: Schema = {
  type: 'object',
  required: ['action'],
  properties: {
    action: {
      ...memberActionFields.action,
      description:
        'Any member action: ' +
        memberActionFields.action.description +
        '; and for supervisors coach (heard by agents only) | barge (heard by all) | listen (heard by none)',
    },
  },
};

export const phloDocumentBody: Schema = {
  type: 'object',
  description: 'The PHLO document (JSON, or YAML with Content-Type application/yaml)',
  additionalProperties: true,
};

export const callsQuery: Schema = {
  type: 'object',
  properties: {
    live: { type: 'boolean', description: 'Only calls not yet ended' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'At most this many calls' },
  },
};

// ---- responses -------------------------------------------------------------

const phloFields = {
  phlo_id: id,
  name: { type: 'string' },
  created_on: timestamp,
  updated_on: timestamp,
  version: { type: 'integer' },
  document: { type: 'object', additionalProperties: true },
};
export const phloObject = object(phloFields);
export const phloResponse = object({ api_id: apiId, ...phloFields });
export const phloListResponse = object({
  api_id: apiId,
  phlos: { type: 'array', items: phloObject },
});
export const deletedResponse = object({ api_id: apiId, message: { type: 'string' } });

export const runResponse = object({
  api_id: apiId,
  phlo_run_id: id,
  phlo_id: id,
  call_id: id,
  message: { type: 'string' },
});

export const nodeResponse = object({
  api_id: apiId,
  node_id: id,
  phlo_id: id,
  name: { type: 'string' },
  node_type: { type: 'string', enum: ['multi_party_call'] },
  created_on: timestamp,
});

export const actionResponse = object({
  api_id: apiId,
  error: { type: 'string', maxLength: 0, description: 'Always "" on success (as Plivo answers)' },
});

const memberObject = object({
  member_id: id,
  address: { type: 'string' },
  role: { type: 'string', enum: ['agent', 'customer', 'supervisor'] },
  state: {
    type: 'string',
    enum: ['dialing', 'ringing', 'connected', 'on_hold', 'disconnected', 'failed'],
  },
  muted: { type: 'boolean' },
  held: { type: 'boolean' },
  created_on: timestamp,
  joined_on: nullableTimestamp,
  left_on: nullableTimestamp,
  hangup_cause: { type: ['string', 'null'] },
  sip_status: { type: ['integer', 'null'] },
});

const eventObject = object({
  seq: { type: 'integer' },
  at: timestamp,
  type: { type: 'string' },
  member_id: { type: ['string', 'null'] },
  data: { type: 'object', additionalProperties: true },
});

const callFields = {
  call_id: id,
  phlo_id: id,
  node_id: id,
  run_id: { type: ['string', 'null'] },
  state: { type: 'string', enum: ['initialized', 'active', 'ended'] },
  created_on: timestamp,
  started_on: nullableTimestamp,
  ended_on: nullableTimestamp,
  end_reason: { type: ['string', 'null'] },
  members: { type: 'array', items: memberObject },
};
export const callsResponse = object({
  api_id: apiId,
  calls: { type: 'array', items: object(callFields) },
});
export const callDetailResponse = object({
  api_id: apiId,
  ...callFields,
  events: { type: 'array', items: eventObject },
});

export const healthResponses: Record<number, Schema> = {
  200: { description: 'Ready', ...object({ status: { type: 'string', enum: ['ok'] } }) },
  503: {
    description: 'Starting or stopping',
    ...object({ status: { type: 'string', enum: ['unavailable'] }, error: { type: 'string' } }),
    headers: ERROR_HEADERS[503],
  },
  405: errorSchema(405),
};

export const metricsResponses: Record<number, Schema> = {
  200: {
    description: 'Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  },
  405: errorSchema(405),
};
