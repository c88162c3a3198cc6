/** Thrown/rejected when an in-dialog request we sent fails (with its status when one came). */
export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
