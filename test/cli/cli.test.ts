/**
 * The `partyline` commands this version has besides serve: account
 * create|list on a data directory, and phlo create|get|list|replace|delete
 * against a running server — run as a user runs them (a child process).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer } from '../support/partyline-server.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, PARTYLINE_AUTH_ID: '', PARTYLINE_AUTH_TOKEN: '', ...env },
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('account create and list on a data directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const created = await cli(['account', 'create', '--name', 'ops', '--data-dir', dir, '--json']);
  assert.equal(created.code, 0, created.stderr);
  const account = JSON.parse(created.stdout) as { auth_id: string; auth_token: string };
  assert.match(account.auth_id, /^MA[A-Z0-9]{18}$/);
  assert.ok(account.auth_token.length >= 40);
  const listed = await cli(['account', 'list', '--data-dir', dir, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const accounts = JSON.parse(listed.stdout) as { auth_id: string; name: string }[];
  assert.deepEqual(
    accounts.map((a) => [a.auth_id, a.name]),
    [[account.auth_id, 'ops']],
  );
  assert.doesNotMatch(listed.stdout, new RegExp(account.auth_token), 'tokens are never listed');
  const human = await cli(['account', 'list', '--data-dir', dir]);
  assert.match(human.stdout, new RegExp(`^${account.auth_id}  \\S+  ops$`, 'm'));
});

test('phlo create, get, list, replace, delete against a running server', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const dir = mkdtempSync(join(tmpdir(), 'partyline-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const creds = ['--url', srv.baseUrl, '--auth-id', srv.authId, '--auth-token', srv.authToken];

  const created = await cli([
    'phlo',
    'create',
    join(ROOT, 'examples', 'support-line.yaml'),
    ...creds,
  ]);
  assert.equal(created.code, 0, created.stderr);
  const phlo = JSON.parse(created.stdout) as {
    phlo_id: string;
    version: number;
    document: { nodes: { id: string; name: string }[] };
  };
  assert.equal(phlo.version, 1);
  const nodeId = phlo.document.nodes[0].id;

  const env = {
    PARTYLINE_URL: srv.baseUrl,
    PARTYLINE_AUTH_ID: srv.authId,
    PARTYLINE_AUTH_TOKEN: srv.authToken,
  };
  const got = await cli(['phlo', 'get', phlo.phlo_id], env);
  assert.equal(got.code, 0, got.stderr);
  assert.equal((JSON.parse(got.stdout) as { phlo_id: string }).phlo_id, phlo.phlo_id);
  const listed = await cli(['phlo', 'list'], env);
  assert.equal(
    (JSON.parse(listed.stdout) as { phlos: unknown[] }).phlos.length,
    2,
    'the example from first start, and this one',
  );

  const changed = join(dir, 'changed.json');
  writeFileSync(
    changed,
    JSON.stringify({
      name: 'Renamed',
      nodes: [
        {
          type: 'multi_party_call',
          name: phlo.document.nodes[0].name,
          from: '{{start.from}}',
          to: '{{start.to}}',
          ring_timeout: 20,
        },
      ],
    }),
  );
  const replaced = await cli(['phlo', 'replace', phlo.phlo_id, changed], env);
  assert.equal(replaced.code, 0, replaced.stderr);
  const after = JSON.parse(replaced.stdout) as {
    name: string;
    version: number;
    document: { nodes: { id: string }[] };
  };
  assert.equal(after.name, 'Renamed');
  assert.equal(after.version, 2);
  assert.equal(after.document.nodes[0].id, nodeId, 'node ids are kept by name');

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'name: x\nnodes:\n  - type: multi_party_call\n    name: n\n    from: a\n    to: b\n    colour: blue\n',
  );
  const refused = await cli(['phlo', 'create', bad], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /partyline: 400: .*colour/);

  const deleted = await cli(['phlo', 'delete', phlo.phlo_id], env);
  assert.equal(deleted.code, 0, deleted.stderr);
  const gone = await cli(['phlo', 'get', phlo.phlo_id], env);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /404: PHLO .* not found/);

  const noCreds = await cli(['phlo', 'list', '--url', srv.baseUrl]);
  assert.equal(noCreds.code, 2);
  assert.match(noCreds.stderr, /credentials needed/);
  const missing = await cli(['phlo', 'create', join(dir, 'nope.yaml'), ...creds]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*nope\.yaml/);
});
