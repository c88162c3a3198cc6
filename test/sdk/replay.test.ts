// The replay catalogue itself (test/sdk/replay.ts): what it sends for the
// Ruby, PHP and .NET SDKs (PLIVO-SDK-WIRE.md §1), and which answers it says
// would break them (§2-3), against a small recording server of the test's
// own. The real server is tested with it elsewhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkResponse,
  dotnetQuery,
  phpJsonEncode,
  replayScript,
  replaySdk,
  webUtilityUrlEncode,
  REPLAY_SDKS,
  USER_AGENTS,
  type ReplayInput,
  type WireResponse,
} from './replay.js';

interface Recorded {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

type Answer = (req: Recorded) => { status: number; type?: string; body: string };

const CREATED_ON = '2018-11-14 04:41:31.827796+00:00';
const AUTH_ID = 'MAZDQ1ZDU1ZTY0OTIxNT';
const BASIC = 'Basic ' + Buffer.from(`${AUTH_ID}:secret-token`).toString('base64');

/** Answers like Plivo: GET phlo/node 200, POSTs 201, ids echoed from the path. */
const plivoLike: Answer = (req) => {
  const path = new URL(req.url, 'http://x').pathname.split('/').filter(Boolean);
  if (req.method === 'GET' && path.length === 3) {
    return json(200, { api_id: 'a-1', phlo_id: path[2], name: 'seed', created_on: CREATED_ON });
  }
  if (req.method === 'GET' && path.length === 5) {
    return json(200, {
      api_id: 'a-2',
      node_id: path[4],
      phlo_id: path[2],
      name: 'Multi-Party Call_1',
      node_type: path[3],
      created_on: CREATED_ON,
    });
  }
  if (path[1] === 'account') {
    return json(201, { api_id: 'r-1', phlo_run_id: 'r-1', phlo_id: path[4], message: 'ok' });
  }
  return json(201, { api_id: 'x-1', error: '' });
};

function json(status: number, body: unknown) {
  return { status, type: 'application/json', body: JSON.stringify(body) };
}

let server: Server;
let baseUrl: string;
let answer: Answer = plivoLike;
let recorded: Recorded[] = [];

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method!,
        url: req.url!,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      recorded.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.type === undefined ? {} : { 'Content-Type': a.type }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function replayed(
  sdk: (typeof REPLAY_SDKS)[number],
  input: Partial<ReplayInput>,
  respond = plivoLike,
) {
  recorded = [];
  answer = respond;
  const report = await replaySdk(sdk, { ...SEED, ...input }, baseUrl);
  return { report, requests: recorded };
}

const SEED: ReplayInput = {
  authId: AUTH_ID,
  authToken: 'secret-token',
  phloId: 'phlo-1',
  nodeId: 'node-1',
  triggerSource: '+14155550100',
  to: 'sip:agent@example.test',
  role: 'agent',
};

/** Headers as sent, minus the two node:http itself adds (Host, Connection). */
function sentHeaders(r: Recorded): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < r.rawHeaders.length; i += 2)
    pairs.push([r.rawHeaders[i]!, r.rawHeaders[i + 1]!]);
  assert.equal(pairs[0]?.[0], 'Host');
  return pairs.filter(([k]) => k !== 'Host' && k !== 'Connection');
}

function line(r: Recorded): string {
  return `${r.method} ${r.url}`;
}

describe('what the catalogue sends', () => {
  test('every SDK and mode: the server receives exactly the catalogue, and a Plivo-like answer breaks nothing', async () => {
    const inputs: Array<Partial<ReplayInput>> = [
      {},
      { mpcAction: 'warm_transfer' },
      { mpcAction: 'cold_transfer' },
      { mode: 'member', member: '+14155550101', action: 'hold' },
      { mode: 'member', member: '+14155550101', action: 'abort_transfer' },
      { mode: 'run' },
      { mode: 'run', payload: { from: '+14155550100', to: '+14155550102' } },
    ];
    for (const sdk of REPLAY_SDKS) {
      for (const input of inputs) {
        const { report, requests } = await replayed(sdk, input);
        const what = `${sdk} ${JSON.stringify(input)}`;
        assert.deepEqual(report.violations, [], what);
        assert.equal(requests.length, report.exchanges.length, what);
        requests.forEach((r, i) => {
          const sent = report.exchanges[i]!.request;
          assert.equal(r.method, sent.method, what);
          assert.equal(r.url, sent.path, what);
          assert.deepEqual(sentHeaders(r), sent.headers, what);
          assert.deepEqual(r.body, sent.body ?? Buffer.alloc(0), what);
          for (const [name, value] of sent.headers) {
            if (name.toLowerCase() === 'content-length')
              assert.equal(Number(value), r.body.length, what);
          }
          assert.ok(
            sent.headers.some(([k, v]) => k === 'Authorization' && v === BASIC),
            `${what}: Basic auth`,
          );
          assert.ok(
            sent.headers.some(([k, v]) => k === 'User-Agent' && v === USER_AGENTS[sdk]),
            `${what}: User-Agent`,
          );
        });
      }
    }
  });

  test('Ruby: trailing slash everywhere, URLs from the answers, run() with no payload is an empty body', async () => {
    const call = await replayed('ruby', {});
    assert.deepEqual(call.requests.map(line), [
      'GET /v1/phlo/phlo-1/',
      'GET /v1/phlo/phlo-1/multi_party_call/node-1/',
      'POST /v1/phlo/phlo-1/multi_party_call/node-1/',
    ]);
    assert.equal(
      call.requests[2]!.body.toString(),
      '{"action":"call","trigger_source":"+14155550100","to":"sip:agent@example.test","role":"agent"}',
    );
    assert.deepEqual(sentHeaders(call.requests[0]!).slice(0, 3), [
      ['User-Agent', USER_AGENTS.ruby],
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json'],
    ]);

    const member = await replayed('ruby', {
      mode: 'member',
      member: '+14155550101',
      action: 'mute',
    });
    assert.equal(
      line(member.requests[2]!),
      'POST /v1/phlo/phlo-1/multi_party_call/node-1/members/+14155550101/',
    );
    assert.equal(member.requests[2]!.body.toString(), '{"action":"mute"}');

    const run = await replayed('ruby', { mode: 'run' });
    assert.equal(line(run.requests[1]!), `POST /v1/account/${AUTH_ID}/phlo/phlo-1/`);
    assert.equal(run.requests[1]!.body.length, 0);
    assert.ok(sentHeaders(run.requests[1]!).some(([k, v]) => k === 'Content-Length' && v === '0'));

    // Ruby follows the ids the server answers with, not the ones it was given.
    const followed = await replayed('ruby', {}, (r) =>
      r.method === 'GET' && r.url.endsWith('/node-1/')
        ? json(200, {
            api_id: 'a',
            node_id: 'node-9',
            phlo_id: 'phlo-9',
            node_type: 'multi_party_call',
            created_on: CREATED_ON,
          })
        : plivoLike(r),
    );
    assert.equal(line(followed.requests[2]!), 'POST /v1/phlo/phlo-9/multi_party_call/node-9/');
  });

  test('PHP: no trailing slash, authId header on run, {} for no payload, role left out when not passed', async () => {
    const call = await replayed('php', { role: undefined });
    assert.deepEqual(call.requests.map(line), [
      'GET /v1/phlo/phlo-1',
      'POST /v1/phlo/phlo-1/multi_party_call/node-1',
    ]);
    assert.equal(
      call.requests[1]!.body.toString(),
      '{"action":"call","trigger_source":"+14155550100","to":"sip:agent@example.test"}',
    );
    assert.ok(
      sentHeaders(call.requests[0]!).some(
        ([k, v]) => k === 'Content-type' && v === 'application/json',
      ),
    );
    assert.ok(
      sentHeaders(call.requests[0]!).some(([k, v]) => k === 'Accept-Encoding' && v === '*'),
    );

    const seedOnly = await replayed('php', { retrieve: false });
    assert.deepEqual(seedOnly.requests.map(line), ['POST /v1/phlo/phlo-1/multi_party_call/node-1']);

    const run = await replayed('php', { mode: 'run' });
    assert.deepEqual(run.requests.map(line), [`POST /v1/account/${AUTH_ID}/phlo/phlo-1`]);
    assert.equal(run.requests[0]!.body.toString(), '{}');
    assert.deepEqual(sentHeaders(run.requests[0]!)[0], ['authId', AUTH_ID]);

    const member = await replayed('php', {
      mode: 'member',
      member: '+14155550101',
      action: 'resume_call',
    });
    assert.equal(
      line(member.requests[1]!),
      'POST /v1/phlo/phlo-1/multi_party_call/node-1/members/+14155550101',
    );
    assert.equal(member.requests[1]!.body.toString(), '{"action":"resume_call"}');
  });

  test('.NET: the action in the query (member body {}), the MPC body duplicated in the query, GETs with a trailing slash', async () => {
    const call = await replayed('dotnet', {});
    assert.deepEqual(call.requests.map(line), [
      'GET /v1/phlo/phlo-1/',
      'GET /v1/phlo/phlo-1/multi_party_call/node-1/',
      'POST /v1/phlo/phlo-1/multi_party_call/node-1/?action=call&trigger_source=%2B14155550100&to=sip%3Aagent%40example.test&role=agent',
    ]);
    assert.equal(
      call.requests[2]!.body.toString(),
      '{"action":"call","trigger_source":"+14155550100","to":"sip:agent@example.test","role":"agent"}',
    );
    assert.ok(
      sentHeaders(call.requests[2]!).some(
        ([k, v]) => k === 'Content-Type' && v === 'application/json; charset=utf-8',
      ),
    );

    const member = await replayed('dotnet', {
      mode: 'member',
      member: '+14155550101',
      action: 'hold',
    });
    assert.equal(
      line(member.requests[2]!),
      'POST /v1/phlo/phlo-1/multi_party_call/node-1/members/+14155550101?action=hold',
    );
    assert.equal(member.requests[2]!.body.toString(), '{}');

    const run = await replayed('dotnet', { mode: 'run', payload: { from: '+14155550100' } });
    assert.equal(
      line(run.requests[1]!),
      `POST /v1/account/${AUTH_ID}/phlo/phlo-1?from=%2B14155550100`,
    );
    assert.equal(run.requests[1]!.body.toString(), '{"from":"+14155550100"}');
  });

  test('an action an SDK lacks, or a call without a role where the SDK needs one, is refused before sending', () => {
    assert.throws(() =>
      replayScript('dotnet', { ...SEED, mode: 'member', member: '+1', action: 'mute' }),
    );
    assert.throws(() =>
      replayScript('ruby', { ...SEED, mode: 'member', member: '+1', action: 'dance' }),
    );
    assert.doesNotThrow(() =>
      replayScript('php', { ...SEED, mode: 'member', member: '+1', action: 'dance' }),
    );
    assert.throws(() => replayScript('ruby', { ...SEED, role: undefined }));
    assert.doesNotThrow(() =>
      replayScript('ruby', { ...SEED, role: undefined, mpcAction: 'warm_transfer' }),
    );
  });
});

describe('which answers it says break an SDK', () => {
  test('an answer without phlo_id stops Ruby before its next request, and .NET before the member action', async () => {
    const noPhloId: Answer = (r) =>
      r.method === 'GET' && r.url === '/v1/phlo/phlo-1/'
        ? json(200, { api_id: 'a', name: 'seed', created_on: CREATED_ON })
        : plivoLike(r);
    const ruby = await replayed('ruby', {}, noPhloId);
    assert.equal(ruby.requests.length, 1);
    assert.match(ruby.report.violations[0]!, /^get_phlo: phlo_id missing/);

    const dotnet = await replayed(
      'dotnet',
      { mode: 'member', member: '+1', action: 'hold' },
      noPhloId,
    );
    assert.equal(dotnet.requests.length, 1);
    assert.match(dotnet.report.violations.join('\n'), /phlo_id missing/);
  });

  test('the checks of each SDK', () => {
    const answer = (status: number, body: string, type = 'application/json'): WireResponse => ({
      status,
      headers: type === '' ? {} : { 'content-type': type },
      body: Buffer.from(body),
    });
    const ok = JSON.stringify({ api_id: 'x', error: '' });
    const phlo = { api_id: 'a', phlo_id: 'p', name: 'n', created_on: CREATED_ON };
    const broken = (
      sdk: (typeof REPLAY_SDKS)[number],
      reads: Parameters<typeof checkResponse>[1],
      r: WireResponse,
    ) => checkResponse(sdk, reads, 'POST', r).length > 0;

    for (const sdk of REPLAY_SDKS) {
      assert.equal(broken(sdk, 'action', answer(201, ok)), false, sdk);
      assert.equal(
        broken(sdk, 'action', answer(200, ok, 'application/json; charset=utf-8')),
        false,
        sdk,
      );
      assert.equal(broken(sdk, 'phlo', answer(200, JSON.stringify(phlo))), false, sdk);
      assert.equal(
        broken(sdk, 'action', answer(400, JSON.stringify({ api_id: 'x', error: 'bad' }))),
        true,
        sdk,
      );
      assert.equal(broken(sdk, 'action', answer(204, '', '')), true, sdk);
      assert.equal(
        broken(sdk, 'action', answer(201, JSON.stringify({ api_id: 'x', error: 'no' }))),
        true,
        sdk,
      );
      assert.equal(
        broken(sdk, 'action', answer(201, JSON.stringify({ apiId: 'x', error: '' }))),
        true,
        sdk,
      );
      assert.equal(
        broken(
          sdk,
          'run',
          answer(201, JSON.stringify({ api_id: 'x', phlo_id: 'p', message: 'm' })),
        ),
        true,
        sdk,
      );
      assert.equal(
        broken(sdk, 'node', answer(200, JSON.stringify({ ...phlo, node_id: 'n' }))),
        true,
        sdk,
      );
    }
    // Only Ruby reads the Content-Type; only .NET minds created_on and status_code.
    assert.equal(broken('ruby', 'action', answer(201, ok, 'text/plain')), true);
    assert.equal(broken('php', 'action', answer(201, ok, 'text/plain')), false);
    assert.equal(broken('dotnet', 'action', answer(201, ok, 'text/plain')), false);
    const nullDate = JSON.stringify({ ...phlo, created_on: null });
    assert.equal(broken('dotnet', 'phlo', answer(200, nullDate)), true);
    assert.equal(broken('ruby', 'phlo', answer(200, nullDate)), false);
    assert.equal(
      broken('dotnet', 'phlo', answer(200, JSON.stringify({ ...phlo, created_on: 'yesterday' }))),
      true,
    );
    assert.equal(
      broken(
        'dotnet',
        'action',
        answer(201, JSON.stringify({ api_id: 'x', error: '', status_code: 'ok' })),
      ),
      true,
    );
    assert.equal(
      broken(
        'ruby',
        'action',
        answer(201, JSON.stringify({ api_id: 'x', error: '', status_code: 'ok' })),
      ),
      false,
    );
    // PHP: any status below 400 is fine, and an empty object is not.
    assert.equal(broken('php', 'action', answer(202, ok)), false);
    assert.equal(broken('php', 'action', answer(201, '{}')), true);
    assert.equal(broken('ruby', 'action', answer(203, ok)), true);
  });

  test('byte helpers: PHP json_encode and .NET WebUtility.UrlEncode', () => {
    assert.equal(phpJsonEncode({ to: 'sip:a/b@x', n: 'é' }), '{"to":"sip:a\\/b@x","n":"\\u00e9"}');
    assert.equal(webUtilityUrlEncode('+1 a/b:c@d~é'), '%2B1+a%2Fb%3Ac%40d%7E%C3%A9');
    assert.equal(dotnetQuery({}), '');
    assert.equal(dotnetQuery({ action: 'call', role: null }), '?action=call');
  });
});
