// The whole public surface of the conference mixer: a drift-free 20 ms clock
// that drives every room of the process, and rooms that mix N−1 with
// per-member mute/hold/deaf, per-member audiences (who hears whom: coaching,
// listening in), private groups, playbacks, wait music, speaking detection
// and recording. It knows nothing of SIP, RTP or PHLOs: members
// are MixerPorts (the RTP stream implements them).
export type { MixerPort } from './port.js';
export {
  MixerClock,
  type MixerClockOptions,
  type MixerClockStats,
  type MixerTickable,
} from './mixer-clock.js';
export { Room, type RoomOptions, type RoomStats, type HoldSourceFor } from './room.js';
export type { Audience, AudienceInfo, MemberFlags, MemberOptions, MemberInfo } from './member.js';
export {
  Playback,
  type PlaybackEndReason,
  type PlaybackEvents,
  type PlayOptions,
  type LoopPlayOptions,
  type AudioSourceFactory,
} from './playback.js';
export type { RoomEvents, RoomFault, RoomRecorder, SpeakingEvent } from './room-events.js';
export type { SpeakingOptions } from './speaking-detector.js';
export type { Distribution } from './sample-window.js';
export { FRAME_MS, RAMP_SAMPLES } from './dsp.js';
