import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_CHARS, describeValue } from './describe.js';

/*
 * Audio source specs, checked for syntax only (the file or URL is not
 * opened here; the media layer does that when it plays, and falls back to
 * silence). The forms are those media/audio's openSource accepts:
 *   built-ins: beep:1, beep:2, ringback, silence, none, tone:<Hz>[:<ms>]
 *   a local WAV file: an absolute path, or a file:// URL
 *   an http(s) URL (downloaded once and cached)
 */

const BUILTINS = new Set(['beep:1', 'beep:2', 'ringback', 'silence', 'none']);
const TONE = /^tone:(\d+(?:\.\d+)?)(?::(\d+))?$/;
/** Below the Nyquist frequency of 8 kHz audio. */
const MAX_TONE_HZ = 4000;
const MAX_TONE_MS = 86_400_000;
const MAX_SPEC_LENGTH = 2048;
const FORMS =
  'beep:1, beep:2, ringback, silence, none, tone:<Hz>[:<ms>], an absolute path to a WAV file, ' +
  'a file:// URL or an http(s) URL';

/** Why `spec` is not an audio source spec, or undefined when it is one. */
export function checkAudioSpec(spec: unknown): string | undefined {
  if (typeof spec !== 'string') {
    return `must be an audio source (${FORMS}); got ${describeValue(spec)}`;
  }
  if (spec.trim() === '') return `is empty (expected ${FORMS})`;
  if (spec !== spec.trim()) return 'has leading or trailing spaces';
  if (spec.length > MAX_SPEC_LENGTH) return `is too long (at most ${MAX_SPEC_LENGTH} characters)`;
  if (CONTROL_CHARS.test(spec)) return 'contains control characters';
  if (spec.includes('{{'))
    return 'templates are not allowed in audio sources (only in from, to, agents, caller_id and event_callback_url)';
  if (BUILTINS.has(spec)) return undefined;

  if (spec.startsWith('tone:')) {
    const m = TONE.exec(spec);
    if (!m)
      return `${describeValue(spec)} is not a tone (expected tone:<Hz>[:<ms>], e.g. tone:440)`;
    const hz = Number(m[1]);
    if (!(hz > 0 && hz < MAX_TONE_HZ)) {
      return `tone frequency ${m[1]} Hz must be above 0 and below ${MAX_TONE_HZ}`;
    }
    if (m[2] !== undefined) {
      const ms = Number(m[2]);
      if (!(ms >= 1 && ms <= MAX_TONE_MS)) {
        return `tone duration ${m[2]} ms must be from 1 to ${MAX_TONE_MS}`;
      }
    }
    return undefined;
  }
  if (spec.startsWith('beep:')) return `unknown built-in ${describeValue(spec)} (beep:1 or beep:2)`;

  if (/^https?:/i.test(spec)) {
    let url: URL | undefined;
    try {
      url = new URL(spec);
    } catch {
      url = undefined;
    }
    if (!url || url.hostname === '' || !/^https?:\/\//i.test(spec)) {
      return `${describeValue(spec)} is not a valid http(s) URL`;
    }
    return undefined;
  }
  if (/^file:/i.test(spec)) {
    try {
      fileURLToPath(spec);
      return undefined;
    } catch {
      return `${describeValue(spec)} is not a valid file:// URL (e.g. file:///srv/moh/hold.wav)`;
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(spec)) {
    return `${describeValue(spec)}: only http(s) and file URLs are supported`;
  }
  if (isAbsolute(spec)) return undefined;
  if (/[/\\]|\.wav$/i.test(spec)) {
    return `${describeValue(spec)}: a local file must be given by its absolute path (e.g. /usr/share/asterisk/moh/macroform-cold_day.wav)`;
  }
  return `${describeValue(spec)} is not an audio source (expected ${FORMS})`;
}
