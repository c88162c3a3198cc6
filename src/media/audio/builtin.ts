import { AudioFileError } from './errors.js';
import type { AudioSource } from './source.js';
import { SAMPLE_RATE } from './source.js';
import { SilenceSource, ToneSource, type ToneCadence } from './tone-source.js';

/**
 * The built-in sources, by name:
 *   beep:1     one 400 ms 1 kHz beep, then ends (enter sound)
 *   beep:2     two 200 ms 1 kHz beeps 200 ms apart, then ends (exit sound)
 *   ringback   US ringback, 440 + 480 Hz, 2 s on / 4 s off, loops
 *              (ANSI T1.401, the North American audible ringing tone)
 *   silence    zeros, never ends
 *   none       ends at once (the "no sound" choice of enter/exit sounds)
 *   tone:<Hz>[:<ms>]  a sine, forever or for <ms> (tests use these)
 */

const BEEP_HZ = 1000;

const CADENCES = new Map<string, ToneCadence>(
  Object.entries({
    'beep:1': { segments: [{ freqs: [BEEP_HZ], ms: 400 }], loop: false },
    'beep:2': {
      segments: [
        { freqs: [BEEP_HZ], ms: 200 },
        { freqs: [], ms: 200 },
        { freqs: [BEEP_HZ], ms: 200 },
      ],
      loop: false,
    },
    ringback: {
      segments: [
        { freqs: [440, 480], ms: 2000 },
        { freqs: [], ms: 4000 },
      ],
      loop: true,
    },
  }),
);

const TONE_RE = /^tone:(\d+(?:\.\d+)?)(?::(\d+))?$/;
/** One day: a longer tone is a typo, not a request. */
const MAX_TONE_MS = 86_400_000;

/** True when `spec` names a built-in source (it may still be malformed, e.g. "tone:9000"). */
export function isBuiltinSpec(spec: string): boolean {
  return CADENCES.has(spec) || spec === 'silence' || spec === 'none' || spec.startsWith('tone:');
}

/** The built-in source named `spec`, or undefined if it is not a built-in name. Throws AudioFileError for a malformed tone spec. */
export function builtinSource(spec: string): AudioSource | undefined {
  const cadence = CADENCES.get(spec);
  if (cadence) return new ToneSource(spec, cadence);
  if (spec === 'silence') return new SilenceSource(spec);
  if (spec === 'none') return new SilenceSource(spec, 0);
  if (!spec.startsWith('tone:')) return undefined;
  const m = TONE_RE.exec(spec);
  if (!m) throw new AudioFileError(`malformed tone "${spec}" (expected tone:<Hz>[:<ms>])`);
  const freq = Number(m[1]);
  // The tone must be representable at 8 kHz: below the Nyquist frequency.
  if (!(freq > 0 && freq < SAMPLE_RATE / 2)) {
    throw new AudioFileError(
      `tone frequency ${m[1]} Hz out of range (must be above 0 and below ${SAMPLE_RATE / 2})`,
    );
  }
  const ms = m[2] === undefined ? Infinity : Number(m[2]);
  if (m[2] !== undefined && (ms === 0 || ms > MAX_TONE_MS)) {
    throw new AudioFileError(`tone duration ${m[2]} ms out of range (1–${MAX_TONE_MS})`);
  }
  return new ToneSource(spec, { segments: [{ freqs: [freq], ms }], loop: false });
}
