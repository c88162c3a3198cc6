/**
 * Where the console's files come from. Built (`npm run build`): the files
 * scripts/build-console.mjs wrote beside this module (dist/console/web).
 * From source (the tests and `npm run dev`-style runs under tsx): bundled
 * from src/console/web on the first request, once per process, so a test
 * always gets the page of the code it runs.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAsset, ConsoleAssets } from '../api/index.js';
import { bundleConsole, CONSOLE_FILES, contentTypeOf } from './bundle.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The console's files for this process: built ones, or bundled from source when running from source. */
export function consoleAssets(): ConsoleAssets {
  return FROM_SOURCE ? bundledAssets() : builtAssets(join(HERE, 'web'));
}

/** Bundles on first use; a failed bundle is retried on the next request (it logs nothing itself). */
export function bundledAssets(): ConsoleAssets {
  let files: Promise<Map<string, ConsoleAsset>> | null = null;
  return {
    async get(name) {
      files ??= bundleConsole().catch((err: unknown) => {
        files = null;
        throw err;
      });
      return (await files).get(name) ?? null;
    },
  };
}

export function builtAssets(dir: string): ConsoleAssets {
  return {
    async get(name) {
      if (!CONSOLE_FILES.includes(name)) return null;
      const body = await readFile(join(dir, name)).catch(() => null);
      return body === null ? null : { body, contentType: contentTypeOf(name) };
    },
  };
}
