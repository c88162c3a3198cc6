/**
 * The answering side of RFC 3264 (§6) and the offerer's reading of the
 * answer (§7). Only one audio stream runs per call leg: the first offered
 * m=audio over RTP/AVP that has a codec in common; every other m-line is
 * answered with port 0 (§6: same number of m-lines, a rejected stream has
 * port 0).
 */
import type { CodecName } from '../codec/index.js';
import { DEFAULT_PTIME } from './constants.js';
import {
  answerDirection,
  intersectDirections,
  isDirection,
  reverseDirection,
} from './direction.js';
import { SdpError } from './errors.js';
import { checkAddress, checkPort, checkPtime } from './offer.js';
import { parseSdp } from './parse.js';
import {
  chooseCodec,
  codecsIn,
  chooseTelephoneEvent,
  choosePtime,
  effectiveRemoteDirection,
  remoteRtcpPort,
} from './select.js';
import type { AnswerOptions, NegotiatedMedia, SdpMedia } from './types.js';
import {
  decimalString,
  newSessionId,
  writeSdp,
  type ActiveAudioSection,
  type DisabledSection,
  type RtpFormat,
} from './write.js';

export type AnswerResult = { answer: string; media: NegotiatedMedia } | { error: SdpError };

const ALL_CODECS: readonly CodecName[] = ['PCMU', 'PCMA'];

function isRtpAvp(media: SdpMedia): boolean {
  return media.protocol.toUpperCase() === 'RTP/AVP';
}

/**
 * Answers `offerText`. Remote input never throws: anything unusable comes
 * back as `{ error }` (the SIP layer answers 488, RFC 3261 §13.3.1.1).
 * @throws TypeError / RangeError on bad `local` options (our configuration).
 */
export function negotiateAnswer(offerText: string, local: AnswerOptions): AnswerResult {
  const addressType = checkAddress(local.address);
  checkPort(local.port);
  const fallbackPtime = checkPtime(local.ptime ?? DEFAULT_PTIME);
  const wish = local.direction ?? 'sendrecv';
  if (!isDirection(wish)) throw new TypeError(`unknown SDP direction ${String(wish)}`);
  const sessionId = decimalString(local.sessionId, newSessionId(), 'session id');
  const sessionVersion = decimalString(local.sessionVersion, '1', 'session version');

  const offer = parseSdp(offerText);
  if (offer instanceof SdpError) return { error: offer };

  let chosen: { media: SdpMedia; codec: NonNullable<ReturnType<typeof chooseCodec>> } | null = null;
  let activeAudio = false;
  let rtpAvpAudio = false;
  for (const m of offer.media) {
    if (m.type !== 'audio' || m.port === 0) continue;
    activeAudio = true;
    if (!isRtpAvp(m)) continue;
    rtpAvpAudio = true;
    const codec = chooseCodec(m, local.codecs);
    if (codec) {
      chosen = { media: m, codec };
      break;
    }
  }
  if (!chosen) {
    if (!activeAudio) {
      return { error: new SdpError('no-audio', 'the offer has no active audio stream (port 0)') };
    }
    if (!rtpAvpAudio) {
      return {
        error: new SdpError(
          'unsupported-transport',
          'audio is offered only over a transport other than RTP/AVP',
        ),
      };
    }
    return {
      error: new SdpError(
        'no-common-codec',
        `no common codec: we accept ${local.codecs.join(', ') || 'nothing'}`,
      ),
    };
  }

  const { media, codec } = chosen;
  const telephoneEvent = local.telephoneEvent ? chooseTelephoneEvent(media) : null;
  const ptime = choosePtime(media, fallbackPtime);
  const remoteDirection = effectiveRemoteDirection(media);
  const direction = answerDirection(remoteDirection, wish);
  const connection = media.connection;
  if (!connection) {
    // parseSdp guarantees a connection for active audio; kept for the type checker.
    return { error: new SdpError('bad-connection', 'no c= line for the audio stream') };
  }

  const formats: RtpFormat[] = [
    { payloadType: codec.payloadType, encodingName: codec.codec.name, clockRate: 8000 },
  ];
  if (telephoneEvent) {
    formats.push({
      payloadType: telephoneEvent.payloadType,
      encodingName: 'telephone-event',
      clockRate: 8000,
      fmtp: telephoneEvent.events,
    });
  }
  const sections = offer.media.map((m): ActiveAudioSection | DisabledSection =>
    m === media
      ? { kind: 'audio', port: local.port, formats, ptime, direction, rtcpMux: m.rtcpMux }
      : { kind: 'disabled', type: m.type, protocol: m.protocol, formats: m.formats },
  );
  const answer = writeSdp({
    address: local.address,
    addressType,
    sessionId,
    sessionVersion,
    media: sections,
  });
  return {
    answer,
    media: {
      remoteAddress: connection.address,
      remotePort: media.port,
      remoteRtcpPort: remoteRtcpPort(media, media.rtcpMux),
      codec: codec.codec,
      payloadType: codec.payloadType,
      telephoneEventPt: telephoneEvent?.payloadType ?? null,
      // What our answer lists, then — liberal in what we accept — the other
      // G.711 formats of the offer we take: the offerer maps them the same
      // way both ways (§6.1), so a peer that switches to one is understood.
      receiveCodecs: [
        codec,
        ...codecsIn(media, local.codecs).filter((c) => c.payloadType !== codec.payloadType),
      ],
      receiveTelephoneEventPt: telephoneEvent?.payloadType ?? null,
      ptime,
      direction,
      remoteDirection,
    },
  };
}

/**
 * The UAC side (RFC 3264 §7): what to run after `offerSent` was answered
 * with `answerText`. We send with the answer's payload numbers (they are
 * what the answerer expects to receive, §6.1) and its a=ptime (default 20).
 */
export function readAnswer(offerSent: string, answerText: string): NegotiatedMedia | SdpError {
  const offer = parseSdp(offerSent);
  if (offer instanceof SdpError) {
    return new SdpError(offer.code, `our offer is unusable: ${offer.message}`);
  }
  const answer = parseSdp(answerText);
  if (answer instanceof SdpError) return answer;

  const offered = offer.media.find((m) => m.type === 'audio' && m.port !== 0 && isRtpAvp(m));
  if (!offered)
    return new SdpError('answer-mismatch', 'our offer has no active RTP/AVP audio stream');
  const media = answer.media[offered.index];
  if (!media || media.type !== 'audio') {
    return new SdpError(
      'answer-mismatch',
      `the answer has no audio m-line at position ${offered.index + 1}`,
    );
  }
  if (media.port === 0)
    return new SdpError('rejected', 'the answer rejected the audio stream (port 0)');
  const connection = media.connection;
  if (!connection) return new SdpError('bad-connection', 'no c= line for the audio stream');

  const offeredCodecs = ALL_CODECS.filter((name) => chooseCodec(offered, [name]) !== null);
  const codec = chooseCodec(media, offeredCodecs);
  if (!codec) return new SdpError('answer-mismatch', 'the answer has no codec from our offer');
  const telephoneEvent =
    chooseTelephoneEvent(offered) !== null ? chooseTelephoneEvent(media) : null;

  const remoteDirection = effectiveRemoteDirection(media);
  const mux = offered.rtcpMux && media.rtcpMux;
  return {
    remoteAddress: connection.address,
    remotePort: media.port,
    remoteRtcpPort: remoteRtcpPort(media, mux),
    codec: codec.codec,
    payloadType: codec.payloadType,
    telephoneEventPt: telephoneEvent?.payloadType ?? null,
    // The answerer sends with our numbers (§6.1: they are what we listed);
    // we are ready for every format we offered (§5.1), the chosen one first.
    receiveCodecs: [
      ...codecsIn(offered, offeredCodecs).filter((c) => c.codec === codec.codec),
      ...codecsIn(offered, offeredCodecs).filter((c) => c.codec !== codec.codec),
    ],
    receiveTelephoneEventPt:
      telephoneEvent !== null ? (chooseTelephoneEvent(offered)?.payloadType ?? null) : null,
    ptime: choosePtime(media, DEFAULT_PTIME),
    direction: intersectDirections(offered.direction, reverseDirection(remoteDirection)),
    remoteDirection,
  };
}
