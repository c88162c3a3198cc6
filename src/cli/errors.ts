/**
 * What the CLI tells a person when something stops it, and its exit status:
 * 1 when the server said no (its message, HTTP status and api_id) or could
 * not be reached, 2 for a usage error (the flag or variable that fixes it).
 */
import { ApiError, ConnectionError, PartylineError, TimeoutError } from '@partyline/client';

export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

/** An error a person can act on: the message alone, with its exit status. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_REFUSED,
  ) {
    super(message);
  }
}

/** A usage error (exit 2): bad or missing flags, credentials, files. */
export function usage(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/** The message and status for an error of @partyline/client, naming the server it talked to. */
export function fromClientError(err: PartylineError, baseUrl: string): CliError {
  if (err instanceof ApiError) {
    const id = err.apiId ? `, api_id ${err.apiId}` : '';
    const hint =
      err.status === 401
        ? ' — check --auth-id/--auth-token, PARTYLINE_AUTH_ID/PARTYLINE_AUTH_TOKEN or the profile'
        : '';
    return new CliError(`${err.message} (HTTP ${err.status}${id})${hint}`);
  }
  if (err instanceof ConnectionError || err instanceof TimeoutError)
    return new CliError(
      `cannot reach the server at ${baseUrl}: ${err.message} — is it running? ` +
        '(--url or PARTYLINE_URL sets where)',
    );
  return new CliError(err.message);
}
