/**
 * The media benchmark's load generator, a process of its own so that its
 * work is not counted as the mixer's: `node --import tsx
 * bench/media/load-generator.ts --control <port>`. It connects to the
 * benchmark on 127.0.0.1:<port> and obeys the JSON-line commands of
 * protocol.ts, answering each on the same connection. When the connection
 * closes (the benchmark is gone) it exits; the benchmark also kills its
 * process group.
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { LoadGenerator } from './generator.js';
import {
  LineSplitter,
  parseCommand,
  type GeneratorCommand,
  type GeneratorReply,
} from './protocol.js';

const { values } = parseArgs({ options: { control: { type: 'string' } } });
const controlPort = Number(values.control);
if (!Number.isInteger(controlPort) || controlPort <= 0 || controlPort > 65535) {
  console.error('usage: load-generator.ts --control <port>');
  process.exit(2);
}

const generator = new LoadGenerator();
const socket = connect({ host: '127.0.0.1', port: controlPort });
socket.setNoDelay(true);
socket.setEncoding('utf8');
const lines = new LineSplitter();

function reply(r: GeneratorReply): void {
  socket.write(JSON.stringify(r) + '\n');
}

async function execute(c: GeneratorCommand): Promise<GeneratorReply> {
  switch (c.cmd) {
    case 'setup':
      return { id: c.id, ok: true, kind: 'ready', ports: await generator.setup(c.host, c.targets) };
    case 'start':
      generator.start(c.signal, c.phases);
      return { id: c.id, ok: true, kind: 'done' };
    case 'mark':
      return { id: c.id, ok: true, kind: 'mark', cpuUs: generator.mark() };
    case 'stop':
      generator.stop();
      return { id: c.id, ok: true, kind: 'done' };
    case 'report':
      return { id: c.id, ok: true, kind: 'report', report: generator.report() };
    case 'clicks': {
      const latenciesMs = await generator.clicks(
        c.from,
        c.to,
        c.count,
        c.intervalMs,
        c.threshold,
        c.timeoutMs,
      );
      return { id: c.id, ok: true, kind: 'clicks', latenciesMs };
    }
    case 'teardown':
      await generator.teardown();
      return { id: c.id, ok: true, kind: 'done' };
    case 'exit':
      await generator.teardown();
      reply({ id: c.id, ok: true, kind: 'done' });
      socket.end();
      return { id: c.id, ok: true, kind: 'done' };
  }
}

// Commands run one after another, in the order received: a report must see
// the effect of the stop sent before it.
let queue: Promise<void> = Promise.resolve();

socket.on('data', (chunk: string) => {
  for (const line of lines.push(chunk)) {
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      const id = /"id"\s*:\s*(\d+)/.exec(line);
      reply({ id: id ? Number(id[1]) : 0, ok: false, error: parsed.error });
      continue;
    }
    const command = parsed.value;
    queue = queue.then(async () => {
      try {
        const r = await execute(command);
        if (command.cmd !== 'exit') reply(r);
      } catch (err) {
        reply({ id: command.id, ok: false, error: (err as Error).message });
      }
    });
  }
});

const quit = (): void => {
  void generator.teardown().finally(() => process.exit(0));
};
socket.on('close', quit);
socket.on('error', quit);
