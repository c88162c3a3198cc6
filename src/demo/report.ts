/**
 * What the demo leaves behind in its output directory: the call's mixed
 * recording (recording.wav, copied from the server's recordings directory
 * once `recording.ready` is in the call's events) and summary.json — the
 * members with every state they went through and how long they were in
 * the call, each step with what each phone heard, and the recording's
 * level of each voice (1 s slices: the loudest), so the file itself shows
 * who was recorded.
 */
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CallDetail } from '@partyline/client';
import { SAMPLE_RATE, decodeWavFile, toneLevelDb } from '../media/index.js';
import { HEARD_DB } from '../phones/index.js';
import { PARTS, voiceOf, type Cast, type Part } from './cast.js';
import type { ScriptResult } from './script.js';

export interface RecordingReport {
  file: string;
  bytes: number;
  durationMs: number;
  /** Loudest 1 s level of each voice in the recording, dB. */
  levelsDb: Record<Part, number>;
  /** Every voice is in the recording (each was in the recorded call at some point). */
  ok: boolean;
}

export interface Summary {
  ok: boolean;
  error: string | null;
  startedAt: string;
  durationMs: number;
  voices: 'tone' | 'speech';
  server: { baseUrl: string; sip: string };
  phloId: string;
  nodeId: string;
  callId: string | null;
  phones: Record<Part, { uri: string; voice: string; hz: number }>;
  members: {
    part: Part | null;
    address: string;
    role: string;
    states: { state: string; at: string }[];
    joinedOn: string | null;
    leftOn: string | null;
    /** From joining to leaving, ms (null if it never joined). */
    inCallMs: number | null;
    hangupCause: string | null;
  }[];
  steps: ScriptResult['steps'];
  recording: RecordingReport | null;
}

const SLICE_SAMPLES = SAMPLE_RATE;

/** Copies the recording into `outDir` and reports on it; null when the call has none. */
export async function saveRecording(
  call: CallDetail | null,
  outDir: string,
): Promise<RecordingReport | null> {
  const ready = call?.events.find((e) => e.type === 'recording.ready');
  const path = typeof ready?.data.path === 'string' ? ready.data.path : null;
  const file = resolve(join(outDir, 'recording.wav'));
  // A recording left by an earlier run must not pass for this run's.
  await rm(file, { force: true });
  if (!path) return null;
  await mkdir(outDir, { recursive: true });
  await copyFile(path, file);
  const audio = await decodeWavFile(file);
  const levelsDb = {} as Record<Part, number>;
  for (const part of PARTS) {
    let loudest = -200;
    for (let at = 0; at + SLICE_SAMPLES <= audio.samples.length; at += SLICE_SAMPLES) {
      const slice = audio.samples.subarray(at, at + SLICE_SAMPLES);
      loudest = Math.max(loudest, toneLevelDb(slice, SAMPLE_RATE, voiceOf(part).hz));
    }
    levelsDb[part] = Math.round(loudest * 10) / 10;
  }
  return {
    file,
    bytes: (await stat(file)).size,
    durationMs: Math.round(audio.durationMs),
    levelsDb,
    ok: PARTS.every((p) => levelsDb[p] >= HEARD_DB),
  };
}

export function summarise(input: {
  script: ScriptResult;
  cast: Cast;
  recording: RecordingReport | null;
  startedAt: Date;
  baseUrl: string;
  sip: string;
  phloId: string;
  nodeId: string;
}): Summary {
  const { script, cast } = input;
  const call = script.timeline?.call ?? null;
  const partOf = (address: string): Part | null =>
    PARTS.find((p) => cast.phones[p].uri === address) ?? null;
  const histories = script.timeline?.members ?? new Map();
  const members = (call?.members ?? []).map((m) => ({
    part: partOf(m.address),
    address: m.address,
    role: m.role,
    states: histories.get(m.memberId)?.states ?? [],
    joinedOn: m.joinedOn,
    leftOn: m.leftOn,
    inCallMs: m.joinedOn && m.leftOn ? serverTimeMs(m.leftOn) - serverTimeMs(m.joinedOn) : null,
    hangupCause: m.hangupCause,
  }));
  const phones = {} as Summary['phones'];
  for (const p of PARTS)
    phones[p] = {
      uri: cast.phones[p].uri,
      voice: cast.phones[p].voice.description,
      hz: cast.phones[p].voice.pilotHz,
    };
  return {
    ok: script.ok && (input.recording?.ok ?? false),
    error:
      script.error ??
      (script.ok && !input.recording?.ok
        ? input.recording
          ? 'the recording lacks a voice'
          : 'the call has no recording'
        : null),
    startedAt: input.startedAt.toISOString(),
    durationMs: Date.now() - input.startedAt.getTime(),
    voices: cast.kind,
    server: { baseUrl: input.baseUrl, sip: input.sip },
    phloId: input.phloId,
    nodeId: input.nodeId,
    callId: script.callId,
    phones,
    members,
    steps: script.steps,
    recording: input.recording,
  };
}

export async function writeSummary(summary: Summary, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = resolve(join(outDir, 'summary.json'));
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

/** The server's "2026-12-02 04:31:02.117384+00:00" as epoch ms. */
function serverTimeMs(at: string): number {
  return Date.parse(at.replace(' ', 'T').replace(/(\.\d{3})\d*/, '$1'));
}
