/**
 * Where the API commands find the server and the account: flags, then the
 * environment (PARTYLINE_URL or PARTYLINE_BASE_URL, PARTYLINE_AUTH_ID /
 * PARTYLINE_AUTH_TOKEN, else PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN, PARTYLINE_PHLO_ID),
 * then a profile of the credentials file
 * (`$XDG_CONFIG_HOME/partyline/credentials.json`, default
 * `~/.config/partyline/credentials.json`, or PARTYLINE_CREDENTIALS):
 *
 *   { "default": { "url": "http://127.0.0.1:8080", "auth_id": "MA…", "auth_token": "…", "phlo_id": "…" } }
 *
 * `--profile NAME` (or PARTYLINE_PROFILE) picks another entry than "default".
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { usage } from './errors.js';

export type Env = Record<string, string | undefined>;

/** The flags every API command takes. */
export interface ApiFlags {
  url?: string;
  authId?: string;
  authToken?: string;
  profile?: string;
}

/** One entry of the credentials file (snake_case, like the API and the variables). */
export interface Profile {
  url?: string;
  auth_id?: string;
  auth_token?: string;
  phlo_id?: string;
}

/** The server and account a command talks to. */
export interface Target {
  url: string;
  authId: string;
  authToken: string;
  /** The PHLO used when a command is given no --phlo (PARTYLINE_PHLO_ID or the profile's). */
  phloId?: string;
}

/** A Target whose URL may still be missing (then the configured HTTP address is used). */
export type PartialTarget = Omit<Target, 'url'> & { url?: string };

export function credentialsPath(env: Env): string {
  if (env.PARTYLINE_CREDENTIALS) return env.PARTYLINE_CREDENTIALS;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'partyline', 'credentials.json');
}

export function readProfiles(path: string): Record<string, Profile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw usage(`cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usage(`${path}: not JSON (${(err as Error).message}); fix or remove it`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw usage(`${path}: must be an object of profiles, e.g. {"default": {"auth_id": …}}`);
  return parsed as Record<string, Profile>;
}

/** Flags over environment over profile; without a URL from any of them, `url` is left out. */
export function resolveTarget(flags: ApiFlags, env: Env): PartialTarget {
  const path = credentialsPath(env);
  const name = flags.profile || env.PARTYLINE_PROFILE || 'default';
  const profiles = readProfiles(path);
  const profile = profiles[name];
  if (!profile && (flags.profile || env.PARTYLINE_PROFILE))
    throw usage(
      `no profile "${name}" in ${path} (it has: ${Object.keys(profiles).join(', ') || 'none'}); ` +
        `save one with: partyline account create --save --profile ${name}`,
    );
  const authId =
    flags.authId || env.PARTYLINE_AUTH_ID || env.PLIVO_AUTH_ID || profile?.auth_id || '';
  const authToken =
    flags.authToken ||
    env.PARTYLINE_AUTH_TOKEN ||
    env.PLIVO_AUTH_TOKEN ||
    profile?.auth_token ||
    '';
  if (!authId || !authToken)
    throw usage(
      `credentials needed: pass --auth-id and --auth-token, set PARTYLINE_AUTH_ID and ` +
        `PARTYLINE_AUTH_TOKEN, or save them in ${path} (partyline account create --save)`,
    );
  const url = flags.url || env.PARTYLINE_URL || env.PARTYLINE_BASE_URL || profile?.url;
  if (url !== undefined && !URL.canParse(url))
    throw usage(`not a URL: ${url} (--url or PARTYLINE_URL, e.g. http://127.0.0.1:8080)`);
  const phloId = env.PARTYLINE_PHLO_ID || profile?.phlo_id || undefined;
  return { url, authId, authToken, phloId };
}

/** Adds or replaces one profile; the file is readable by its owner only (it holds a token). */
export function saveProfile(path: string, name: string, profile: Profile): void {
  const profiles = readProfiles(path);
  profiles[name] = { ...profiles[name], ...profile };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(profiles, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
