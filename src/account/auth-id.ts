import { randomString } from './random.js';

export const AUTH_ID_LENGTH = 20;

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/**
 * What Plivo issues (`MA` main accounts, `SA` subaccounts) and what the
 * Python, Java and Ruby SDKs insist on before sending anything
 * (PLIVO-SDK-WIRE.md §3 item 10): 20 characters, that prefix. We issue `MA`
 * and accept `SA` too, so an id carried over from Plivo still works.
 */
const AUTH_ID = /^(?:MA|SA)[A-Z0-9]{18}$/;

/** A fresh AUTH_ID: `MA` + 18 uppercase letters and digits (about 93 random bits). */
export function newAuthId(): string {
  return 'MA' + randomString(UPPER_ALNUM, AUTH_ID_LENGTH - 2);
}

/** Whether `id` has the shape of an AUTH_ID (says nothing of whether the account exists). */
export function isValidAuthId(id: unknown): id is string {
  return typeof id === 'string' && AUTH_ID.test(id);
}
