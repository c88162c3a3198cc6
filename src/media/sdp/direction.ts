/**
 * Direction arithmetic for offer/answer (RFC 3264 §5.1, §6.1, §8.4). A
 * direction is a pair of flags seen from the SDP's author: does it send,
 * does it receive. Answering reverses the offerer's view (its sendonly is
 * our recvonly) and then intersects with what we want ourselves.
 */
import type { Direction } from './types.js';

export interface DirectionFlags {
  send: boolean;
  recv: boolean;
}

export function directionFlags(d: Direction): DirectionFlags {
  return { send: d === 'sendrecv' || d === 'sendonly', recv: d === 'sendrecv' || d === 'recvonly' };
}

export function directionFromFlags(send: boolean, recv: boolean): Direction {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/** The same stream seen from the other end: sendonly ⇄ recvonly. */
export function reverseDirection(d: Direction): Direction {
  const f = directionFlags(d);
  return directionFromFlags(f.recv, f.send);
}

/** Both constraints at once: send only if both allow sending, receive only if both allow receiving. */
export function intersectDirections(a: Direction, b: Direction): Direction {
  const fa = directionFlags(a);
  const fb = directionFlags(b);
  return directionFromFlags(fa.send && fb.send, fa.recv && fb.recv);
}

/**
 * RFC 3264 §6.1: sendonly → recvonly (or inactive), recvonly → sendonly (or
 * inactive), inactive → inactive, sendrecv → any; `wish` picks among the
 * allowed ones (our own hold state).
 */
export function answerDirection(offered: Direction, wish: Direction = 'sendrecv'): Direction {
  return intersectDirections(reverseDirection(offered), wish);
}

/**
 * RFC 3264 §8.4: a stream is put on hold by no longer receiving — sendrecv
 * becomes sendonly, recvonly becomes inactive.
 */
export function holdDirection(d: Direction): Direction {
  return directionFromFlags(directionFlags(d).send, false);
}

export function isDirection(value: unknown): value is Direction {
  return (
    value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive'
  );
}
