/**
 * Stand-ins for the three official Plivo SDKs that cannot be installed here
 * (RubyGems, Packagist and NuGet are out of reach): for each, exactly the
 * HTTP requests that SDK sends for Plivo's PHLO Multi-Party Call example
 * (method, path with or without its trailing slash, query, headers in order,
 * body bytes), and what that SDK then reads from each answer. `replaySdk`
 * sends them to a server with node:http and returns every way the answers
 * would break that SDK. Source: PLIVO-SDK-WIRE.md §1-3 (plivo-ruby 4.63.4,
 * plivo-php 4.70.0, plivo-dotnet 5.53.0), and the SDK sources it cites.
 *
 * The flows are the SDKs' own, including where a later URL is built from an
 * earlier answer: Ruby takes the phlo id from GET phlo's `phlo_id`, and the
 * MPC URL from GET node's `phlo_id`, `node_type`, `node_id`; .NET takes the
 * member URL's phlo id from GET phlo's `phlo_id`. A missing field there is a
 * violation and ends the replay, as the SDK would go wrong at that point.
 *
 * Not replayed: .NET's PhloApi first GETs https://api.plivo.com/v1/Account/A/
 * (hard-wired host), which no test can point at Partyline.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export type ReplaySdk = 'ruby' | 'php' | 'dotnet';
export const REPLAY_SDKS: readonly ReplaySdk[] = ['ruby', 'php', 'dotnet'];

export type ReplayMode = 'call' | 'member' | 'run';
export type MpcAction = 'call' | 'warm_transfer' | 'cold_transfer';

/** Member actions each SDK offers (PHP turns any method name into an action). */
export const MEMBER_ACTIONS: Readonly<Record<ReplaySdk, readonly string[] | 'any'>> = {
  ruby: [
    'hold',
    'unhold',
    'hangup',
    'resume_call',
    'voicemail_drop',
    'abort_transfer',
    'mute',
    'unmute',
  ],
  php: 'any',
  dotnet: ['hold', 'unhold', 'hangup', 'resume_call', 'voicemail_drop', 'abort_transfer'],
};

/** The versions the catalogue describes, as their User-Agent headers give them. */
export const USER_AGENTS: Readonly<Record<ReplaySdk, string>> = {
  ruby: 'plivo-ruby/4.63.4 (Ruby 3.1.2)',
  php: 'plivo-php/4.70.0 (PHP 8.2.36)',
  dotnet: 'plivo-dotnet/5.53.0',
};

export interface ReplayInput {
  authId: string;
  authToken: string;
  phloId: string;
  nodeId?: string;
  /** Default 'call'. */
  mode?: ReplayMode;
  /** mode 'call': which MPC action (default 'call'). */
  mpcAction?: MpcAction;
  triggerSource?: string;
  to?: string;
  /**
   * Undefined = the argument is not passed: PHP then omits `role` from the
   * body; Ruby and .NET default it to 'agent' for transfers, and their
   * call() cannot be made without it (an error here).
   */
  role?: string;
  /** mode 'member'. */
  member?: string;
  action?: string;
  /** mode 'run': undefined = run() with no payload. */
  payload?: Record<string, string | number | boolean>;
  /**
   * PHP only: GET the PHLO ($client->phlo->getPhlo) before a call or member
   * action (default true). PHP's ->get() and ->multiPartyCall()->get() are
   * local, so its example itself sends only the POST. Ignored for run.
   */
  retrieve?: boolean;
}

export type ReplayStepName = 'get_phlo' | 'get_node' | MpcAction | `member_${string}` | 'run';

/** What the SDK makes of the answer (which fields it reads). */
export type ReplayReads = 'phlo' | 'node' | 'run' | 'action';

export interface WireRequest {
  method: 'GET' | 'POST';
  /** Path and query exactly as sent. */
  path: string;
  /** In order, as sent, without Host (added first, for the server replayed to). */
  headers: Array<[string, string]>;
  /** undefined = no body and no Content-Length (a GET). */
  body: Buffer | undefined;
}

export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The answers so far, decoded as the SDK decodes them (JSON objects only). */
export interface ReplayContext {
  phlo?: Record<string, unknown>;
  node?: Record<string, unknown>;
}

export interface ReplayStep {
  step: ReplayStepName;
  reads: ReplayReads;
  /** The request, built from the answers so far as the SDK builds it; a string = why the SDK cannot send it. */
  build(context: ReplayContext): WireRequest | string;
}

export interface ReplayExchange {
  step: ReplayStepName;
  request: WireRequest;
  response: WireResponse;
  violations: string[];
}

export interface ReplayReport {
  sdk: ReplaySdk;
  mode: ReplayMode;
  exchanges: ReplayExchange[];
  /** Every way the answers break that SDK, each prefixed with the step; empty = the SDK would succeed. */
  violations: string[];
}

/** The requests `sdk` sends for `input`, in order (the catalogue). */
export function replayScript(sdk: ReplaySdk, input: ReplayInput): ReplayStep[] {
  const mode = input.mode ?? 'call';
  if (mode === 'member') {
    const offered = MEMBER_ACTIONS[sdk];
    if (!input.action || (offered !== 'any' && !offered.includes(input.action))) {
      throw new Error(
        `the ${sdk} SDK offers member actions ${String(offered)}, not ${input.action}`,
      );
    }
  }
  switch (sdk) {
    case 'ruby':
      return rubyScript(input, mode);
    case 'php':
      return phpScript(input, mode);
    case 'dotnet':
      return dotnetScript(input, mode);
  }
}

/** Replays `sdk`'s requests against `baseUrl` (http://127.0.0.1:PORT) and checks each answer. */
export async function replaySdk(
  sdk: ReplaySdk,
  input: ReplayInput,
  baseUrl: string,
): Promise<ReplayReport> {
  const mode = input.mode ?? 'call';
  const report: ReplayReport = { sdk, mode, exchanges: [], violations: [] };
  const context: ReplayContext = {};
  for (const step of replayScript(sdk, input)) {
    const request = step.build(context);
    if (typeof request === 'string') {
      report.violations.push(`${step.step}: ${request}`);
      break;
    }
    const response = await send(baseUrl, request);
    const violations = checkResponse(sdk, step.reads, request.method, response);
    report.exchanges.push({ step: step.step, request, response, violations });
    report.violations.push(...violations.map((v) => `${step.step}: ${v}`));
    if (violations.length > 0) break; // the SDK raised, or has nothing to go on
    const decoded = decodeObject(response.body);
    if (step.reads === 'phlo' && decoded) context.phlo = decoded;
    if (step.reads === 'node' && decoded) context.node = decoded;
  }
  return report;
}

// ---------------------------------------------------------------- Ruby

function rubyScript(input: ReplayInput, mode: ReplayMode): ReplayStep[] {
  const headers = (body: Buffer | undefined): Array<[string, string]> => [
    // Faraday's connection headers (lib/plivo/base_client.rb configure_headers),
    // then Basic auth; Net::HTTP adds Accept-Encoding itself.
    ['User-Agent', USER_AGENTS.ruby],
    ['Content-Type', 'application/json'],
    ['Accept', 'application/json'],
    ['Authorization', basic(input)],
    ['Accept-Encoding', 'gzip;q=1.0,deflate;q=0.6,identity;q=0.3'],
    ...(body === undefined
      ? []
      : ([['Content-Length', String(body.length)]] as Array<[string, string]>)),
  ];
  const get = (path: string): WireRequest => ({
    method: 'GET',
    path,
    headers: headers(undefined),
    body: undefined,
  });
  // `req.body = JSON.generate(data) if data`: no payload = an empty body, Content-Length 0.
  const post = (path: string, data: unknown): WireRequest => {
    const body = data === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(data), 'utf8');
    return { method: 'POST', path, headers: headers(body), body };
  };
  // client.phlo.get(P): Phlo's @id is the answer's phlo_id.
  const steps: ReplayStep[] = [
    { step: 'get_phlo', reads: 'phlo', build: () => get(`/v1/phlo/${input.phloId}/`) },
  ];
  if (mode === 'run') {
    steps.push({
      step: 'run',
      reads: 'run',
      build: (c) => {
        const id = field(c.phlo, 'phlo_id');
        if (id === undefined)
          return 'Ruby has no phlo id to run: GET phlo answered no phlo_id ("Cannot update a phlo resource without an identifier")';
        return post(`/v1/account/${input.authId}/phlo/${id}/`, input.payload);
      },
    });
    return steps;
  }
  // phlo.multi_party_call(N): GET /v1/phlo/<@id>/multi_party_call/N/
  steps.push({
    step: 'get_node',
    reads: 'node',
    build: (c) => {
      const id = field(c.phlo, 'phlo_id');
      if (id === undefined)
        return 'Ruby would GET /v1/phlo//multi_party_call/…: GET phlo answered no phlo_id';
      return get(`/v1/phlo/${id}/multi_party_call/${input.nodeId ?? ''}/`);
    },
  });
  // The MPC resource's URI: ['', 'v1', 'phlo', @phlo_id, @node_type, @id, ''] from GET node's answer.
  const nodeUri = (c: ReplayContext): string => {
    const ids = ['phlo_id', 'node_type', 'node_id'].map((k) => field(c.node, k));
    if (ids.some((id) => id === undefined)) {
      return `!Ruby builds the MPC URL from GET node's phlo_id, node_type and node_id; the answer lacks ${['phlo_id', 'node_type', 'node_id'].filter((_, i) => ids[i] === undefined).join(', ')}`;
    }
    return `/v1/phlo/${ids[0]}/${ids[1]}/${ids[2]}/`;
  };
  if (mode === 'call') {
    const action = input.mpcAction ?? 'call';
    const role = defaultRole('ruby', action, input.role);
    steps.push({
      step: action,
      reads: 'action',
      build: (c) => {
        const uri = nodeUri(c);
        if (uri.startsWith('!')) return uri.slice(1);
        return post(uri, {
          action,
          trigger_source: input.triggerSource ?? null,
          to: input.to ?? null,
          role,
        });
      },
    });
  } else {
    steps.push({
      step: `member_${input.action}`,
      reads: 'action',
      build: (c) => {
        const uri = nodeUri(c);
        if (uri.startsWith('!')) return uri.slice(1);
        return post(`${uri}members/${input.member ?? ''}/`, { action: input.action });
      },
    });
  }
  return steps;
}

// ---------------------------------------------------------------- PHP

function phpScript(input: ReplayInput, mode: ReplayMode): ReplayStep[] {
  // PlivoRequest::getHeaders(): the request's own headers (run: authId) merged
  // before the defaults; send_request appends Authorization; Guzzle appends
  // Content-Length for a body.
  const headers = (
    extra: Array<[string, string]>,
    body: Buffer | undefined,
  ): Array<[string, string]> => [
    ...extra,
    ['User-Agent', USER_AGENTS.php],
    ['Accept-Encoding', '*'],
    ['Content-type', 'application/json'],
    ['Authorization', basic(input)],
    ...(body === undefined
      ? []
      : ([['Content-Length', String(body.length)]] as Array<[string, string]>)),
  ];
  // json_encode($params), or json_encode([], JSON_FORCE_OBJECT) = {} when empty; nulls removed first.
  const post = (
    path: string,
    params: Record<string, unknown>,
    extra: Array<[string, string]> = [],
  ): WireRequest => {
    const kept = Object.fromEntries(
      Object.entries(params).filter(([, v]) => v !== undefined && v !== null),
    );
    const body = Buffer.from(Object.keys(kept).length === 0 ? '{}' : phpJsonEncode(kept), 'utf8');
    return { method: 'POST', path, headers: headers(extra, body), body };
  };
  const phloUrl = `/v1/phlo/${input.phloId}`;
  const steps: ReplayStep[] = [];
  if (mode === 'run') {
    steps.push({
      step: 'run',
      reads: 'run',
      build: () =>
        post(`/v1/account/${input.authId}/phlo/${input.phloId}`, input.payload ?? {}, [
          ['authId', input.authId],
        ]),
    });
    return steps;
  }
  if (input.retrieve !== false) {
    steps.push({
      step: 'get_phlo',
      reads: 'phlo',
      build: () => ({
        method: 'GET',
        path: phloUrl,
        headers: headers([], undefined),
        body: undefined,
      }),
    });
  }
  const nodeUrl = `${phloUrl}/multi_party_call/${input.nodeId ?? ''}`;
  if (mode === 'call') {
    const action = input.mpcAction ?? 'call';
    // NodeClass::update: role = $arguments[2], absent when not passed (then removed as null).
    steps.push({
      step: action,
      reads: 'action',
      build: () =>
        post(nodeUrl, {
          action,
          trigger_source: input.triggerSource,
          to: input.to,
          role: input.role,
        }),
    });
  } else {
    steps.push({
      step: `member_${input.action}`,
      reads: 'action',
      build: () => post(`${nodeUrl}/members/${input.member ?? ''}`, { action: input.action }),
    });
  }
  return steps;
}

// ---------------------------------------------------------------- .NET

function dotnetScript(input: ReplayInput, mode: ReplayMode): ReplayStep[] {
  const headers = (body: Buffer | undefined): Array<[string, string]> => [
    ['Authorization', basic(input)],
    ['User-Agent', USER_AGENTS.dotnet],
    ['Accept', 'application/json'],
    ...(body === undefined
      ? []
      : ([
          ['Content-Type', 'application/json; charset=utf-8'],
          ['Content-Length', String(body.length)],
        ] as Array<[string, string]>)),
  ];
  const get = (path: string): WireRequest => ({
    method: 'GET',
    path,
    headers: headers(undefined),
    body: undefined,
  });
  // StringContent(JsonConvert.SerializeObject(data)): a null data is an empty dictionary, `{}`.
  const post = (path: string, data: Record<string, unknown> | undefined): WireRequest => {
    const body = Buffer.from(JSON.stringify(data ?? {}), 'utf8');
    return { method: 'POST', path, headers: headers(body), body };
  };
  const steps: ReplayStep[] = [
    { step: 'get_phlo', reads: 'phlo', build: () => get(`/v1/phlo/${input.phloId}/`) },
  ];
  if (mode === 'run') {
    // PhloInterface.Run: the payload in the query string and in the body.
    steps.push({
      step: 'run',
      reads: 'run',
      build: () =>
        post(
          `/v1/account/${input.authId}/phlo/${input.phloId}${dotnetQuery(input.payload ?? {})}`,
          input.payload,
        ),
    });
    return steps;
  }
  // MultiPartyCallInterface was made with the phlo id asked for.
  const node = input.nodeId ?? '';
  steps.push({
    step: 'get_node',
    reads: 'node',
    build: () => get(`/v1/phlo/${input.phloId}/multi_party_call/${node}/`),
  });
  if (mode === 'call') {
    const action = input.mpcAction ?? 'call';
    const data = {
      action,
      trigger_source: input.triggerSource ?? null,
      to: input.to ?? null,
      role: defaultRole('dotnet', action, input.role),
    };
    steps.push({
      step: action,
      reads: 'action',
      build: () =>
        post(`/v1/phlo/${input.phloId}/multi_party_call/${node}/${dotnetQuery(data)}`, data),
    });
  } else {
    // MemberInterface: made with GET phlo's PhloId; the action only in the query, body {}.
    steps.push({
      step: `member_${input.action}`,
      reads: 'action',
      build: (c) => {
        const id = field(c.phlo, 'phlo_id');
        if (id === undefined)
          return ".NET builds the member URL from GET phlo's phlo_id, which the answer lacks (it would POST to /v1/phlo//…)";
        return post(
          `/v1/phlo/${id}/multi_party_call/${node}/members/${input.member ?? ''}?action=${input.action}`,
          undefined,
        );
      },
    });
  }
  return steps;
}

// ---------------------------------------------------------------- what each SDK reads

const SNAKE_KEY = /^[a-z_][a-z0-9_]*$/;

/** Every way `response` breaks `sdk` at a step that reads `reads`; empty = fine. */
export function checkResponse(
  sdk: ReplaySdk,
  reads: ReplayReads,
  method: 'GET' | 'POST',
  response: WireResponse,
): string[] {
  const status = response.status;
  const text = response.body.toString('utf8');
  const contentType = headerValue(response.headers['content-type']);
  let parsed: unknown;
  let parseError = false;
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parseError = true;
    }
  }
  const body = isObject(parsed) ? parsed : undefined;
  const message = body && typeof body.error === 'string' ? `: ${body.error}` : '';

  switch (sdk) {
    case 'ruby': {
      const raised = RUBY_ERRORS[status];
      if (raised) return [`${status} makes Ruby raise ${raised}${message}`];
      if (![200, 201, 202, 204, 206, 207].includes(status)) {
        return [`${status} makes Ruby raise PlivoRESTError "Received ${status} for ${method}"`];
      }
      // faraday `response :json, content_type: /\bjson$/` on the type before any ';'.
      const type = contentType.split(';', 1)[0] ?? '';
      if (!/\bjson$/.test(type)) {
        return [
          `Content-Type "${contentType}" is not parsed by Ruby (needs /\\bjson$/), so the body stays a String and Ruby raises InvalidRequestError "resource_json: Expected a Hash"`,
        ];
      }
      if (parseError) return ['the body is not JSON: Faraday raises Faraday::ParsingError'];
      if (parsed !== undefined && !body)
        return ['the body is not a JSON object: Ruby raises InvalidRequestError "Expected a Hash"'];
      const bad = body ? Object.keys(body).filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) : [];
      if (bad.length > 0) {
        return [
          `keys ${bad.map((k) => JSON.stringify(k)).join(', ')} are not Ruby identifiers: instance_variable_set raises NameError`,
        ];
      }
      break;
    }
    case 'php': {
      if (status >= 400) {
        return [
          `${status}: PHP throws nothing but echoes a PlivoResponseException and hands back the error body${message}`,
        ];
      }
      // json_decode($body, true) ?: ["error" => $body]
      if (
        parseError ||
        parsed === null ||
        parsed === undefined ||
        parsed === false ||
        parsed === 0 ||
        parsed === '' ||
        parsed === '0' ||
        (isObject(parsed) && Object.keys(parsed).length === 0) ||
        (Array.isArray(parsed) && parsed.length === 0)
      ) {
        return [
          `PHP turns the body ${JSON.stringify(text)} into ["error" => ${JSON.stringify(text)}]`,
        ];
      }
      if (!body) return ['the body is not a JSON object, so PHP hands back a scalar or a list'];
      break;
    }
    case 'dotnet': {
      if (status === 401) return ['401 makes .NET throw PlivoAuthenticationException'];
      // The body is deserialized before the status is looked at.
      if (parseError) return ['the body is not JSON: Newtonsoft throws JsonReaderException'];
      if (parsed !== undefined && !body)
        return ['the body is not a JSON object: Newtonsoft throws JsonSerializationException'];
      if (
        body &&
        'status_code' in body &&
        !(Number.isInteger(body.status_code) && (body.status_code as number) >= 0)
      ) {
        return [
          `status_code ${JSON.stringify(body.status_code)} does not fit .NET's uint StatusCode: JsonSerializationException`,
        ];
      }
      if (
        body &&
        (reads === 'phlo' || reads === 'node') &&
        'created_on' in body &&
        !dotnetDateTime(body.created_on)
      ) {
        return [
          `created_on ${JSON.stringify(body.created_on)} does not convert to .NET's non-nullable DateTime: JsonSerializationException`,
        ];
      }
      if (status >= 400) {
        const cls = DOTNET_ERRORS[status] ?? 'PlivoRestException';
        return [`${status} makes .NET throw ${cls}${message}`];
      }
      break;
    }
  }

  // The contract every SDK relies on (PLIVO-SDK-WIRE.md §3).
  const out: string[] = [];
  if (!body)
    return [
      `the answer has no JSON object (status ${status}, body ${JSON.stringify(text.slice(0, 80))}), so the SDK decodes no fields`,
    ];
  const notSnake = Object.keys(body).filter((k) => !SNAKE_KEY.test(k));
  if (notSnake.length > 0) out.push(`keys not snake_case: ${notSnake.join(', ')}`);
  const required = REQUIRED_FIELDS[reads];
  for (const key of required) {
    if (!nonEmptyString(body[key]))
      out.push(`${key} missing or empty (${JSON.stringify(body[key])})`);
  }
  if (reads === 'node' && nonEmptyString(body.node_type) && body.node_type !== 'multi_party_call') {
    out.push(
      `node_type is ${JSON.stringify(body.node_type)}, not "multi_party_call" (Ruby posts to /v1/phlo/P/<node_type>/N/)`,
    );
  }
  if (reads === 'action' && body.error !== '')
    out.push(`error is ${JSON.stringify(body.error)}, not ""`);
  if (sdk === 'dotnet' && (reads === 'phlo' || reads === 'node') && !('created_on' in body)) {
    out.push('created_on missing: .NET reads it as a DateTime (0001-01-01 when absent)');
  }
  return out;
}

const REQUIRED_FIELDS: Record<ReplayReads, readonly string[]> = {
  phlo: ['api_id', 'phlo_id'],
  node: ['api_id', 'phlo_id', 'node_id', 'node_type'],
  run: ['api_id', 'phlo_run_id', 'phlo_id', 'message'],
  action: ['api_id'],
};

// lib/plivo/base_client.rb handle_response_exceptions
const RUBY_ERRORS: Record<number, string> = {
  400: 'ValidationError',
  401: 'AuthenticationError',
  404: 'ResourceNotFoundError',
  405: 'InvalidRequestError',
  409: 'InvalidRequestError',
  422: 'InvalidRequestError',
  500: 'PlivoServerError',
};

// src/Plivo/Http/PlivoResponse.cs (via PLIVO-SDK-WIRE.md §2 .NET)
const DOTNET_ERRORS: Record<number, string> = {
  400: 'PlivoValidationException',
  403: 'PlivoRestException',
  404: 'PlivoNotFoundException',
  405: 'PlivoRequestException',
  500: 'PlivoServerException',
};

/** Whether Newtonsoft turns this JSON value into a DateTime (a date string such as 2018-11-14 04:41:31.827796+00:00). */
function dotnetDateTime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      value,
    );
  if (!match) return false;
  const [, date, time = '00:00:00', fraction = '', zone = 'Z'] = match;
  return !Number.isNaN(Date.parse(`${date}T${time}${fraction.slice(0, 4)}${zone}`));
}

// ---------------------------------------------------------------- bytes

/** PHP's json_encode with default flags: escapes "/" and every non-ASCII character as \uXXXX. */
export function phpJsonEncode(value: Record<string, unknown>): string {
  return JSON.stringify(value).replace(/[/\u0080-\uffff]/g, (c) =>
    c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** .NET's AsQueryString: "?k=v&…" with WebUtility.UrlEncode, null values skipped, "" for none. */
export function dotnetQuery(data: Record<string, unknown>): string {
  const pairs = Object.entries(data).filter(([, v]) => v !== null && v !== undefined);
  if (Object.keys(data).length === 0) return '';
  return (
    '?' +
    pairs
      .map(([k, v]) => `${webUtilityUrlEncode(k)}=${webUtilityUrlEncode(dotnetToString(v))}`)
      .join('&')
  );
}

/** System.Net.WebUtility.UrlEncode: unreserved A-Z a-z 0-9 - _ . ! * ( ), space as +, else %XX (upper case) of UTF-8. */
export function webUtilityUrlEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.!*()]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function dotnetToString(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False'; // object.ToString() of a bool
  return String(v);
}

function defaultRole(sdk: 'ruby' | 'dotnet', action: MpcAction, role: string | undefined): string {
  if (role !== undefined) return role;
  if (action === 'call')
    throw new Error(`${sdk}: call(trigger_source, to, role) takes a role; pass input.role`);
  return 'agent'; // warm_transfer/cold_transfer(role = 'agent')
}

function basic(input: ReplayInput): string {
  return 'Basic ' + Buffer.from(`${input.authId}:${input.authToken}`, 'utf8').toString('base64');
}

function field(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return nonEmptyString(value) ? value : undefined;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function decodeObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function send(baseUrl: string, request: WireRequest): Promise<WireResponse> {
  const url = new URL(baseUrl);
  const raw: string[] = ['Host', url.host];
  for (const [name, value] of request.headers) raw.push(name, value);
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: raw,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
