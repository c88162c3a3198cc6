/** Why the domain refused a request; the HTTP layer maps each kind to a status. */
export type MpcErrorKind =
  | 'validation'
  | 'not-available'
  | 'not-found'
  | 'conflict'
  /** Over a limit of the account's (its live calls): try again later. */
  | 'rate-limited'
  | 'unavailable';

export class MpcError extends Error {
  override readonly name = 'MpcError';
  constructor(
    readonly kind: MpcErrorKind,
    message: string,
  ) {
    super(message);
  }
}
