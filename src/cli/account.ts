/** `partyline account create|list`: accounts live in the server's store (run where the server's dataDir is). */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isoNow } from '../mpc/index.js';
import { openStore } from '../store/index.js';
import { createAccount } from '../server/index.js';
import { readConfig } from './program.js';

export function registerAccount(program: Command): void {
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
    .action(async (opts: { name: string; dataDir?: string; json?: boolean }) => {
      const config = readConfig(program);
      const store = await openStore({ dataDir: resolve(opts.dataDir ?? config.dataDir) });
      try {
        const created = await createAccount(store, isoNow, opts.name);
        if (opts.json)
          console.log(JSON.stringify({ auth_id: created.authId, auth_token: created.authToken }));
        else {
          console.log(`AUTH_ID     ${created.authId}`);
          console.log(`AUTH_TOKEN  ${created.authToken}`);
          console.log('(the token is shown only now: only its hash is stored)');
        }
      } finally {
        await store.close();
      }
    });
  account
    .command('list')
    .description('list accounts (ids, names, creation times; never tokens)')
    .option('--data-dir <dir>', "data directory (default: the configuration's dataDir)")
    .option('--json', 'print JSON')
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const config = readConfig(program);
      const store = await openStore({ dataDir: resolve(opts.dataDir ?? config.dataDir) });
      try {
        const accounts = await store.listAccounts();
        if (opts.json)
          console.log(
            JSON.stringify(
              accounts.map((a) => ({ auth_id: a.authId, name: a.name, created_on: a.createdOn })),
            ),
          );
        else for (const a of accounts) console.log(`${a.authId}  ${a.createdOn}  ${a.name}`);
      } finally {
        await store.close();
      }
    });
}
