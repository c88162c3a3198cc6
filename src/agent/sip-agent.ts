/**
 * The stand-alone SIP agent (`partyline agent`): listens for calls and
 * answers, rejects, or just rings them as configured, logging every call's
 * life. It is the first runnable piece of Partyline and a handy SIP test
 * endpoint; the call server builds on the same UserAgent.
 */
import type { Logger } from 'pino';
import { userAgentOptions, type Config } from '../config/index.js';
import { UserAgent, type IncomingCall } from '../sip/ua/index.js';
import { openEchoSession } from './echo-media.js';

export interface SipAgent {
  ua: UserAgent;
  stop(): Promise<void>;
}

export async function startSipAgent(config: Config, logger: Logger): Promise<SipAgent> {
  const ua = await UserAgent.create({ ...userAgentOptions(config.sip), logger });
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  ua.on('invite', (call: IncomingCall) => {
    const log = logger.child({ callId: call.callId });
    log.info(
      { from: call.invite.headers.get('from'), to: call.invite.headers.get('to') },
      'incoming call',
    );
    call.on('failed', (f) => log.info({ cause: f.cause }, 'call ended before answer'));
    call.on('ended', (e) => log.info(e, 'call ended'));
    const agent = config.agent;
    if (agent.mode === 'reject') return call.reject(agent.rejectStatus);
    call.ring();
    if (agent.mode === 'ring') return;
    later(() => {
      void (async () => {
        if (call.state === 'terminated') return;
        const media = await openEchoSession(call.remoteSdp, config.sip.address);
        if ('error' in media) {
          log.info({ why: media.error }, 'offer refused');
          // RFC 3264 §6 / RFC 3261 §13.3.1.3: an offer we cannot answer gets 488.
          return call.reject(488, 'Not Acceptable Here');
        }
        // The caller may have canceled while we opened the media socket.
        if ((call.state as string) === 'terminated') return media.close();
        call.once('ended', () => media.close());
        call.answer(media.answer);
        log.info('answered (RTP echo)');
        if (agent.maxCallMs > 0) later(() => call.hangup('max call time'), agent.maxCallMs);
      })().catch((err: Error) => log.error({ err: err.message }, 'answer failed'));
    }, agent.answerAfterMs);
  });

  return {
    ua,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await ua.close();
    },
  };
}
