// The harness against real processes: placeholder expansion, the READY and
// udp-bound readiness contracts, clean stops, and one short SIPp load against
// the Node peer. Nothing here asserts on timing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { measureCps, measureLadder } from '../../../bench/cps/measure.js';
import { nodeSipTarget, REPO_ROOT, sippUasTarget } from '../../../bench/cps/peers.js';
import { expandPlaceholders, startTarget } from '../../../bench/cps/target.js';

async function udpPortBound(port: number): Promise<boolean> {
  const table = await readFile('/proc/net/udp', 'utf8');
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return table.includes(`0100007F:${hex}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('expandPlaceholders', () => {
  it('replaces {port}, {rtpPort} and each {freePort} with distinct ports', async () => {
    const { args, port } = await expandPlaceholders([
      'x',
      '-p',
      '{port}',
      '-mp',
      '{rtpPort}',
      '{freePort}',
      '{freePort}',
    ]);
    const [, , p, , rtp, a, b] = args.map(Number);
    assert.equal(p, port);
    assert.ok(rtp > 0 && a > 0 && b > 0);
    assert.equal(new Set([p, a, b]).size, 3);
  });

  it('appends --port when the command does not place it', async () => {
    const { args, port } = await expandPlaceholders(['x']);
    assert.deepEqual(args, ['x', '--port', String(port)]);
  });
});

describe('startTarget', () => {
  it('waits for READY <port>, then stops the process by its group', async () => {
    const t = await startTarget(nodeSipTarget(), REPO_ROOT);
    try {
      assert.ok(await udpPortBound(t.port));
      assert.ok(alive(t.child.pid));
    } finally {
      await t.child.stop();
    }
    assert.equal(alive(t.child.pid), false);
  });

  it('waits for the UDP port of a target that prints no READY line (SIPp)', async () => {
    const t = await startTarget(sippUasTarget(), REPO_ROOT);
    try {
      assert.ok(await udpPortBound(t.port));
    } finally {
      await t.child.stop();
    }
    assert.equal(alive(t.child.pid), false);
  });

  it('rejects with the stderr of a target that exits before it is ready', async () => {
    await assert.rejects(
      startTarget(
        {
          name: 'broken',
          command: [process.execPath, '-e', 'console.error("boom"); process.exit(3)', '{port}'],
        },
        REPO_ROOT,
      ),
      /broken: exited \(code 3\) before it was ready[\s\S]*boom/,
    );
  });

  it('rejects a READY line that names another port', async () => {
    await assert.rejects(
      startTarget(
        {
          name: 'liar',
          command: [
            process.execPath,
            '-e',
            'console.log("READY 1"); setInterval(() => {}, 1000)',
            '{port}',
          ],
        },
        REPO_ROOT,
      ),
      /announced READY 1/,
    );
  });
});

describe('measureCps', () => {
  it('completes every call SIPp places against the Node peer', async () => {
    const r = await measureCps(nodeSipTarget(), {
      rates: [100],
      secondsPerStep: 1,
      warmupCalls: 0,
      retries: 0,
    });
    assert.equal(r.name, 'node-sip');
    assert.equal(r.steps.length, 1);
    const [step] = r.steps;
    assert.equal(step.rate, 100);
    assert.equal(step.attempted, 100);
    assert.equal(step.successful, 100);
    assert.equal(step.failed, 0);
  });
});

describe('measureLadder', () => {
  it('drops a target at its failure and goes on rising with the others', async () => {
    // Listens and says READY, but answers nothing: every call it gets times out.
    const silent = {
      name: 'silent',
      command: [
        process.execPath,
        '-e',
        `const s = require('node:dgram').createSocket('udp4');
         s.bind(Number(process.argv[1]), '127.0.0.1', () => console.log('READY ' + process.argv[1]));`,
        '{port}',
      ],
    };
    const [peer, dead] = await measureLadder([nodeSipTarget(), silent], {
      rates: [50, 100],
      secondsPerStep: 1,
      warmupCalls: 0,
      retries: 0,
      bisect: false,
    });
    assert.deepEqual(
      dead.steps.map((s) => [s.rate, s.passed]),
      [[50, false]],
    );
    assert.equal(dead.cps_max, 0);
    assert.equal(dead.capped, false);
    assert.ok(Array.isArray(dead.limited_by));
    assert.deepEqual(
      peer.steps.map((s) => [s.rate, s.passed]),
      [
        [50, true],
        [100, true],
      ],
    );
    assert.equal(peer.cps_max, 100);
    // It never failed: its maximum lies above the ladder.
    assert.equal(peer.capped, true);
    for (const s of [...peer.steps, ...dead.steps]) {
      assert.ok(s.generator_cpu_pct >= 0, `SIPp's CPU was read: ${JSON.stringify(s)}`);
    }
  });
});
