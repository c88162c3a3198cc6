/**
 * The shapes the media benchmark returns. Field names are snake_case because
 * they are written to the bench report as they are.
 */
import type { CodecBenchRow } from '../codec.js';
import type { LatencyRecoveryResult } from './recovery.js';

/** One step of the concurrent-members ladder. */
export interface MediaStep {
  members: number;
  rooms: number;
  passed: boolean;
  /** Why it failed (criteria not met), absent when it passed. */
  reason?: string;
  /** Mixer tick lateness over the measured window (MixerClock stats), ms. */
  lateness_p50_ms: number;
  lateness_p99_ms: number;
  /** Ticks run in the measured window, and ticks skipped over the whole step. */
  ticks: number;
  skipped_ticks: number;
  /** Our process's CPU time (process.cpuUsage) ÷ (members × ticks) over the window, µs. */
  cpu_us_per_member_tick: number;
  /**
   * The rooms' own tick work (the MixerClock's tickCpuUs) ÷ (members × ticks),
   * µs. Optional only so that steps built elsewhere without it still type-check.
   */
  tick_us_per_member_tick?: number;
  /** Our process's CPU time ÷ wall time, % of one core. */
  cpu_pct: number;
  /** Share of our CPU spent inside MixerClock ticks (the rooms' work), %. */
  tick_share_pct: number;
  /** The load generator's CPU, % of one core, and its pacing lateness p99, ms. */
  generator_cpu_pct: number;
  generator_lateness_p99_ms: number;
  /** All cores of the machine, every process (shared with other users), % busy over the window. */
  machine_busy_pct: number;
  load_1m: number;
  /** Packets the mixer sent that the generator never received, over the whole step. */
  lost: number;
  /** Sequence-number gaps the generator saw, over the whole step. */
  gaps: number;
  /** Inbound (generator → mixer) frames concealed and packets too late, over the window. */
  inbound_concealed: number;
  inbound_late: number;
  /**
   * (heapUsed + external) with the members up minus after they are closed,
   * both after GC, ÷ members, bytes.
   */
  bytes_per_member: number;
  /** RSS growth from before the step ÷ members, bytes (V8 keeps pages it got, so noisier). */
  rss_bytes_per_member: number;
}

export interface UdpEchoResult {
  /** Sockets echoing (one per member, as the mixer has one RTP socket per member). */
  sockets: number;
  /** Datagrams echoed per second (each one in and one out). */
  packets_per_s: number;
  cpu_us_per_packet: number;
  cpu_pct: number;
  lost: number;
  generator_cpu_pct: number;
}

export interface LatencyResult {
  room_members: number;
  jitter_target_ms: number;
  samples_ms: number[];
  /** Clicks never heard within the timeout. */
  missed: number;
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
}

/** The load step without and with one coach per room (bench/media/coaching.ts). */
export interface CoachingLoadResult {
  members: number;
  room_size: number;
  /** Who coaches whom in each room. */
  coaching: string;
  /** Medians over the steps of each kind: whole-process CPU ÷ (members × ticks), µs. */
  cpu_us_per_member_tick_plain: number;
  cpu_us_per_member_tick_coached: number;
  /** coached ÷ plain. */
  cpu_ratio: number;
  /** Medians of the rooms' tick CPU ÷ (members × ticks), µs. */
  tick_us_per_member_tick_plain: number;
  tick_us_per_member_tick_coached: number;
  tick_ratio: number;
  all_passed: boolean;
  plain: MediaStep[];
  coached: MediaStep[];
}

/** One case of the Room-tick-only measurement. */
export interface CoachingMixerRow {
  room_size: number;
  /** Members of each room with a restricted audience. */
  restricted: number;
  /** Listeners of each restricted member (0: audience 'none'). */
  audience_size: number;
  /** The same, in words. */
  audiences: string;
  members: number;
  /** Median over the rounds of CPU ÷ (members × ticks), µs. */
  us_per_member_tick: number;
  /** ÷ the case of the same room size with every audience 'all'. */
  ratio_vs_plain: number;
  /** Lowest and highest round, µs. */
  spread_us: [number, number];
}

export interface CoachingResult {
  load: CoachingLoadResult | null;
  mixer: CoachingMixerRow[];
}

export interface MediaBenchResult {
  /** The largest member count whose step passed (0 when none did). */
  max_members: number;
  cpu_us_per_member_tick: number;
  /** cpu_us_per_member_tick ÷ udp_echo.cpu_us_per_packet. */
  ratio_vs_udp_echo: number;
  bytes_per_member: number;
  /** Median of click send → click heard, through one room, ms. */
  mixer_latency_ms: number;
  mixer_latency_p95_ms: number;
  tick_lateness_p99_ms_at_max: number;
  /** What stopped the ladder, in words. */
  limit: string;
  /** Every step in the order run (a retried count appears more than once). */
  steps: MediaStep[];
  udp_echo: UdpEchoResult | null;
  latency: LatencyResult | null;
  codec: CodecBenchRow[];
  /** What restricted audiences (coaching) cost; null when skipped. */
  coaching: CoachingResult | null;
  /** The no-event latency and the latency 2–4 s after a key press and after a 150 ms stall (recovery.ts). */
  latency_before_event_ms: number;
  latency_after_key_press_ms: number;
  latency_after_stall_ms: number;
  /** Latency after a key press and after a stall, per round; null when skipped. */
  latency_recovery: LatencyRecoveryResult | null;
  settings: {
    room_size: number;
    seconds_per_step: number;
    warmup_seconds: number;
    generator_phases: number;
    jitter_target_ms: number;
    max_lateness_p99_ms: number;
  };
  load_average_start: number[];
  load_average_end: number[];
  /** How each headline number is defined. */
  definitions: Record<string, string>;
}
