/**
 * `partyline account create|list`: accounts live in the server's store (run
 * where the server's dataDir is). `create --save` (or answering yes when
 * asked on a terminal) writes the new credentials into a profile of the
 * credentials file, which the API commands then read.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { Store } from '../store/index.js';
import type { Config } from '../config/index.js';
import { configuredUrl } from './context.js';
import { credentialsPath, saveProfile } from './credentials.js';
import { examples } from './options.js';
import type { ReadConfig } from './settings.js';
import { printJson, printLines } from './views.js';
import { columns } from './table.js';

interface CreateFlags {
  name: string;
  dataDir?: string;
  json?: boolean;
  save?: boolean;
  profile: string;
  url?: string;
  phlo?: string;
}

async function withStore<T>(
  config: Config,
  dataDir: string | undefined,
  fn: (s: Store) => Promise<T>,
): Promise<T> {
  // The store (SQLite) and the server's modules load only for the account commands.
  const { openStore } = await import('../store/index.js');
  const store = await openStore({ dataDir: resolve(dataDir ?? config.dataDir) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** On a terminal, without --save or --no-save: ask. Anywhere else: only what the flags say. */
async function shouldSave(flags: CreateFlags, path: string): Promise<boolean> {
  if (flags.save !== undefined) return flags.save;
  if (flags.json || !process.stdin.isTTY || !process.stdout.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Save them to ${path} as profile "${flags.profile}"? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function registerAccount(program: Command, readConfig: ReadConfig): void {
  const account = program
    .command('account')
    .description('manage API accounts (AUTH_ID / AUTH_TOKEN) in the data directory');
  account
    .command('create')
    .description(
      'create an account; prints its AUTH_ID and AUTH_TOKEN (the token is shown only once)',
    )
    .option('-n, --name <name>', 'a label for the account', 'account')
    .option('--data-dir <dir>', "data directory (default: the configuration's dataDir)")
    .option('--json', 'print JSON')
    .option(
      '--save',
      'save the credentials as a profile of the credentials file (asked on a terminal)',
    )
    .option('--no-save', 'do not save, do not ask')
    .option('--profile <name>', 'the profile --save writes', 'default')
    .option('--url <url>', 'the server URL --save writes (default: the configured HTTP address)')
    .option('--phlo <phlo_id>', 'a default PHLO --save writes (for call, calls, events, …)')
    .addHelpText(
      'after',
      examples(
        'partyline account create --name ops --save     # then: partyline phlo list',
        'partyline account create --json --no-save',
      ),
    )
    .action(async (flags: CreateFlags) => {
      const config = await readConfig();
      const [{ createAccount }, { isoNow }] = await Promise.all([
        import('../server/index.js'),
        import('../mpc/index.js'),
      ]);
      const created = await withStore(config, flags.dataDir, (store) =>
        createAccount(store, isoNow, flags.name),
      );
      if (flags.json) printJson({ auth_id: created.authId, auth_token: created.authToken });
      else
        printLines([
          `AUTH_ID     ${created.authId}`,
          `AUTH_TOKEN  ${created.authToken}`,
          '(the token is shown only now: only its hash is stored)',
        ]);
      const path = credentialsPath(process.env);
      if (!(await shouldSave(flags, path))) return;
      saveProfile(path, flags.profile, {
        url: flags.url ?? configuredUrl(config),
        auth_id: created.authId,
        auth_token: created.authToken,
        ...(flags.phlo ? { phlo_id: flags.phlo } : {}),
      });
      process.stderr.write(`saved as profile "${flags.profile}" in ${path}\n`);
    });
  account
    .command('list')
    .description('list accounts (ids, names, creation times; never tokens)')
    .addHelpText('after', examples('partyline account list --data-dir ./data'))
    .option('--data-dir <dir>', "data directory (default: the configuration's dataDir)")
    .option('--json', 'print JSON')
    .action(async (flags: { dataDir?: string; json?: boolean }) => {
      const accounts = await withStore(await readConfig(), flags.dataDir, (s) => s.listAccounts());
      if (flags.json)
        printJson(
          accounts.map((a) => ({ auth_id: a.authId, name: a.name, created_on: a.createdOn })),
        );
      else printLines(columns(accounts.map((a) => [a.authId, a.createdOn, a.name])));
    });
}
