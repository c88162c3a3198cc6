/**
 * The `partyline` commands that need no call: account create|list on a
 * data directory (and --save into a profile), phlo create|get|list|
 * replace|delete against a running server, where credentials come from,
 * exit statuses 0 / 1 / 2 and their messages, and --help on every command
 * — run as a user runs them (a child process), except the help walk.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildCli } from '../../src/cli/index.js';
import { startTestServer } from '../support/partyline-server.js';
import { ROOT, cli, cliEnv, scratch, serverEnv } from './support.js';

test('account create and list on a data directory; --save writes a profile the API commands use', async (t) => {
  const dir = scratch(t);
  const env = cliEnv(dir);
  const data = join(dir, 'data');
  const created = await cli(
    ['account', 'create', '--name', 'ops', '--data-dir', data, '--json'],
    env,
  );
  assert.equal(created.code, 0, created.stderr);
  const account = JSON.parse(created.stdout) as { auth_id: string; auth_token: string };
  assert.match(account.auth_id, /^MA[A-Z0-9]{18}$/);
  assert.ok(account.auth_token.length >= 40);
  const listed = await cli(['account', 'list', '--data-dir', data, '--json'], env);
  assert.equal(listed.code, 0, listed.stderr);
  const accounts = JSON.parse(listed.stdout) as { auth_id: string; name: string }[];
  assert.deepEqual(
    accounts.map((a) => [a.auth_id, a.name]),
    [[account.auth_id, 'ops']],
  );
  assert.doesNotMatch(listed.stdout, new RegExp(account.auth_token), 'tokens are never listed');
  const human = await cli(['account', 'list', '--data-dir', data], env);
  assert.match(human.stdout, new RegExp(`^${account.auth_id}  \\S+  ops$`, 'm'));

  // Not a terminal and no --save: nothing written, nothing asked.
  assert.throws(() => statSync(join(dir, 'credentials.json')));
  const saved = await cli(
    [
      'account',
      'create',
      '--data-dir',
      data,
      '--save',
      '--profile',
      'lab',
      '--url',
      'http://127.0.0.1:1',
    ],
    env,
  );
  assert.equal(saved.code, 0, saved.stderr);
  const token = /^AUTH_TOKEN {2}(\S+)$/m.exec(saved.stdout)?.[1];
  assert.ok(token, saved.stdout);
  assert.match(saved.stderr, /saved as profile "lab" in .*credentials\.json/);
  const file = join(dir, 'credentials.json');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the token is readable by its owner only');
  const profiles = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  assert.equal(profiles.lab.auth_token, token);
  assert.equal(profiles.lab.url, 'http://127.0.0.1:1');
});

test('phlo create, get, list, replace, delete against a running server; credentials, exit 1 and 2', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const dir = scratch(t);
  const bare = cliEnv(dir);
  const creds = ['--url', srv.baseUrl, '--auth-id', srv.authId, '--auth-token', srv.authToken];

  const created = await cli(
    ['phlo', 'create', join(ROOT, 'examples', 'support-line.yaml'), ...creds, '--json'],
    bare,
  );
  assert.equal(created.code, 0, created.stderr);
  const phlo = JSON.parse(created.stdout) as {
    phloId: string;
    version: number;
    nodes: { nodeId: string; name: string }[];
    document: { nodes: { id: string; name: string }[] };
  };
  assert.equal(phlo.version, 1);
  const nodeId = phlo.document.nodes[0].id;
  assert.deepEqual(phlo.nodes[0], { nodeId, name: phlo.document.nodes[0].name });
  assert.doesNotMatch(created.stdout, new RegExp(srv.authToken), 'no credentials in the output');

  const env = cliEnv(dir, serverEnv(srv));
  const got = await cli(['phlo', 'get', phlo.phloId], env);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, new RegExp(`^PHLO {5}${phlo.phloId}$`, 'm'));
  assert.match(got.stdout, new RegExp(`^node  ${nodeId}  ${phlo.document.nodes[0].name}$`, 'm'));
  const listed = await cli(['phlo', 'list'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^PHLO_ID +VERSION +NODES +NAME$/m);
  assert.match(
    listed.stdout,
    new RegExp(`^${srv.phloId} +1 +1 +`, 'm'),
    'the example from first start',
  );
  assert.match(listed.stdout, new RegExp(`^${phlo.phloId} +1 +1 +`, 'm'));

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
  const replaced = await cli(['phlo', 'replace', phlo.phloId, changed, '--json'], env);
  assert.equal(replaced.code, 0, replaced.stderr);
  const after = JSON.parse(replaced.stdout) as {
    name: string;
    version: number;
    nodes: { nodeId: string }[];
  };
  assert.equal(after.name, 'Renamed');
  assert.equal(after.version, 2);
  assert.equal(after.nodes[0].nodeId, nodeId, 'node ids are kept by name');

  // Exit 1: the server said no — its message, the HTTP status and the request's api_id.
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'name: x\nnodes:\n  - type: multi_party_call\n    name: n\n    from: a\n    to: b\n    colour: blue\n',
  );
  const refused = await cli(['phlo', 'create', bad], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^partyline: .*colour.* \(HTTP 400, api_id [0-9a-f-]{36}\)$/m);

  const deleted = await cli(['phlo', 'delete', phlo.phloId], env);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, `deleted PHLO ${phlo.phloId}\n`);
  const gone = await cli(['phlo', 'get', phlo.phloId, '--json'], env);
  assert.equal(gone.code, 1);
  assert.equal(gone.stdout, '');
  assert.match(gone.stderr, /PHLO .* not found \(HTTP 404/);
  const wrong = await cli(['phlo', 'list', '--auth-token', 'not-the-token'], env);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /\(HTTP 401.*check --auth-id\/--auth-token/);

  // A profile of the credentials file, picked with --profile; flags and variables win over it.
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({ lab: { url: srv.baseUrl, auth_id: srv.authId, auth_token: srv.authToken } }),
  );
  const plivoEnv = cliEnv(dir, {
    PLIVO_AUTH_ID: srv.authId,
    PLIVO_AUTH_TOKEN: srv.authToken,
    PARTYLINE_BASE_URL: srv.baseUrl,
  });
  const [fromProfile, fromPlivo] = await Promise.all([
    cli(['phlo', 'list', '--profile', 'lab', '--json'], bare),
    cli(['phlo', 'list'], plivoEnv),
  ]);
  assert.equal(fromProfile.code, 0, fromProfile.stderr);
  assert.equal(fromPlivo.code, 0, "Plivo's variables work too: " + fromPlivo.stderr);
  assert.deepEqual(
    (JSON.parse(fromProfile.stdout) as { phloId: string }[]).map((p) => p.phloId),
    [srv.phloId],
  );

  // Exit 2: usage — the message names the flag, variable or file that fixes it. (In parallel: each
  // is a process start.)
  const [noCreds, noProfile, missing, noPhlo, badFlag, unknown, both, help] = await Promise.all([
    cli(['phlo', 'list', '--url', srv.baseUrl], bare),
    cli(['phlo', 'list', '--profile', 'nope'], bare),
    cli(['phlo', 'create', join(dir, 'nope.yaml'), ...creds], bare),
    cli(['calls', ...creds], bare),
    cli(['calls', '--limit', 'x'], env),
    cli(['member', 'squash', '+1415'], env),
    cli(['transfer', '--warm', '--cold', 'a', 'b'], env),
    cli(['call', '--help'], bare),
  ]);
  assert.equal(noCreds.code, 2);
  assert.match(
    noCreds.stderr,
    /credentials needed: pass --auth-id and --auth-token, set PARTYLINE_AUTH_ID/,
  );
  assert.equal(noProfile.code, 2);
  assert.match(noProfile.stderr, /no profile "nope" in .*credentials\.json \(it has: lab\)/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*nope\.yaml/);
  assert.equal(noPhlo.code, 2);
  assert.match(noPhlo.stderr, /which PHLO\? pass --phlo PHLO_ID, set PARTYLINE_PHLO_ID/);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /option '-n, --limit <n>' argument 'x' is invalid/);
  assert.equal(unknown.code, 2);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /exactly one of --warm or --cold/);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: partyline call \[options\] <trigger_source> <to>/);
});

test('every command has --help with a description, and every command that acts has an example', () => {
  const walk = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(walk)];
  const all = walk(buildCli()).slice(1);
  const names = all.map((c) => c.name());
  for (const name of [
    'serve',
    'account',
    'phlo',
    'run',
    'call',
    'transfer',
    'abort-transfer',
    'member',
    'calls',
    'events',
  ])
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  for (const action of [
    'hold',
    'unhold',
    'hangup',
    'mute',
    'unmute',
    'resume',
    'voicemail-drop',
    'coach',
    'barge',
    'listen',
  ])
    assert.ok(names.includes(action), `member ${action}`);
  for (const cmd of all) {
    assert.ok(cmd.description().length > 10, `${cmd.name()} has a description`);
    assert.match(cmd.helpInformation(), /Usage: partyline /);
  }
  // Examples are printed after the help (addHelpText), so they show only in the help output.
  for (const cmd of walk(buildCli()).slice(1)) {
    if (['agent', 'dial', 'account', 'demo', 'help'].includes(cmd.name())) continue; // demo: src/demo's
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s) });
    cmd.outputHelp();
    assert.match(
      text,
      /Examples?:\n {2}(\S+=\S+ )?partyline /,
      `${cmd.name()} --help shows an example`,
    );
  }
});
