/** Flag parsers and the option sets several commands share. */
import { InvalidArgumentError, type Command } from 'commander';
import type { Role } from '@partyline/client';

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

export function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer ≥ 1');
  return n;
}

export const ROLES: readonly Role[] = ['agent', 'customer', 'supervisor'];

export function role(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

/** `--url`, `--auth-id`, `--auth-token`, `--profile` and `--json`: every command that calls the API. */
export function withApiOptions(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'server base URL (default PARTYLINE_URL, the profile, or the configured HTTP address)',
    )
    .option('--auth-id <id>', 'AUTH_ID (default PARTYLINE_AUTH_ID, PLIVO_AUTH_ID, or the profile)')
    .option(
      '--auth-token <token>',
      'AUTH_TOKEN (default PARTYLINE_AUTH_TOKEN, PLIVO_AUTH_TOKEN, or the profile)',
    )
    .option(
      '--profile <name>',
      'profile of the credentials file (default PARTYLINE_PROFILE or "default")',
    )
    .option('--json', 'print JSON (the objects @partyline/client returns) instead of text');
}

/** `--phlo` and `--node`: the commands that act on one Multi-Party Call node. */
export function withNodeOptions(cmd: Command): Command {
  return withApiOptions(cmd)
    .option('--phlo <phlo_id>', "the PHLO (default PARTYLINE_PHLO_ID or the profile's phlo_id)")
    .option('--node <node_id>', "its multi_party_call node (default: the PHLO's first)");
}

/** `--wait` and `--timeout`: the commands that dial someone and can follow the dial. */
export function withWaitOptions(cmd: Command): Command {
  return cmd
    .option(
      '-w, --wait',
      'follow the dialled member (dialing, ringing, …) until it connects or fails',
    )
    .option('--timeout <seconds>', 'how long --wait waits', seconds, 60);
}

/** The `Examples:` text under a command's --help (`.addHelpText('after', examples(…))`), one line each. */
export function examples(...lines: string[]): string {
  return `\n${lines.length === 1 ? 'Example' : 'Examples'}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
