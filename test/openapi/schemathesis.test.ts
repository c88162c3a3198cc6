/**
 * Schemathesis (PyPI, pinned in requirements.txt, installed by .ci/run into
 * test/openapi/.venv) against the OpenAPI document a real server serves:
 * property-based requests to every operation, positive and negative, and
 * every answer must be no 5xx, a documented status, the documented
 * content type, headers and body schema.
 *
 * A live call (agent and customer on SIPp phones at 127.0.0.1) gives the
 * call, member and event schemas real data to be checked against. The
 * path and field values that name things (auth_id, phlo_id, node_id,
 * call_id, member_address, trigger_source) are real ones most of the time
 * and schemathesis's own (random) otherwise, so the 404 answers are checked
 * too. Everything a request could make the server dial is pinned to
 * 127.0.0.1: the `call` action's `to` is a third local phone and a run's
 * from/to are a closed local port (no trunks are configured, so a phone
 * number cannot be dialled at all).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TonePhone } from '../support/phones/index.js';
import { startTestServer } from '../support/partyline-server.js';

const ST = fileURLToPath(new URL('./.venv/bin/st', import.meta.url));
/** Upper bound only, for a wedged run; the run itself takes seconds. */
const RUN_TIMEOUT_MS = 120_000;
/** Test cases per operation and phase; with the seed, the same requests every run. */
const MAX_EXAMPLES = 25;
const SEED = 20240601;

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  // A method a path does not have answers 405 with Allow (build.ts).
  'unsupported_method',
  'allow_header_conformance',
  // Every /v1 operation refuses a request without (valid) credentials.
  'ignored_auth',
  // Not checked:
  // - positive_data_acceptance: the request schemas are looser than the
  //   server by design (a PHLO document is any object to the schema, then
  //   validated as a PHLO; `action` may come from the body or the query,
  //   which OpenAPI cannot say), so schema-valid input may get a 400.
  // - negative_data_rejection: in a query string or a form body every value
  //   is a string, yet schemathesis counts `?k=true` or `k=null` as breaking
  //   `type: string` and expects them refused (seen for the run's payload).
];

const skip =
  !existsSync(ST) && !process.env.CI
    ? `schemathesis is not installed: python3 -m venv test/openapi/.venv && ` +
      `test/openapi/.venv/bin/pip install -r test/openapi/requirements.txt (CI runs it always)`
    : false;

/** A TOML basic string (JSON's escapes are valid TOML for these ASCII values). */
const toml = (s: string): string => JSON.stringify(s);

function dictionary(name: string, values: string[]): string {
  return `[dictionaries.${name}]\nvalues = [${values.map(toml).join(', ')}]\n`;
}

/** Real most of the time, schemathesis's own value otherwise. */
const REAL = 0.8;
const bound = (dict: string): string => `{ dictionary = ${toml(dict)}, probability = ${REAL} }`;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/** Runs the CLI; `started` gets the child so the test can kill it (by pid) if it ends first. */
function runSchemathesis(
  args: string[],
  cwd: string,
  started: (child: ChildProcess) => void,
): Promise<RunResult> {
  const at = Date.now();
  const child = spawn(ST, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '120' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started(child);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\n[killed: no result within ${RUN_TIMEOUT_MS} ms]\n`));
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        output: Buffer.concat(chunks).toString('utf8'),
        ms: Date.now() - at,
      });
    });
  });
}

test(
  'schemathesis: no 5xx, and every answer matches the served OpenAPI document',
  { skip },
  async (t) => {
    const phone = (user: string, toneHz: number) =>
      TonePhone.start({ behaviour: 'answer', toneHz, user, timeoutSeconds: 180 });
    const agent = await phone('agent', 1000);
    t.after(() => agent.stop());
    const customer = await phone('customer', 1500);
    t.after(() => customer.stop());
    const third = await phone('third', 2000);
    t.after(() => third.stop());
    const srv = await startTestServer();
    t.after(() => srv.stop());

    const run = await srv.api('POST', `/v1/account/${srv.authId}/phlo/${srv.phloId}`, {
      from: agent.uri,
      to: customer.uri,
    });
    assert.equal(run.status, 201, run.text);
    const call = await srv.waitCall(
      (c) => c.members.length === 2 && c.members.every((m) => m.state === 'connected'),
      'agent and customer connected',
    );
    const phlo = async (name: string, from: string, to: string): Promise<string> => {
      const created = await srv.api('POST', '/v1/phlo', {
        name,
        nodes: [{ type: 'multi_party_call', name: 'n', from, to }],
      });
      assert.equal(created.status, 201, created.text);
      return String(created.json.phlo_id);
    };
    // A PHLO of its own for PUT and DELETE, so the example one stays for the others.
    const sparePhlo = await phlo('schemathesis spare', '{{start.from}}', '{{start.to}}');
    // Runs start on a PHLO whose legs are literal addresses, whatever the payload: a closed local
    // port (nothing listens on UDP 9, discard, here), so each run's first leg fails, locally.
    const runPhlo = await phlo('schemathesis runs', 'sip:a@127.0.0.1:9', 'sip:b@127.0.0.1:9');

    const dir = mkdtempSync(join(tmpdir(), 'partyline-schemathesis-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = [
      dictionary('auth_id', [srv.authId]),
      dictionary('phlo_id', [srv.phloId]),
      dictionary('spare_phlo_id', [sparePhlo]),
      dictionary('run_phlo_id', [runPhlo]),
      dictionary('node_id', [srv.nodeId]),
      dictionary('call_id', [call.call_id]),
      dictionary('member', [agent.uri, customer.uri, third.uri]),
      dictionary('trigger', [agent.uri]),
      '[parameters]',
      `"path.auth_id" = ${bound('auth_id')}`,
      `"path.phlo_id" = ${bound('phlo_id')}`,
      `"path.node_id" = ${bound('node_id')}`,
      `"path.call_id" = ${bound('call_id')}`,
      `"path.member_address" = ${bound('member')}`,
      `"body.trigger_source" = ${bound('trigger')}`,
      `"query.trigger_source" = ${bound('trigger')}`,
      // Fixed, never generated: what the `call` action dials.
      `"body.to" = ${toml(third.uri)}`,
      `"query.to" = ${toml(third.uri)}`,
      '',
      '[[operations]]',
      'include-operation-id = ["replacePhlo", "deletePhlo"]',
      `parameters = { "path.phlo_id" = ${bound('spare_phlo_id')} }`,
      '',
      '[[operations]]',
      'include-operation-id = "runPhlo"',
      `parameters = { "path.phlo_id" = ${bound('run_phlo_id')} }`,
      '',
    ].join('\n');
    const configPath = join(dir, 'schemathesis.toml');
    writeFileSync(configPath, config);

    const authorization = `Basic ${Buffer.from(`${srv.authId}:${srv.authToken}`).toString('base64')}`;
    const args = (...only: string[]) => [
      '--config-file',
      configPath,
      'run',
      `${srv.baseUrl}/docs/openapi.json`,
      '--header',
      `Authorization: ${authorization}`,
      '--checks',
      CHECKS.join(','),
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      '--workers',
      '1',
      '--generation-database',
      'none',
      '--no-color',
      ...only,
    ];
    let child: ChildProcess | undefined;
    t.after(() => {
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGKILL');
      }
    });
    // Schemathesis reuses ids it saw in answers, so DELETE would remove the example PHLO that the
    // other operations are tested on: DELETE runs on its own, last. The live event stream never
    // ends by itself, so no answer of it can be read whole (test/api/event-stream.test.ts).
    for (const only of [
      ['--exclude-operation-id', 'deletePhlo', '--exclude-operation-id', 'streamEvents'],
      ['--include-operation-id', 'deletePhlo'],
    ]) {
      const result = await runSchemathesis(args(...only), dir, (c) => (child = c));
      t.diagnostic(`schemathesis ${only.join(' ')}: ${result.ms} ms`);
      assert.equal(
        result.code,
        0,
        `schemathesis ${only.join(' ')} failed (exit ${result.code ?? result.signal}); its report:\n${result.output}`,
      );
    }
  },
);
