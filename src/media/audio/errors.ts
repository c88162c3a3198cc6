/**
 * The one error type this layer lets out. A bad WAV, a missing file, a failed
 * download or a failed recording all become an AudioFileError whose message
 * says what was wrong and with which file, so the caller (the mixer) can log
 * it and fall back to silence instead of crashing a call.
 */
export class AudioFileError extends Error {
  override readonly name = 'AudioFileError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Turns a Node fs error into a sentence a person can act on. */
export function describeFsError(err: unknown, path: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `file not found: ${path}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied: ${path}`;
    case 'EISDIR':
      return `is a directory, not a file: ${path}`;
    case 'ENOSPC':
      return `no space left on device writing ${path}`;
    default:
      return `cannot access ${path}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
