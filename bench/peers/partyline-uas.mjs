#!/usr/bin/env node
// Partyline's own answering UA for the call-setup-rate benchmark (bench/cps),
// run from the compiled build (dist/, `npm run build`) exactly as production
// runs, under the same contract as the other peers:
//   node bench/peers/partyline-uas.mjs --port <port> [--address 127.0.0.1]
//   - listens on UDP <address>:<port>; prints "READY <port>" once listening;
//   - INVITE -> 200 OK with an SDP answer (no 180, like the other peers);
//     ACK and BYE handled by the UserAgent (dialogs, 2xx retransmission).
import { parseArgs } from 'node:util';
import { UserAgent } from '../../dist/sip/ua/index.js';

const { values } = parseArgs({
  options: { port: { type: 'string' }, address: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: partyline-uas.mjs --port <1-65535> [--address 127.0.0.1]');
  process.exit(2);
}
const address = values.address;
const sdp = [
  'v=0',
  `o=partyline 1 1 IN IP4 ${address}`,
  's=-',
  `c=IN IP4 ${address}`,
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

// SIPp is one source address: the per-source rate of new requests (a policy,
// default 1000/s) would cap the ladder there and hide the stack's capacity.
const ua = await UserAgent.create({
  listen: [{ protocol: 'udp', address, port }],
  newRequestsPerSecondPerSource: 0,
});
ua.on('invite', (call) => call.answer(sdp));
console.log(`READY ${port}`);
const stop = () => {
  void ua.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
