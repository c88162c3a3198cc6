/**
 * `partyline phlo create|replace|get|list|delete`: PHLO management over the
 * server's REST API (our extension), through @partyline/client.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Phlo, PhloDocument } from '@partyline/client';
import { connect, type Api } from './context.js';
import type { ApiFlags } from './credentials.js';
import { usage } from './errors.js';
import { withApiOptions, examples } from './options.js';
import type { ReadConfig } from './settings.js';
import { phloJson, phloLines, phloListLines, printJson, printLines } from './views.js';

type Flags = ApiFlags & { json?: boolean };

/** A JSON file as an object, anything else (YAML) as text: the server parses both. */
async function readDocument(file: string): Promise<PhloDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (/\.ya?ml$/i.test(file)) return text;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw usage(`${file}: not JSON (${(err as Error).message}); YAML files end in .yaml or .yml`);
  }
}

function show(flags: Flags, p: Phlo, verb?: string): void {
  if (flags.json) printJson(phloJson(p));
  else printLines(verb ? [`${verb} PHLO ${p.phloId}`, ...phloLines(p).slice(1)] : phloLines(p));
}

export function registerPhlo(program: Command, readConfig: ReadConfig): void {
  const api = (flags: Flags): Promise<Api> => connect(flags, readConfig);
  const phlo = program
    .command('phlo')
    .description('manage the PHLO documents of a running server')
    .addHelpText(
      'after',
      examples('partyline phlo create examples/support-line.yaml', 'partyline phlo list --json'),
    );
  withApiOptions(
    phlo
      .command('create <file>')
      .description('create a PHLO from a JSON or YAML file (.yaml/.yml are sent as YAML)')
      .addHelpText('after', examples('partyline phlo create examples/support-line.yaml --json')),
  ).action(async (file: string, flags: Flags) => {
    const a = await api(flags);
    const document = await readDocument(file);
    show(flags, await a.guard(() => a.client.phlo.create(document)), 'created');
  });
  withApiOptions(
    phlo
      .command('replace <phlo_id> <file>')
      .description("replace a PHLO's document (node ids are kept by node name)")
      .addHelpText('after', examples('partyline phlo replace $PHLO support-line-v2.yaml')),
  ).action(async (id: string, file: string, flags: Flags) => {
    const a = await api(flags);
    const document = await readDocument(file);
    show(flags, await a.guard(() => a.client.phlo.replace(id, document)), 'replaced');
  });
  withApiOptions(
    phlo
      .command('get <phlo_id>')
      .description('show a PHLO: its nodes (--json: and its document)')
      .addHelpText('after', examples('partyline phlo get $PHLO --json | jq .document')),
  ).action(async (id: string, flags: Flags) => {
    const a = await api(flags);
    show(flags, await a.guard(() => a.client.phlo.get(id)));
  });
  withApiOptions(
    phlo
      .command('list')
      .description("list the account's PHLOs")
      .addHelpText('after', examples('partyline phlo list')),
  ).action(async (flags: Flags) => {
    const a = await api(flags);
    const all = await a.guard(() => a.client.phlo.list());
    if (flags.json) printJson(all.map(phloJson));
    else printLines(phloListLines(all));
  });
  withApiOptions(
    phlo
      .command('delete <phlo_id>')
      .description('delete a PHLO (its call history stays)')
      .addHelpText('after', examples('partyline phlo delete $PHLO')),
  ).action(async (id: string, flags: Flags) => {
    const a = await api(flags);
    const done = await a.guard(() => a.client.phlo.delete(id));
    if (flags.json) printJson(done);
    else printLines([`deleted PHLO ${id}`]);
  });
}
