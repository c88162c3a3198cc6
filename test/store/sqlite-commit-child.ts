/**
 * Child process for the SIGKILL test in sqlite.test.ts: opens the store at
 * argv[2], commits the change set in argv[3] (JSON: { account, changes }),
 * prints `committed` once commit() resolved, then waits to be killed.
 */
import { SqliteStore, type AccountRecord, type ChangeSet } from '../../src/store/index.js';

const [path, input] = process.argv.slice(2);
const { account, changes } = JSON.parse(input) as { account: AccountRecord; changes: ChangeSet };
const store = new SqliteStore({ path });
await store.open();
await store.createAccount(account);
await store.commit(changes);
process.stdout.write('committed\n');
// Keep the event loop alive (and the store open) until the parent kills us.
setInterval(() => {}, 60_000);
