/**
 * `c=` lines (RFC 4566 §5.7) and the addresses in them. We run unicast
 * RTP to IP literals only: a multicast address (with its TTL / count suffix)
 * or a host name (which would need a DNS lookup the media path cannot wait
 * for) is refused with a clear reason.
 */
import { isIP } from 'node:net';
import { SdpError } from './errors.js';
import type { AddressType, SdpConnection } from './types.js';

/** Parses the value of a c= line (`IN IP4 192.0.2.1`). */
export function parseConnection(value: string): SdpConnection | SdpError {
  const m = /^IN\s+(IP4|IP6)\s+(\S+)\s*$/.exec(value);
  if (!m) return new SdpError('bad-connection', `unsupported connection line "c=${value}"`);
  return connectionFromParts(m[1] as AddressType, m[2], `c=${value}`);
}

/** Checks an address of the given type, as found in c= or a=rtcp. */
export function connectionFromParts(
  addressType: AddressType,
  address: string,
  where: string,
): SdpConnection | SdpError {
  if (address.includes('/')) {
    return new SdpError(
      'bad-connection',
      `multicast connection address in "${where}" is not supported`,
    );
  }
  const family = isIP(address);
  if (family === 0) {
    return new SdpError('bad-connection', `connection address in "${where}" is not an IP literal`);
  }
  if ((family === 4) !== (addressType === 'IP4')) {
    return new SdpError('bad-connection', `address in "${where}" does not match ${addressType}`);
  }
  if (isMulticast(address, family)) {
    return new SdpError(
      'bad-connection',
      `multicast connection address in "${where}" is not supported`,
    );
  }
  return { addressType, address };
}

function isMulticast(address: string, family: number): boolean {
  if (family === 4) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return /^ff/i.test(address);
}

/**
 * True for the "unspecified" address that RFC 2543 used to put a stream on
 * hold (c=0.0.0.0); RFC 3264 §8.4 says never to send media to it.
 */
export function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || /^(0{0,4}:){2,7}0{0,4}$/.test(address);
}

/** `IP4` or `IP6` for a literal we write ourselves (caller-supplied, so checked strictly). */
export function addressTypeOf(address: string): AddressType | null {
  const family = isIP(address);
  if (family === 4) return 'IP4';
  if (family === 6) return 'IP6';
  return null;
}
