/** `partyline demo [--out DIR] [--keep] [--voices auto|tones|speech] [--silent PART]`. */
import { InvalidArgumentError, type Command } from 'commander';
import { PARTS, type Part, type VoiceMode } from './parts.js';

const MODES: readonly VoiceMode[] = ['auto', 'tones', 'speech'];

function voices(value: string): VoiceMode {
  if (!MODES.includes(value as VoiceMode))
    throw new InvalidArgumentError(`must be one of ${MODES.join(', ')}`);
  return value as VoiceMode;
}

function parts(value: string, previous: Part[] = []): Part[] {
  const names = value.split(',').map((v) => v.trim());
  for (const n of names)
    if (!PARTS.includes(n as Part))
      throw new InvalidArgumentError(`must be ${PARTS.join(', ')} (or a comma-separated list)`);
  return [...previous, ...(names as Part[])];
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'start a server and three virtual phones, run a call through the SDK (add a user, ' +
        'hold, warm transfer) and check by tone detection what every phone hears',
    )
    .option('-o, --out <dir>', 'where recording.wav and summary.json go', './partyline-demo')
    .option('--keep', 'leave the server and the phones running afterwards (Ctrl-C stops them)')
    .option(
      '--voices <mode>',
      'tones, speech (espeak-ng phrases over pilot tones) or auto: speech when espeak-ng is installed',
      voices,
      'auto' as VoiceMode,
    )
    .option(
      '--silent <part>',
      `a phone (${PARTS.join(', ')}) that sends silence: shows what a failed check looks like`,
      parts,
    )
    .action(async (opts: { out: string; keep?: boolean; voices: VoiceMode; silent?: Part[] }) => {
      const g = program.opts<{ logLevel?: string }>();
      // Loaded here, not at the top: it brings the whole server and the phones (≈ 0.8 s of
      // CPU), which no other command of the CLI needs at start.
      const { runDemo } = await import('./run-demo.js');
      const code = await runDemo({
        out: opts.out,
        keep: opts.keep === true,
        voices: opts.voices,
        silent: opts.silent ?? [],
        logLevel: g.logLevel ?? 'silent',
      }).catch((err: unknown) => {
        // The stage could not start (no free ports, no espeak-ng for --voices speech …): one line.
        console.error(`partyline demo: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
      });
      process.exit(code);
    });
}
