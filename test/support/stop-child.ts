import type { ChildProcess } from 'node:child_process';

/**
 * Stops a peer the tests started, by its pid: SIGTERM, then SIGKILL if it
 * has not exited after `graceMs`. Resolves once it has exited.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  if (child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'grace'>((resolve) => {
    timer = setTimeout(() => resolve('grace'), graceMs);
  });
  if ((await Promise.race([exited.then(() => 'exited' as const), grace])) === 'grace') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
