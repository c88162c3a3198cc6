/**
 * The UAC side of Digest authentication (RFC 3261 §22.2, §22.3): answering a
 * 401/407 for one set of credentials (one trunk, one account).
 */
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import {
  formatUri,
  parsedOr,
  type Headers,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../message/index.js';
import { BoundedMap } from './bounded-map.js';
import { parseChallenge } from './challenge.js';
import { formatCredentials, parseCredentials } from './credentials.js';
import { computeDigestResponse, isSessionAlgorithm } from './digest.js';
import { namesForStatus, type AuthHeaderNames } from './header-names.js';
import type { DigestChallenge, DigestCredentials } from './types.js';

export interface DigestClientCredentials {
  username: string;
  password: string;
  /** If set, only challenges for this realm are answered. */
  realm?: string;
}

export interface DigestClientOptions {
  /** Client nonce source (RFC 7616 §3.4: fresh and unpredictable); 128 random bits by default. */
  cnonce?: () => string;
  logger?: Logger;
}

/**
 * How many times one request may be answered for one realm: the first answer
 * plus retries the server asked for with stale=true. Bounds a server that
 * keeps saying "stale" (RFC 7616 §3.3 gives no limit, but a UA must not loop).
 */
const MAX_ANSWERS_PER_REQUEST = 3;

/** Bounds on the per-nonce / per-answer memory (a peer picks nonces, so it must not grow the maps). */
const MAX_NONCES = 256;
const MAX_REALMS = 16;
const MAX_SENT_REQUESTS = 64;

/** Credentials we put on a request: what a later challenge to that request is judged against. */
interface SentCredentials {
  req: SipRequest;
  realm: string;
  nonce: string;
  /** 1, 2, ... for answers to challenges; 0 for a preauthorize() guess. */
  attempt: number;
}

/** What ties a response to the request it answers, as far as a UA core sees it (RFC 3261 §8.1.3.3). */
interface TransactionId {
  callId: string;
  seq: number;
  method: string;
}

/** Call-ID and CSeq of a message, read now (the caller may renumber CSeq after authorize()); null if unreadable. */
function transactionId(m: SipMessage): TransactionId | null {
  // A message without a valid Call-ID / CSeq cannot be matched; the other checks still apply.
  return parsedOr(() => {
    const cseq = m.cseq();
    return { callId: m.callId(), seq: cseq.seq, method: cseq.method };
  }, null);
}

function sameTransaction(a: TransactionId | null, b: TransactionId): boolean {
  return a !== null && a.callId === b.callId && a.seq === b.seq && a.method === b.method;
}

/** What preauthorize() needs to answer the next request without a challenge. */
interface CachedChallenge {
  challenge: DigestChallenge;
  names: AuthHeaderNames;
  qop: 'auth' | 'auth-int' | undefined;
  /** For -sess algorithms the session key binds the first cnonce (RFC 7616 §3.4.2), so it is kept. */
  sessionCnonce: string | undefined;
}

/** The qop to use (RFC 7616 §3.4: one of those offered): auth when offered, else auth-int; null if none usable. */
function chooseQop(c: DigestChallenge): 'auth' | 'auth-int' | undefined | null {
  if (c.qop.length === 0) {
    // RFC 2069 style. A -sess algorithm needs a cnonce, which only exists with qop (RFC 2617 §3.2.2).
    return isSessionAlgorithm(c.algorithm) ? null : undefined;
  }
  if (c.qop.includes('auth')) return 'auth';
  if (c.qop.includes('auth-int')) return 'auth-int';
  return null;
}

/** RFC 8760 §2.4: prefer SHA-256 over MD5; among equals the topmost wins. */
function strength(c: DigestChallenge): number {
  return c.algorithm === 'SHA-256' || c.algorithm === 'SHA-256-sess' ? 1 : 0;
}

function nonceKey(realm: string, nonce: string): string {
  return `${realm}\u0000${nonce}`;
}

/** nonce-count: 8 lower-case hex digits (RFC 7616 §3.4). */
function formatNc(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Replaces the credentials line for `realm` (RFC 3261 §22.3: one credentials
 * value per realm), keeping those for other realms — e.g. a proxy's
 * Proxy-Authorization while answering the next proxy's 407.
 */
function replaceCredentials(headers: Headers, name: string, realm: string, value: string): void {
  const lines = headers.lines(name);
  headers.delete(name);
  let placed = false;
  for (const line of lines) {
    if (parseCredentials(line)?.realm === realm) {
      if (!placed) headers.append(name, value);
      placed = true;
    } else {
      headers.append(name, line);
    }
  }
  if (!placed) headers.append(name, value);
}

export class DigestClient {
  private readonly username: string;
  private readonly password: string;
  private readonly realm: string | undefined;
  private readonly newCnonce: () => string;
  private readonly logger: Logger;
  /** Last nonce-count used per (realm, nonce) (RFC 7616 §3.4: nc counts requests sent with that nonce). */
  private readonly counts = new BoundedMap<string, number>(MAX_NONCES);
  /** response value → answer number (1 = first answer to a challenge) of the request carrying it. */
  private readonly answeredResponses = new BoundedMap<string, number>(MAX_NONCES);
  /** Requests we put credentials on, newest last; their CSeq is read again when a challenge comes. */
  private readonly sent: SentCredentials[] = [];
  /** Last challenge answered per realm, for preauthorize(). */
  private readonly cache = new BoundedMap<string, CachedChallenge>(MAX_REALMS);

  constructor(creds: DigestClientCredentials, opts: DigestClientOptions = {}) {
    this.username = creds.username;
    this.password = creds.password;
    this.realm = creds.realm;
    this.newCnonce = opts.cnonce ?? (() => randomBytes(16).toString('hex'));
    this.logger = opts.logger ?? pino({ level: 'silent' });
  }

  /**
   * Given a 401/407 to `req`, adds Authorization (401) or Proxy-Authorization
   * (407) to `req` — one per challenged realm, replacing an earlier one for
   * that realm — and returns true. Returns false, leaving `req` untouched,
   * when the challenge cannot be answered: no supported Digest challenge,
   * realm mismatch, or answering would loop because our credentials were
   * refused: the challenged request already carried this nonce, or our answer
   * to an earlier challenge for that realm, and stale is not set (RFC 3261
   * §22.2: "the UAC SHOULD NOT re-attempt requests with the credentials that
   * have just been rejected (though the request may be
   * retried if the nonce was stale)"). Stale retries are bounded too.
   * The caller increments CSeq and sends a new transaction (§22.2).
   */
  authorize(req: SipRequest, challenge: SipResponse): boolean {
    const names = namesForStatus(challenge.status);
    if (!names) return false;

    // Best usable challenge per realm, in the order realms first appear.
    const chosen = new Map<string, DigestChallenge>();
    for (const line of challenge.headers.lines(names.challenge)) {
      const c = parseChallenge(line);
      if (!c || chooseQop(c) === null) continue;
      if (this.realm !== undefined && c.realm !== this.realm) continue;
      const current = chosen.get(c.realm);
      if (!current || strength(c) > strength(current)) chosen.set(c.realm, c);
    }
    if (chosen.size === 0) return false;

    // All or nothing: a request missing one realm's credentials would only be challenged again.
    const challenged = transactionId(challenge);
    const attempts = new Map<string, number>();
    for (const c of chosen.values()) {
      const attempt = this.nextAttempt(req, challenged, names, c);
      if (attempt === null) {
        this.logger.debug(
          { realm: c.realm, status: challenge.status },
          'digest credentials refused; not retrying',
        );
        return false;
      }
      attempts.set(c.realm, attempt);
    }

    for (const c of chosen.values()) {
      const qop = chooseQop(c) ?? undefined;
      const needsCnonce = qop !== undefined || isSessionAlgorithm(c.algorithm);
      const cnonce = needsCnonce ? this.newCnonce() : undefined;
      const cached: CachedChallenge = {
        challenge: c,
        names,
        qop,
        sessionCnonce: isSessionAlgorithm(c.algorithm) ? cnonce : undefined,
      };
      const attempt = attempts.get(c.realm)!;
      const response = this.apply(req, cached, cnonce, attempt);
      this.answeredResponses.set(response, attempt);
      this.cache.set(c.realm, cached);
    }
    return true;
  }

  /**
   * Re-applies the last credentials for each realm to a later request (e.g.
   * BYE, re-INVITE to a trunk that challenges every request) with the next
   * nonce-count, so the request can pass on the first try (RFC 7616 §3.4:
   * a nonce may be reused with an incremented nc until the server says it is
   * stale). Returns false when nothing is cached. Not for ACK to a 2xx,
   * which carries the INVITE's credentials unchanged (RFC 3261 §13.2.2.4).
   */
  preauthorize(req: SipRequest): boolean {
    let applied = false;
    for (const cached of this.cache.values()) {
      const needsCnonce = cached.qop !== undefined || cached.sessionCnonce !== undefined;
      const cnonce = cached.sessionCnonce ?? (needsCnonce ? this.newCnonce() : undefined);
      this.apply(req, cached, cnonce, 0);
      applied = true;
    }
    return applied;
  }

  /**
   * The answer number for `c` on `req` (1 for a first answer), or null if
   * answering would repeat credentials the server already refused. What the
   * challenged request carried is found two ways, so this works whether the
   * caller mutates and resends `req` or builds a fresh request per retry:
   * `req` still carries our answer (its response value identifies it), or a
   * request we put credentials on has the challenge's Call-ID, CSeq and method.
   * Refused (without stale): a request that carried our answer to a challenge
   * for this realm (wrong password, whatever nonce comes back), or one that
   * carried this very nonce. A nonce used on other requests is no reason to
   * refuse: trunks that hand out one nonce for a while re-challenge new calls
   * with it.
   */
  private nextAttempt(
    req: SipRequest,
    challenged: TransactionId | null,
    names: AuthHeaderNames,
    c: DigestChallenge,
  ): number | null {
    let previous = 0;
    let sameNonce = false;
    for (const line of req.headers.lines(names.credentials)) {
      const creds = parseCredentials(line);
      if (creds?.realm !== c.realm || creds.username !== this.username) continue;
      const attempt = this.answeredResponses.get(creds.response.toLowerCase());
      if (attempt === undefined) continue; // not ours, or a preauthorize() guess not sent yet
      previous = Math.max(previous, attempt);
      sameNonce ||= creds.nonce === c.nonce;
    }
    if (challenged) {
      for (const s of this.sent) {
        if (s.realm !== c.realm || !sameTransaction(transactionId(s.req), challenged)) continue;
        previous = Math.max(previous, s.attempt);
        sameNonce ||= s.nonce === c.nonce;
      }
    }
    if (!c.stale && (previous > 0 || sameNonce)) return null;
    if (previous >= MAX_ANSWERS_PER_REQUEST) return null;
    return previous + 1;
  }

  /** Computes the credentials for `req` with the next nc, writes and records them; returns the response value. */
  private apply(
    req: SipRequest,
    cached: CachedChallenge,
    cnonce: string | undefined,
    attempt: number,
  ): string {
    const { challenge: c, qop } = cached;
    const key = nonceKey(c.realm, c.nonce);
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);

    // The digest-uri is the Request-URI as sent (RFC 3261 §22.4).
    const uri = formatUri(req.uri);
    const nc = qop !== undefined ? formatNc(count) : undefined;
    const response = computeDigestResponse({
      algorithm: c.algorithm,
      username: this.username,
      realm: c.realm,
      password: this.password,
      method: req.method,
      uri,
      nonce: c.nonce,
      cnonce,
      nc,
      qop,
      body: req.body,
    });
    const creds: DigestCredentials = {
      username: this.username,
      realm: c.realm,
      nonce: c.nonce,
      uri,
      response,
      algorithm: c.algorithm,
    };
    if (qop !== undefined) {
      creds.qop = qop;
      creds.nc = nc;
    }
    if (cnonce !== undefined) creds.cnonce = cnonce;
    // opaque is returned unchanged (RFC 7616 §3.4).
    if (c.opaque !== undefined) creds.opaque = c.opaque;
    replaceCredentials(req.headers, cached.names.credentials, c.realm, formatCredentials(creds));
    this.sent.push({ req, realm: c.realm, nonce: c.nonce, attempt });
    if (this.sent.length > MAX_SENT_REQUESTS) this.sent.shift();
    return response;
  }
}
