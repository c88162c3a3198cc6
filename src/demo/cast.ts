/**
 * The demo's three people — an agent, a customer and a third user — as
 * virtual phones, and the sounds the checks listen for. Each voice has a
 * frequency of its own, apart from the example PHLO's hold music (440 Hz
 * for agents, 660 Hz for customers), the 1 kHz enter/exit beeps and the
 * 440 + 480 Hz ringback, so a Goertzel level says exactly who (or what) a
 * phone hears.
 */
import type { Logger } from 'pino';
import type { MixerClock, PortPool } from '../media/index.js';
import { VirtualPhone, speak, speechVoice, toneVoice, type Voice } from '../phones/index.js';

import { PARTS, type Part, type VoiceMode } from './parts.js';

export { PARTS, type Part, type VoiceMode };

/** Something a phone may hear, and the frequency that identifies it. */
export interface Sound {
  name: string;
  hz: number;
}

interface Casting {
  hz: number;
  phrase: string;
  /** espeak-ng voice. */
  espeak: string;
}

const CASTING: Record<Part, Casting> = {
  agent: { hz: 1200, phrase: 'Hello, this is Alice, your agent.', espeak: 'en-us+f3' },
  customer: { hz: 1600, phrase: 'Hi, I am Bob, the customer.', espeak: 'en-us+m3' },
  third: { hz: 2000, phrase: 'Carol here, from billing.', espeak: 'en-gb+f4' },
};

/** The example PHLO's (examples/support-line.yaml) hold music, by role. */
export const AGENT_HOLD: Sound = { name: 'agent hold music', hz: 440 };
export const CUSTOMER_HOLD: Sound = { name: 'customer hold music', hz: 660 };

const VOICES: Record<Part, Sound> = {
  agent: { name: 'the agent', hz: CASTING.agent.hz },
  customer: { name: 'the customer', hz: CASTING.customer.hz },
  third: { name: 'the third user', hz: CASTING.third.hz },
};

/** The sound of a part's voice (one object per part: checks compare them by identity). */
export function voiceOf(part: Part): Sound {
  return VOICES[part];
}

/** Every frequency a check listens for: the speech is notched at each. */
const LISTENED_HZ = [...PARTS.map((p) => CASTING[p].hz), AGENT_HOLD.hz, CUSTOMER_HOLD.hz];

export interface Cast {
  phones: Record<Part, VirtualPhone>;
  /** What the voices are: tones, or speech (espeak-ng) over pilot tones. */
  kind: 'tone' | 'speech';
  close(): Promise<void>;
}

export interface CastOptions {
  mode: VoiceMode;
  pool: PortPool;
  clock: MixerClock;
  logger: Logger;
  /** Parts whose phones send silence (to see a failed check). */
  silent: readonly Part[];
}

/**
 * The three phones. Speech when espeak-ng renders every phrase ('auto'
 * falls back to tones when it cannot; 'speech' fails instead).
 */
export async function startCast(opts: CastOptions): Promise<Cast> {
  const voices = await voicesFor(opts.mode);
  const phones = {} as Record<Part, VirtualPhone>;
  try {
    for (const part of PARTS)
      phones[part] = await VirtualPhone.start({
        name: part,
        voice: voices[part],
        pool: opts.pool,
        clock: opts.clock,
        logger: opts.logger,
        silent: opts.silent.includes(part),
      });
  } catch (err) {
    await Promise.all(Object.values(phones).map((p) => p.close()));
    throw err;
  }
  return {
    phones,
    kind: voices.agent.kind,
    close: async () => {
      await Promise.all(PARTS.map((p) => phones[p].close()));
    },
  };
}

async function voicesFor(mode: VoiceMode): Promise<Record<Part, Voice>> {
  const tones = (): Record<Part, Voice> => ({
    agent: toneVoice(CASTING.agent.hz),
    customer: toneVoice(CASTING.customer.hz),
    third: toneVoice(CASTING.third.hz),
  });
  if (mode === 'tones') return tones();
  const speech = await Promise.all(PARTS.map((p) => speak(CASTING[p].phrase, CASTING[p].espeak)));
  if (speech.some((s) => s === null)) {
    if (mode === 'speech')
      throw new Error('--voices speech needs espeak-ng (Debian: apt-get install espeak-ng)');
    return tones();
  }
  const voices = {} as Record<Part, Voice>;
  PARTS.forEach((p, i) => {
    voices[p] = speechVoice(CASTING[p].phrase, speech[i]!, CASTING[p].hz, LISTENED_HZ);
  });
  return voices;
}
