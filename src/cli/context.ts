/**
 * From a command's flags to a @partyline/client PhloClient (the CLI's only
 * way to the API) and, for node commands, the Multi-Party Call node.
 */
import { PartylineError, PhloClient, type MultiPartyCall } from '@partyline/client';
import type { Config } from '../config/index.js';
import { resolveTarget, type ApiFlags, type Target } from './credentials.js';
import { CliError, fromClientError, usage } from './errors.js';
import type { ReadConfig } from './settings.js';

export interface NodeFlags extends ApiFlags {
  phlo?: string;
  node?: string;
  json?: boolean;
}

export interface Api {
  client: PhloClient;
  target: Target;
  /** Runs `fn`, turning the client's errors into what the CLI prints (naming the server). */
  guard<T>(fn: () => Promise<T>): Promise<T>;
}

export interface NodeApi extends Api {
  mpc: MultiPartyCall;
}

/** The configured HTTP address as a URL a client can reach (a wildcard host means this machine). */
export function configuredUrl(config: Config): string {
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}

export async function connect(
  flags: ApiFlags,
  readConfig: ReadConfig,
  env = process.env,
): Promise<Api> {
  const partial = resolveTarget(flags, env);
  const target = { ...partial, url: partial.url ?? configuredUrl(await readConfig()) };
  const client = new PhloClient(target.authId, target.authToken, { baseUrl: target.url });
  return {
    client,
    target,
    async guard<T>(fn: () => Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof PartylineError) throw fromClientError(err, target.url);
        throw err;
      }
    },
  };
}

/** The node of `--phlo` / `--node`; without `--node`, the PHLO's first multi_party_call node. */
export async function connectNode(
  flags: NodeFlags,
  readConfig: ReadConfig,
  env = process.env,
): Promise<NodeApi> {
  const api = await connect(flags, readConfig, env);
  const phloId = flags.phlo || api.target.phloId;
  if (!phloId)
    throw usage(
      'which PHLO? pass --phlo PHLO_ID, set PARTYLINE_PHLO_ID, or add phlo_id to the profile ' +
        '(partyline phlo list shows them)',
    );
  if (flags.node) return { ...api, mpc: api.client.phlo(phloId).multiPartyCall(flags.node) };
  const phlo = await api.guard(() => api.client.phlo.get(phloId));
  const first = phlo.nodes[0];
  if (!first) throw new CliError(`PHLO ${phloId} has no multi_party_call node`);
  return { ...api, mpc: phlo.multiPartyCall(first.nodeId) };
}
