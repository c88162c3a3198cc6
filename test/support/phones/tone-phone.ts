/**
 * A phone the code under test calls by SIP URI: sip:USER@127.0.0.1:PORT.
 * See SipPhone for how SIPp and the RtpTestPeer make one phone, and
 * scenarios/*.xml for what each behaviour does on the wire.
 */
import { SipPhone, type SipPhoneOptions } from './sip-phone.js';

export interface TonePhoneOptions extends SipPhoneOptions {
  /** User part of the phone's URI and Contact, and the Request-URI user it insists on; default "phone". */
  user?: string;
}

export class TonePhone extends SipPhone {
  /** Starts a phone; stop() it from t.after(). */
  static async start(opts: TonePhoneOptions): Promise<TonePhone> {
    const user = opts.user ?? 'phone';
    return new TonePhone(await SipPhone.launch(opts, { user, expectedUser: user }));
  }
}
