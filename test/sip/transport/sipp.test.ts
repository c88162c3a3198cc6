/**
 * Interop with a real peer: SIPp (3.6) places calls to a TransportLayer whose
 * handler answers every request (but ACK) with a 200 built by createResponse.
 * SIPp exits 0 only if every message it expected arrived, well formed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createResponse, generateTag } from '../../../src/sip/message/index.js';
import { TransportLayer, type TransportProtocol } from '../../../src/sip/transport/index.js';
import { freeUdpTcpPort } from './support.js';

const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));

interface SippRun {
  code: number | null;
  output: string;
}

/** Runs one SIPp call to 127.0.0.1:`port`; the process is killed by pid if still alive at the end. */
async function runSipp(
  port: number,
  transport: TransportProtocol,
  scenario: string[],
): Promise<SippRun> {
  const sippPort = await freeUdpTcpPort('127.0.0.1');
  const args = [
    `127.0.0.1:${port}`,
    ...scenario,
    '-t',
    transport === 'udp' ? 'u1' : 't1',
    '-i',
    '127.0.0.1',
    '-p',
    String(sippPort),
    '-m',
    '1',
    '-d',
    '0',
    '-timeout',
    '10s',
    '-timeout_error',
    '-nostdin',
  ];
  const child = spawn('sipp', args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    return { code, output };
  } finally {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
    }
  }
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`SIPp interop over ${transport.toUpperCase()}`, { timeout: 30_000 }, () => {
    let layer: TransportLayer;
    let port: number;
    const methods: string[] = [];

    before(async () => {
      layer = await TransportLayer.create({
        listen: [{ protocol: transport, address: '127.0.0.1', port: 0 }],
      });
      port = layer.localEndpoint(transport, 4).port;
      const toTag = generateTag();
      layer.onMessage = (message, source) => {
        if (message.kind !== 'request') return;
        methods.push(message.method);
        if (message.method === 'ACK') return;
        layer
          .sendResponse(createResponse(message, 200, undefined, { toTag }), source)
          .catch(() => undefined);
      };
    });
    after(async () => layer?.close());

    it('completes the default uac call (INVITE, ACK, BYE)', async () => {
      methods.length = 0;
      const run = await runSipp(port, transport, ['-sn', 'uac']);
      assert.equal(run.code, 0, run.output);
      // UDP may see retransmissions; each method arrives at least once and in this order.
      assert.deepEqual([...new Set(methods)], ['INVITE', 'ACK', 'BYE']);
      assert.equal(layer.stats().malformed, 0);
    });

    it('answers an OPTIONS with rport/received filled in (RFC 3581)', async () => {
      methods.length = 0;
      const run = await runSipp(port, transport, ['-sf', `${SCENARIOS}options-rport.xml`]);
      assert.equal(run.code, 0, run.output);
      assert.deepEqual([...new Set(methods)], ['OPTIONS']);
    });
  });
}
