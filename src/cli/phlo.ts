/**
 * `partyline phlo create|replace|get|list|delete`: PHLO management over the
 * server's REST API (our extension). Credentials and URL from flags or
 * PARTYLINE_URL / PARTYLINE_AUTH_ID / PARTYLINE_AUTH_TOKEN (PLIVO_AUTH_ID /
 * PLIVO_AUTH_TOKEN also work).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, readConfig } from './program.js';

interface ApiFlags {
  url?: string;
  authId?: string;
  authToken?: string;
}

interface Target {
  base: string;
  authorization: string;
}

function target(program: Command, flags: ApiFlags): Target {
  const config = readConfig(program);
  const base =
    flags.url ?? process.env.PARTYLINE_URL ?? `http://${config.http.host}:${config.http.port}`;
  const authId = flags.authId ?? process.env.PARTYLINE_AUTH_ID ?? process.env.PLIVO_AUTH_ID;
  const authToken =
    flags.authToken ?? process.env.PARTYLINE_AUTH_TOKEN ?? process.env.PLIVO_AUTH_TOKEN;
  if (!authId || !authToken)
    throw new CliError(
      'credentials needed: --auth-id and --auth-token, or PARTYLINE_AUTH_ID and PARTYLINE_AUTH_TOKEN',
      2,
    );
  return {
    base: base.replace(/\/+$/, ''),
    authorization: `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`,
  };
}

async function request(
  t: Target,
  method: string,
  path: string,
  body?: { text: string; type: string },
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(`${t.base}${path}`, {
      method,
      headers: {
        authorization: t.authorization,
        accept: 'application/json',
        ...(body ? { 'content-type': body.type } : {}),
      },
      body: body?.text,
    });
  } catch (err) {
    throw new CliError(`cannot reach the server at ${t.base}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError(
      `the server answered ${res.status} with a non-JSON body: ${text.slice(0, 200)}`,
    );
  }
  if (!res.ok) throw new CliError(`${res.status}: ${String(json.error ?? text)}`);
  return json;
}

async function documentBody(file: string): Promise<{ text: string; type: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  return { text, type: /\.ya?ml$/i.test(file) ? 'application/yaml' : 'application/json' };
}

function print(json: Record<string, unknown>): void {
  console.log(JSON.stringify(json, null, 2));
}

function withApiFlags(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'server base URL (default PARTYLINE_URL or the configured http host:port)',
    )
    .option('--auth-id <id>', 'AUTH_ID (default PARTYLINE_AUTH_ID)')
    .option('--auth-token <token>', 'AUTH_TOKEN (default PARTYLINE_AUTH_TOKEN)');
}

export function registerPhlo(program: Command): void {
  const phlo = program.command('phlo').description('manage PHLO documents on a running server');
  withApiFlags(
    phlo.command('create <file>').description('create a PHLO from a JSON or YAML file'),
  ).action(async (file: string, flags: ApiFlags) =>
    print(await request(target(program, flags), 'POST', '/v1/phlo', await documentBody(file))),
  );
  withApiFlags(
    phlo.command('replace <phlo_id> <file>').description('replace a PHLO (node ids kept by name)'),
  ).action(async (id: string, file: string, flags: ApiFlags) =>
    print(
      await request(
        target(program, flags),
        'PUT',
        `/v1/phlo/${encodeURIComponent(id)}`,
        await documentBody(file),
      ),
    ),
  );
  withApiFlags(phlo.command('get <phlo_id>').description('show a PHLO and its document')).action(
    async (id: string, flags: ApiFlags) =>
      print(await request(target(program, flags), 'GET', `/v1/phlo/${encodeURIComponent(id)}`)),
  );
  withApiFlags(phlo.command('list').description("list the account's PHLOs")).action(
    async (flags: ApiFlags) => print(await request(target(program, flags), 'GET', '/v1/phlo')),
  );
  withApiFlags(
    phlo.command('delete <phlo_id>').description('delete a PHLO (its call history stays)'),
  ).action(async (id: string, flags: ApiFlags) =>
    print(await request(target(program, flags), 'DELETE', `/v1/phlo/${encodeURIComponent(id)}`)),
  );
}
