// The whole public surface of the audio layer: sources the mixer pulls 20 ms
// frames from (files, URLs, tones), WAV decoding and resampling to 8 kHz, the
// recorder and its crash repair, and tone measurement for tests.
export { SAMPLE_RATE, FRAME_MS, FRAME_SAMPLES, type AudioSource } from './source.js';
export { AudioFileError } from './errors.js';
export {
  goertzelPower,
  toneLevelDb,
  LEVEL_FLOOR_DB,
  type GoertzelOptions,
  type GoertzelWindow,
  type ToneLevelOptions,
} from './goertzel.js';
export { Resampler, resample, resampleSync, type ResamplerDesign } from './resampler.js';
export { parseWavLayout, type WavLayout, type WavEncoding } from './wav-layout.js';
export {
  decodeWav,
  decodeWavFile,
  MAX_AUDIO_FILE_BYTES,
  type DecodedAudio,
  type DecodeOptions,
} from './wav-decode.js';
export { encodeWav, wavHeader, WAV_HEADER_BYTES } from './wav-writer.js';
export { WavSource, type WavSourceOptions } from './wav-source.js';
export {
  ToneSource,
  SilenceSource,
  TONE_PEAK,
  type ToneCadence,
  type ToneSegment,
} from './tone-source.js';
export { builtinSource, isBuiltinSpec } from './builtin.js';
export { DecodedAudioCache, DEFAULT_DECODED_CACHE_BYTES } from './decode-cache.js';
export {
  classifyAddress,
  addressRefusal,
  ALLOW_PRIVATE_CONFIG_KEY,
  type AddressRange,
  type AddressClass,
  type AddressPolicyOptions,
} from './address-policy.js';
export { MAX_REDIRECTS, type HostResolver, type ResolvedAddress } from './guarded-get.js';
export {
  fetchToCache,
  cacheEntryPath,
  DEFAULT_MAX_CACHE_BYTES,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  type UrlCacheOptions,
} from './url-cache.js';
export {
  openSource,
  openSourceOrSilence,
  sharedDecodedAudioCache,
  type OpenSourceOptions,
  type SourceOrSilence,
} from './open-source.js';
export { WavRecorder, type WavRecorderOptions, type RecordingInfo } from './recorder.js';
export {
  repairWav,
  repairRecordings,
  type RepairResult,
  type RepairRecordingsResult,
} from './repair.js';
