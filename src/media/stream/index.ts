// The whole public surface of RTP streams: port pairs from a range, and one
// stream per call leg that the mixer reads and writes 20 ms frames through.
export {
  PortPool,
  PortPoolError,
  type PortPoolOptions,
  type AllocatedPorts,
  type PortPoolErrorCode,
} from './port-pool.js';
export { RtpStream, type RtpStreamOptions, type StartOptions } from './rtp-stream.js';
export type { RtpStreamStats, RtpStreamEvents, RtpStreamCloseReason, DtmfEvent } from './types.js';
export type { PlayoutJitterOptions } from './playout.js';
// One spelling per IP address (IPv4-mapped unwrapped, IPv6 as 8 hex groups), for keys and comparisons.
export { canonicalAddress } from './address.js';
// A dgram lookup that answers IP literals at once (every send() goes through one).
export { literalFirstLookup } from './address.js';
