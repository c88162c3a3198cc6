import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { addressRefusal, type AddressPolicyOptions } from './address-policy.js';
import { AudioFileError } from './errors.js';

/*
 * An HTTP(S) GET whose every connection goes only to addresses the address
 * policy accepts. The check is on the addresses actually connected to, not
 * on the host name: the name is resolved once, every address it resolves to
 * is checked, and the socket is handed exactly those addresses through the
 * request's `lookup`, so a DNS answer that changes between the check and the
 * connect (DNS rebinding) is never consulted. The Host header and the TLS
 * server name (SNI, certificate check) stay the host name of the URL.
 * Redirects are followed up to MAX_REDIRECTS hops, each hop resolved and
 * checked the same way.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (default: the system resolver, as Node's own connect would). */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface GuardedGetOptions extends AddressPolicyOptions {
  signal: AbortSignal;
  resolveHost?: HostResolver;
  /** Sent to the URL's own origin only, never to another one a redirect leads to. */
  headers?: OutgoingHttpHeaders;
}

/** Redirect hops followed after the first request. */
export const MAX_REDIRECTS = 3;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Why a download failed before any bytes: reported by the caller as "download of <url> failed: <message>". */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

/** The URL without user:password, safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The addresses `url` may be connected to, all of them checked; an
 * AudioFileError naming the URL when any is refused (one bad answer among
 * good ones refuses the lot: which one a connect would pick is not ours to
 * predict).
 */
async function checkedAddresses(
  url: URL,
  options: GuardedGetOptions,
  describe: (why: string) => string,
): Promise<ResolvedAddress[]> {
  // WHATWG URL has already normalised the host: IPv4 in any notation
  // (0x7f.1, 2130706433) is dotted decimal, IPv6 is in brackets.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(host);
  let addresses: readonly ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await abortable((options.resolveHost ?? systemResolver)(host), options.signal);
    } catch (err) {
      if (options.signal.aborted) throw err;
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      throw new DownloadError(`cannot resolve ${host}${code ? ` (${code})` : ''}`, { cause: err });
    }
    if (addresses.length === 0) throw new DownloadError(`cannot resolve ${host} (no addresses)`);
  }
  for (const a of addresses) {
    const why = addressRefusal(a.address, options, literal ? undefined : host);
    if (why) throw new AudioFileError(describe(why));
  }
  return [...addresses];
}

/** A `lookup` for net/tls.connect that answers only with addresses already checked. */
function fixedLookup(addresses: readonly ResolvedAddress[]) {
  return (
    hostname: string,
    opts: LookupOptions,
    callback: (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    const usable = opts.family ? addresses.filter((a) => a.family === opts.family) : addresses;
    if (usable.length === 0) {
      const err: NodeJS.ErrnoException = new Error(
        `no checked IPv${opts.family} address for ${hostname}`,
      );
      err.code = 'ENOTFOUND';
      callback(err, '');
    } else if (opts.all) {
      callback(
        null,
        usable.map((a) => ({ address: a.address, family: a.family })),
      );
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

function requestOnce(
  url: URL,
  addresses: readonly ResolvedAddress[],
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)({
      protocol: url.protocol,
      hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { 'user-agent': 'partyline', accept: '*/*', ...headers },
      lookup: fixedLookup(addresses),
      // SNI and the certificate check use the name, never the address (RFC 6066 §3: no IP literals).
      ...(https && !isIP(hostname) ? { servername: hostname } : {}),
      // No pooled sockets: one opened under another policy (or to an older answer) is never reused.
      agent: false,
      signal,
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

/**
 * GET `url`, following redirects. Resolves with the final response (any
 * status but a followed redirect) and the URL it came from. Rejects with an
 * AudioFileError when the policy refuses a hop (its message is final), a
 * DownloadError for other failures before a response, or the abort reason /
 * socket error as is.
 */
export async function guardedGet(
  url: string,
  options: GuardedGetOptions,
): Promise<{ response: IncomingMessage; url: URL }> {
  const shown = redactUrl(url);
  const first = new URL(url);
  let current = first;
  for (let hop = 0; ; hop++) {
    const here = redactUrl(current.href);
    const describe = (why: string): string =>
      hop === 0 ? `${shown}: ${why}` : `${shown}: redirect to ${here} refused: ${why}`;
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new AudioFileError(describe(`${current.protocol} is not http: or https:`));
    }
    const addresses = await checkedAddresses(current, options, describe);
    const sameOrigin = current.origin === first.origin;
    const response = await requestOnce(
      current,
      addresses,
      sameOrigin ? (options.headers ?? {}) : {},
      options.signal,
    );
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || location === undefined) return { response, url: current };
    response.destroy();
    if (hop === MAX_REDIRECTS) {
      throw new DownloadError(`too many redirects (more than ${MAX_REDIRECTS})`);
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new DownloadError(`HTTP ${status} with a malformed Location`);
    }
    // user:password in a Location is not honoured: credentials come from the configured URL only.
    next.username = '';
    next.password = '';
    current = next;
  }
}
