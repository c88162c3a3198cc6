/**
 * NTP timestamps as RTCP uses them (RFC 3550 §4): 64-bit fixed point, seconds
 * since 1 January 1900. Sender reports carry the full 64 bits; LSR/DLSR and
 * round-trip computations use the middle 32 bits (16.16 seconds).
 */

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2208988800;
const TWO_POW_32 = 0x1_0000_0000;

export interface NtpTimestamp {
  seconds: number;
  fraction: number;
}

/** Unix milliseconds → 64-bit NTP timestamp (seconds wrap in 2036, as NTP era 0 does). */
export function ntpFromUnixMs(ms: number): NtpTimestamp {
  const totalSeconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - totalSeconds * 1000) / 1000) * TWO_POW_32);
  return { seconds: (totalSeconds + NTP_UNIX_OFFSET_S) >>> 0, fraction: fraction >>> 0 };
}

/** The "compact" middle 32 bits (RFC 3550 §6.4.1 LSR). */
export function ntpMiddle32(ts: NtpTimestamp): number {
  return (((ts.seconds & 0xffff) << 16) | (ts.fraction >>> 16)) >>> 0;
}

/** Milliseconds → 1/65536 s units (DLSR), clamped to the 32-bit field. */
export function msToCompactNtp(ms: number): number {
  const units = Math.round((ms * 65536) / 1000);
  return Math.max(0, Math.min(0xffffffff, units));
}

/** 1/65536 s units → milliseconds. */
export function compactNtpToMs(units: number): number {
  return (units * 1000) / 65536;
}
