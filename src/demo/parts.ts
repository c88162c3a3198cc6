/**
 * The demo's parts and voice modes, apart from cast.ts: the command's option
 * parsing needs them at every start of the CLI, and cast.ts brings the
 * phones (the SIP stack and the media engine) with it.
 */
export type Part = 'agent' | 'customer' | 'third';
export const PARTS: readonly Part[] = ['agent', 'customer', 'third'];

export type VoiceMode = 'auto' | 'tones' | 'speech';
