/** Errors the engine throws synchronously, before anything is sent. */
export type EngineErrorCode = 'bad-address' | 'closed' | 'duplicate-conference';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
