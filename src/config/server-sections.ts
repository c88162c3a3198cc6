/** Checks the call server's sections of the configuration: `http`, `media`, `limits`, `dataDir`. */
import { isIP } from 'node:net';
import type { Config } from './config.js';
import { ConfigError, int, isObject, str, unknownKeys, type Json } from './checks.js';

export function validateServerSections(doc: Json, c: Config): void {
  if (doc.http !== undefined) {
    const h = doc.http;
    if (!isObject(h)) throw new ConfigError('http: must be an object');
    unknownKeys(
      h,
      ['host', 'port', 'bodyLimitBytes', 'rateLimitPerSecond', 'rateLimitBurst'],
      'http.',
    );
    if (h.host !== undefined) c.http.host = ipAddress(h.host, 'http.host');
    if (h.port !== undefined) c.http.port = int(h.port, 'http.port', 0, 65535);
    if (h.bodyLimitBytes !== undefined)
      c.http.bodyLimitBytes = int(h.bodyLimitBytes, 'http.bodyLimitBytes', 1024, 10 * 1024 * 1024);
    if (h.rateLimitPerSecond !== undefined)
      c.http.rateLimitPerSecond = int(
        h.rateLimitPerSecond,
        'http.rateLimitPerSecond',
        0,
        1_000_000,
      );
    if (h.rateLimitBurst !== undefined)
      c.http.rateLimitBurst = int(h.rateLimitBurst, 'http.rateLimitBurst', 1, 1_000_000);
  }
  if (doc.media !== undefined) {
    const m = doc.media;
    if (!isObject(m)) throw new ConfigError('media: must be an object');
    unknownKeys(
      m,
      [
        'address',
        'portMin',
        'portMax',
        'allowPrivateAudioUrls',
        'inactivityTimeoutMs',
        'holdTimeoutMs',
      ],
      'media.',
    );
    if (m.allowPrivateAudioUrls !== undefined) {
      if (typeof m.allowPrivateAudioUrls !== 'boolean')
        throw new ConfigError('media.allowPrivateAudioUrls: must be true or false');
      c.media.allowPrivateAudioUrls = m.allowPrivateAudioUrls;
    }
    if (m.address !== undefined) c.media.address = ipAddress(m.address, 'media.address');
    if (m.portMin !== undefined) c.media.portMin = int(m.portMin, 'media.portMin', 1024, 65534);
    if (m.portMax !== undefined) c.media.portMax = int(m.portMax, 'media.portMax', 1025, 65535);
    if (m.inactivityTimeoutMs !== undefined)
      c.media.inactivityTimeoutMs = mediaTimeout(
        m.inactivityTimeoutMs,
        'media.inactivityTimeoutMs',
      );
    if (m.holdTimeoutMs !== undefined)
      c.media.holdTimeoutMs = mediaTimeout(m.holdTimeoutMs, 'media.holdTimeoutMs');
  }
  if (doc.limits !== undefined) {
    const l = doc.limits;
    if (!isObject(l)) throw new ConfigError('limits: must be an object');
    unknownKeys(l, ['liveCallsPerAccount'], 'limits.');
    if (l.liveCallsPerAccount !== undefined)
      c.limits.liveCallsPerAccount = int(
        l.liveCallsPerAccount,
        'limits.liveCallsPerAccount',
        1,
        100_000,
      );
  }
  if (doc.dataDir !== undefined) c.dataDir = str(doc.dataDir, 'dataDir');
  checkServerSections(c);
}

/** Cross-field rules, also applied after environment overrides. */
export function checkServerSections(c: Config): void {
  if (c.media.portMax - c.media.portMin < 1)
    throw new ConfigError(
      `media: portMin (${c.media.portMin}) must be below portMax (${c.media.portMax}): a leg needs an RTP/RTCP pair`,
    );
}

/** 0 (never), or a second to a day: below a second every jitter spike would end calls. */
export function mediaTimeout(v: unknown, path: string): number {
  if (v === 0) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 1000)
    throw new ConfigError(`${path}: must be 0 (never) or at least 1000 ms (got ${v})`);
  return int(v, path, 0, 86_400_000);
}

export function ipAddress(v: unknown, path: string): string {
  const s = str(v, path);
  if (!isIP(s)) throw new ConfigError(`${path}: must be an IP address (got "${s}")`);
  return s;
}
