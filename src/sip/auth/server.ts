/**
 * The UAS side of Digest authentication (RFC 3261 §22.1, §22.4; RFC 7616
 * §3.3–3.5): challenging requests from configured SIP users and checking
 * their credentials, with stateless nonces.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../../clock/index.js';
import {
  createResponse,
  formatUri,
  parseUri,
  parsedOr,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import { formatChallenge } from './challenge.js';
import { parseCredentials } from './credentials.js';
import { computeDigestResponse, responseLength } from './digest.js';
import { PROXY_AUTH, USER_AGENT_AUTH, type AuthHeaderNames } from './header-names.js';
import { NonceMint } from './nonce.js';
import { NonceCounts } from './replay.js';
import type { DigestAlgorithm, DigestCredentials } from './types.js';

export interface DigestServerOptions {
  realm: string;
  /** The password of a SIP user, or undefined when there is no such user. */
  lookup: (username: string) => string | undefined;
  /** Offered in this order, one challenge header each (RFC 8760 §2.3: most preferred first). Default SHA-256, MD5. */
  algorithms?: DigestAlgorithm[];
  /** How long a nonce stays valid. Default 5 minutes. */
  nonceTtlMs?: number;
  clock?: Clock;
  /**
   * HMAC key for stateless nonces; random per process by default. A nonce's
   * age is read with `clock`, so another server accepts our nonces only if it
   * shares both this secret and the clock's time base (systemClock's is
   * per process).
   */
  secret?: Buffer;
  /** Act as a proxy: 407 with Proxy-Authenticate / Proxy-Authorization (RFC 3261 §22.3). */
  proxy?: boolean;
  logger?: Logger;
}

export type DigestFailure =
  | 'missing'
  | 'unknown-user'
  | 'bad-response'
  | 'stale-nonce'
  | 'bad-nonce'
  | 'realm-mismatch'
  | 'uri-mismatch'
  | 'replayed-nc';

export type DigestVerification =
  { ok: true; username: string } | { ok: false; reason: DigestFailure; stale: boolean };

const DEFAULT_ALGORITHMS: DigestAlgorithm[] = ['SHA-256', 'MD5'];
const DEFAULT_NONCE_TTL_MS = 300_000;
/** Nonces whose nonce-count we remember; beyond this the oldest are forgotten safely (see replay.ts). */
const REPLAY_TABLE_SIZE = 4096;
const NC_PATTERN = /^[0-9a-fA-F]{8}$/;

export class DigestServer {
  private readonly realm: string;
  private readonly lookup: (username: string) => string | undefined;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly names: AuthHeaderNames;
  private readonly mint: NonceMint;
  private readonly counts = new NonceCounts(REPLAY_TABLE_SIZE);
  private readonly logger: Logger;

  constructor(opts: DigestServerOptions) {
    const algorithms = opts.algorithms ?? DEFAULT_ALGORITHMS;
    if (algorithms.length === 0) throw new RangeError('DigestServer needs at least one algorithm');
    const ttlMs = opts.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS;
    if (!(ttlMs > 0)) throw new RangeError('nonceTtlMs must be positive');
    this.realm = opts.realm;
    this.lookup = opts.lookup;
    this.algorithms = [...new Set(algorithms)];
    this.ttlMs = ttlMs;
    this.clock = opts.clock ?? systemClock;
    this.names = opts.proxy ? PROXY_AUTH : USER_AGENT_AUTH;
    this.mint = new NonceMint(opts.secret ?? randomBytes(32), opts.realm);
    this.logger = opts.logger ?? pino({ level: 'silent' });
  }

  /**
   * A 401 (or 407) to `req` with one challenge per configured algorithm,
   * sharing one fresh nonce and offering qop="auth" (RFC 7616 §3.3 requires
   * qop; RFC 8760 §2.3: one header per algorithm, preferred first).
   */
  challenge(req: SipRequest, opts: { stale?: boolean; toTag?: string } = {}): SipResponse {
    const res = createResponse(req, this.names.status, this.names.reason, { toTag: opts.toTag });
    const nonce = this.mint.issue(this.clock.now());
    for (const algorithm of this.algorithms) {
      res.headers.append(
        this.names.challenge,
        formatChallenge({
          realm: this.realm,
          nonce,
          algorithm,
          qop: ['auth'],
          stale: opts.stale === true,
        }),
      );
    }
    return res;
  }

  /**
   * Checks the request's credentials for our realm. On failure the caller
   * answers challenge(req, { stale }) — stale is true only when the user
   * proved the password with a nonce we no longer accept (RFC 7616 §3.3:
   * stale means "the client knows the correct username/password").
   * Never throws on any request; only a throwing `lookup` could.
   */
  verify(req: SipRequest): DigestVerification {
    const result = this.check(req);
    if (!result.ok) {
      this.logger.debug({ reason: result.reason, method: req.method }, 'digest rejected');
    }
    return result;
  }

  private check(req: SipRequest): DigestVerification {
    const all: DigestCredentials[] = [];
    for (const line of req.headers.lines(this.names.credentials)) {
      const c = parseCredentials(line);
      if (c) all.push(c);
    }
    if (all.length === 0) return fail('missing');
    // Credentials for other realms belong to other servers on the path (RFC 3261 §22.3).
    const creds = all.find((c) => c.realm === this.realm);
    if (!creds) return fail('realm-mismatch');

    // Only our own, untampered nonces are trusted, and their age is read from them.
    const issuedAt = this.mint.open(creds.nonce);
    if (issuedAt === null) return fail('bad-nonce');

    if (!this.uriMatches(creds.uri, req)) return fail('uri-mismatch');

    // We always offer qop (RFC 7616 §3.3), so a compliant answer carries qop, nc and cnonce.
    const qop = creds.qop;
    if (qop !== 'auth' && qop !== 'auth-int') return fail('bad-response');
    if (!creds.cnonce || creds.nc === undefined || !NC_PATTERN.test(creds.nc)) {
      return fail('bad-response');
    }
    const nc = parseInt(creds.nc, 16);
    if (nc === 0) return fail('bad-response');
    if (!this.algorithms.includes(creds.algorithm)) return fail('bad-response');
    if (creds.response.length !== responseLength(creds.algorithm)) return fail('bad-response');

    const password = this.lookup(creds.username);
    if (password === undefined) return fail('unknown-user');

    const expected = computeDigestResponse({
      algorithm: creds.algorithm,
      username: creds.username,
      realm: creds.realm,
      password,
      method: req.method,
      uri: creds.uri,
      nonce: creds.nonce,
      cnonce: creds.cnonce,
      nc: creds.nc,
      qop,
      body: req.body,
    });
    const given = Buffer.from(creds.response.toLowerCase(), 'latin1');
    if (!timingSafeEqual(Buffer.from(expected, 'latin1'), given)) return fail('bad-response');

    // Only now that the password is proven: expired → stale, so the client retries silently.
    const age = this.clock.now() - issuedAt;
    if (age < 0 || age > this.ttlMs) return fail('stale-nonce', true);

    // Recorded only after the digest checked out, so forged requests cannot advance nc.
    const counted = this.counts.accept(creds.nonce, issuedAt, nc);
    if (counted === 'replayed') return fail('replayed-nc', true);
    if (counted === 'forgotten') return fail('stale-nonce', true);

    return { ok: true, username: creds.username };
  }

  /**
   * RFC 3261 §22.4 / RFC 7616 §3.4.6: the digest-uri must name the
   * Request-URI. Compared as text, then after a parse/format round trip so
   * harmless spelling differences (parameter-name case) do not fail.
   */
  private uriMatches(digestUri: string, req: SipRequest): boolean {
    const requestUri = formatUri(req.uri);
    if (digestUri === requestUri) return true;
    return parsedOr(() => formatUri(parseUri(digestUri)) === requestUri, false);
  }
}

function fail(reason: DigestFailure, stale = false): DigestVerification {
  return { ok: false, reason, stale };
}
