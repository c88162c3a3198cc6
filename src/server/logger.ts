/**
 * The server's logger: pino JSON lines by default (for log collectors);
 * readable lines for a person when stdout is a terminal or `--pretty` is
 * given (pino-pretty as a synchronous stream, no worker thread).
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const readable = options.pretty ?? process.stdout.isTTY === true;
  if (!readable) return pino({ level });
  return pino(
    { level },
    pretty({
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      sync: true,
    }),
  );
}
