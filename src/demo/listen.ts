/**
 * The hearing checks: at one moment of the script, what each phone must
 * hear and must not hear, by tone detection (the Goertzel level of each
 * sound's frequency over the phone's last 400 ms). Audio follows an action
 * by a few frames, more under load, so the check waits until every
 * condition holds at once — and still holds one whole window later, so the
 * levels it reports were measured entirely after the change. It fails with
 * the levels it measured last.
 */
import { HEARD_DB, HEARING_WINDOW_MS, NOT_HEARD_DB, type VirtualPhone } from '../phones/index.js';
import type { Part, Sound } from './cast.js';

export interface Expectation {
  part: Part;
  phone: VirtualPhone;
  hears: Sound[];
  notHears: Sound[];
}

export interface Measured {
  sound: string;
  hz: number;
  expected: 'heard' | 'not heard';
  levelDb: number;
  ok: boolean;
}

export interface Hearing {
  ok: boolean;
  /** ms from the start of the check until the measurement reported. */
  afterMs: number;
  phones: Partial<Record<Part, Measured[]>>;
}

const POLL_MS = 40;

export async function listen(expect: Expectation[], timeoutMs: number): Promise<Hearing> {
  const started = Date.now();
  let heldSince: number | null = null;
  for (;;) {
    const now = Date.now();
    const hearing = measure(expect, now - started);
    heldSince = hearing.ok ? (heldSince ?? now) : null;
    if (heldSince !== null && now - heldSince >= HEARING_WINDOW_MS) return hearing;
    if (now - started >= timeoutMs) return { ...hearing, ok: false };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function measure(expect: Expectation[], afterMs: number): Hearing {
  const phones: Hearing['phones'] = {};
  let ok = true;
  for (const e of expect) {
    const rows = [
      ...e.hears.map((s) => row(e.phone, s, 'heard')),
      ...e.notHears.map((s) => row(e.phone, s, 'not heard')),
    ];
    phones[e.part] = rows;
    ok &&= rows.every((r) => r.ok);
  }
  return { ok, afterMs, phones };
}

function row(phone: VirtualPhone, sound: Sound, expected: Measured['expected']): Measured {
  const levelDb = Math.round(phone.levelDb(sound.hz) * 10) / 10;
  const ok = expected === 'heard' ? levelDb >= HEARD_DB : levelDb < NOT_HEARD_DB;
  return { sound: sound.name, hz: sound.hz, expected, levelDb, ok };
}

function level(db: number): string {
  return db <= -150 ? 'nothing' : `${db.toFixed(1)} dB`;
}

/** A failed condition, said plainly: "does not hear the customer (1600 Hz: nothing; needs -30 dB)". */
export function describeFailure(m: Measured): string {
  return m.expected === 'heard'
    ? `does not hear ${m.sound} (${m.hz} Hz: ${level(m.levelDb)}; needs ${HEARD_DB} dB)`
    : `hears ${m.sound} (${m.hz} Hz: ${level(m.levelDb)}; must stay under ${NOT_HEARD_DB} dB)`;
}

/**
 * One phone's check on one line: "hears the agent -18.0 dB; not the third
 * user, hold music … (at most -58.4 dB)", failures spelled out in full.
 */
export function describeRows(rows: Measured[]): string {
  const failed = rows.filter((m) => !m.ok).map(describeFailure);
  if (failed.length > 0) return failed.join('; ');
  const heard = rows.filter((m) => m.expected === 'heard');
  const quiet = rows.filter((m) => m.expected === 'not heard');
  const parts: string[] = [];
  if (heard.length > 0)
    parts.push(`hears ${heard.map((m) => `${m.sound} ${level(m.levelDb)}`).join(', ')}`);
  if (quiet.length > 0) {
    const loudest = Math.max(...quiet.map((m) => m.levelDb));
    const bound = loudest <= -150 ? 'nothing at all' : `at most ${level(loudest)}`;
    parts.push(`not ${quiet.map((m) => m.sound).join(', ')} (${bound})`);
  }
  return parts.join('; ');
}
