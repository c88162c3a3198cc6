// The media engine's public surface for the layers above (engine/, mpc/):
// RTP streams, SDP offer/answer, the conference mixer, audio sources and the
// recorder. It knows nothing of SIP or PHLOs.
export * from './codec/index.js';
export * from './rtp/index.js';
export * from './dtmf/index.js';
export * from './jitter/index.js';
export * from './audio/index.js';
export * from './sdp/index.js';
export * from './stream/index.js';
export * from './mixer/index.js';
