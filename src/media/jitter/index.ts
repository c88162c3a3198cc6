// The whole public surface of the jitter buffer and packet loss concealment.
export {
  DEFAULT_STALE_READ_MS,
  SHRINK_WINDOW_TICKS,
  JitterBuffer,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterPayload,
  type JitterPop,
} from './jitter-buffer.js';
export { PacketLossConcealer, type PacketLossConcealerOptions } from './plc.js';
