import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTracked } from './child.js';
import type { CpsTarget } from './types.js';

/** The repository root (this file is bench/cps/peers.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const UAC_SCENARIO = join(REPO_ROOT, 'bench', 'sipp', 'uac-cps.xml');
export const UAS_SCENARIO = join(REPO_ROOT, 'bench', 'sipp', 'uas.xml');

const GO_PEER_DIR = join(REPO_ROOT, 'bench', 'peers', 'go');
/** Git-ignored; rebuilt when older than its sources. */
const GO_PEER_BINARY = join(GO_PEER_DIR, 'partyline-sipgo-peer');
const GO_PEER_SOURCES = ['main.go', 'go.mod', 'go.sum'];
const GO_BUILD_TIMEOUT_MS = 5 * 60_000;

/**
 * Partyline's own answering UA (bench/peers/partyline-uas.mjs), run from
 * the compiled build as `npm start` runs it: call buildPartyline() first.
 */
export function partylineTarget(): CpsTarget {
  return {
    name: 'partyline',
    command: [
      process.execPath,
      join(REPO_ROOT, 'bench', 'peers', 'partyline-uas.mjs'),
      '--port',
      '{port}',
    ],
  };
}

/**
 * `npm run build`: compiles @partyline/client and then src/ into dist/,
 * which partylineTarget() runs (src/ reads the client's built declarations).
 */
export function buildPartyline(): void {
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

/** The Node peer: npm `sip` 0.0.6 answering calls (bench/peers/node-sip/uas.mjs). */
export function nodeSipTarget(): CpsTarget {
  return {
    name: 'node-sip',
    command: [
      process.execPath,
      join(REPO_ROOT, 'bench', 'peers', 'node-sip', 'uas.mjs'),
      '--port',
      '{port}',
    ],
  };
}

/** The Go peer: github.com/emiago/sipgo answering calls; builds bench/peers/go first if needed. */
export async function sipgoTarget(): Promise<CpsTarget> {
  await buildGoPeer();
  return { name: 'sipgo', command: [GO_PEER_BINARY, '-port', '{port}'] };
}

/**
 * SIPp answering SIPp (bench/sipp/uas.xml). SIPp prints no READY line, so
 * readiness is its UDP port being bound. Its media and control sockets get
 * free ports of their own so it cannot collide with another SIPp.
 */
export function sippUasTarget(): CpsTarget {
  return {
    name: 'sipp-uas',
    command: [
      'sipp',
      '-sf',
      UAS_SCENARIO,
      '-i',
      '127.0.0.1',
      '-p',
      '{port}',
      '-mp',
      '{rtpPort}',
      '-ci',
      '127.0.0.1',
      '-cp',
      '{freePort}',
      '-buff_size',
      '1048576',
      '-nostdin',
    ],
    ready: 'udp-bound',
  };
}

/** `go build` of the sipgo peer unless the cached binary is newer than its sources. */
export async function buildGoPeer(): Promise<string> {
  const built = await mtime(GO_PEER_BINARY);
  const sources = await Promise.all(GO_PEER_SOURCES.map((f) => mtime(join(GO_PEER_DIR, f))));
  if (built !== undefined && sources.every((s) => s !== undefined && s <= built)) {
    return GO_PEER_BINARY;
  }
  const go = spawnTracked(['go', 'build', '-buildvcs=false', '-o', GO_PEER_BINARY, '.'], {
    cwd: GO_PEER_DIR,
  });
  const timer = setTimeout(() => void go.stop(), GO_BUILD_TIMEOUT_MS);
  const status = await go.exited.finally(() => clearTimeout(timer));
  if (status.code !== 0) {
    throw new Error(`go build of the sipgo peer failed (${GO_PEER_DIR}):\n${go.stderrTail()}`);
  }
  return GO_PEER_BINARY;
}

async function mtime(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
}
