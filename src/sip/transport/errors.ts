/** Typed failures of the transport layer; nothing else is ever thrown or rejected from its send paths. */

export type TransportErrorCode =
  'unreachable' | 'refused' | 'timeout' | 'closed' | 'too-large' | 'no-transport';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Maps a Node socket error (errno code) onto the transport error the layers
 * above reason about: the transaction layer treats any of them as a
 * transport error (RFC 3261 §17.1.4, §8.1.3.1) but logs and metrics like to
 * tell them apart.
 */
export function fromSocketError(err: unknown, context: string): TransportError {
  if (err instanceof TransportError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = err instanceof Error ? err.message : String(err);
  const message = `${context}: ${detail}`;
  switch (code) {
    case 'ECONNREFUSED':
      return new TransportError('refused', message, { cause: err });
    case 'ETIMEDOUT':
      return new TransportError('timeout', message, { cause: err });
    case 'EMSGSIZE':
      return new TransportError('too-large', message, { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_SOCKET_DGRAM_NOT_RUNNING':
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_STREAM_WRITE_AFTER_END':
      return new TransportError('closed', message, { cause: err });
    default:
      // EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, EAFNOSUPPORT, ENOTFOUND ...
      return new TransportError('unreachable', message, { cause: err });
  }
}
