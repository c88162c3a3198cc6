/**
 * CPU profiles of the measured windows only (node:inspector, the same
 * sampling profiler as --cpu-prof), so set-up and tear-down do not drown
 * the steady state. Written as .cpuprofile files (open in Chrome DevTools,
 * or summarise with bench/media/cpuprofile.ts).
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

export class WindowProfiler {
  private session: Session | null = null;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    // 1 ms sampling: fine enough for a 20 ms tick, light enough not to distort it much.
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
    this.session = session;
  }

  /** Stops profiling and writes `<dir>/<name>.cpuprofile`; returns the path. */
  async stop(name: string): Promise<string | null> {
    const session = this.session;
    this.session = null;
    if (!session) return null;
    try {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(this.dir, { recursive: true });
      const path = join(this.dir, `${name}.cpuprofile`);
      await writeFile(path, JSON.stringify(profile));
      return path;
    } finally {
      session.disconnect();
    }
  }
}
