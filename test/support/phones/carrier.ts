/**
 * A SIP trunk (carrier) that owns one phone number: the code under test
 * dials the number, and its trunk config (one trunk per number, prefixes
 * [number]) sends the INVITE here as sip:NUMBER@127.0.0.1:PORT. Every
 * INVITE is challenged (401, qop=auth) and only the retry whose digest
 * <verifyauth> accepts goes on (403 otherwise); the Request-URI user must
 * be the number as the trunk's numberFormat writes it. Then the "phone
 * behind the number" behaves as asked, with its own RTP endpoint — which
 * is why it is one SIPp per number: one SIPp could not give each number
 * its own RTP port.
 */
import { randomBytes } from 'node:crypto';
import type { TrunkConfig } from '../../../src/sip/ua/index.js';
import { SipPhone, type PhoneParts, type SipPhoneOptions } from './sip-phone.js';

export interface CarrierOptions extends SipPhoneOptions {
  /** The phone number: "+14155550100" or digits. */
  number: string;
  /** Trunk credentials the caller must answer the challenge with. */
  username: string;
  password: string;
  /** Digest realm; default "carrier.partyline.test". */
  realm?: string;
  /** How the trunk writes the number in the Request-URI (TrunkConfig.numberFormat); default e164. */
  numberFormat?: 'e164' | 'digits';
  /** Trunk name in the config; default "carrier-<digits>". */
  name?: string;
}

export class Carrier extends SipPhone {
  /** The number as the caller dials it. */
  readonly number: string;
  /** The Request-URI user SIPp insists on. */
  readonly requestUser: string;
  /** Put this in the server's sip.trunks (or UserAgentOptions.trunks). */
  readonly trunk: TrunkConfig;

  private constructor(
    parts: PhoneParts,
    extra: { number: string; requestUser: string; trunk: TrunkConfig },
  ) {
    super(parts);
    this.number = extra.number;
    this.requestUser = extra.requestUser;
    this.trunk = extra.trunk;
  }

  /** Starts the carrier for one number; stop() it from t.after(). */
  static async start(opts: CarrierOptions): Promise<Carrier> {
    const digits = opts.number.replace(/^\+/, '');
    if (!/^[0-9]{2,20}$/.test(digits)) throw new TypeError(`not a phone number: ${opts.number}`);
    const numberFormat = opts.numberFormat ?? 'e164';
    // What src/sip/ua/routing.ts formatNumber() writes for this trunk.
    const requestUser = numberFormat === 'digits' ? digits : `+${digits}`;
    const realm = opts.realm ?? 'carrier.partyline.test';
    const parts = await SipPhone.launch(opts, {
      user: requestUser,
      expectedUser: requestUser,
      auth: {
        username: opts.username,
        password: opts.password,
        realm,
        nonce: randomBytes(16).toString('hex'),
      },
    });
    const trunk: TrunkConfig = {
      name: opts.name ?? `carrier-${digits}`,
      host: '127.0.0.1',
      port: parts.sipp.port,
      transport: 'udp',
      username: opts.username,
      password: opts.password,
      realm,
      numberFormat,
      prefixes: [opts.number],
    };
    return new Carrier(parts, { number: opts.number, requestUser, trunk });
  }
}
