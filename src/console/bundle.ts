/**
 * Builds the console: esbuild bundles src/console/web/main.ts (with
 * @partyline/client from this repository's source) into one ES module,
 * beside the page and its stylesheet. No framework, no CDN: three files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAsset } from '../api/index.js';

/** The repository root, from src/console or dist/console alike. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = join(ROOT, 'src', 'console', 'web');
const CLIENT = join(ROOT, 'packages', 'client', 'src', 'index.ts');

/** What the console consists of, as served under /console/. */
export const CONSOLE_FILES: readonly string[] = ['index.html', 'app.js', 'style.css'];

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export function contentTypeOf(name: string): string {
  return TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** The console's files in memory. esbuild is a build-time tool: loaded only when bundling. */
export async function bundleConsole(): Promise<Map<string, ConsoleAsset>> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(WEB, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    write: false,
    outfile: 'app.js',
    alias: { '@partyline/client': CLIENT },
    tsconfig: join(WEB, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('esbuild produced no bundle for the console');
  const files = new Map<string, ConsoleAsset>();
  files.set('app.js', { body: Buffer.from(js.contents), contentType: contentTypeOf('app.js') });
  for (const name of ['index.html', 'style.css'])
    files.set(name, { body: await readFile(join(WEB, name)), contentType: contentTypeOf(name) });
  return files;
}

/** Writes the console's files to `outDir` (the build: dist/console/web). */
export async function writeConsole(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = await bundleConsole();
  for (const [name, asset] of files) await writeFile(join(outDir, name), asset.body);
  return [...files.keys()].map((n) => join(outDir, n));
}
