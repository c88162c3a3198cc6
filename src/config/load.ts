import { readFileSync } from 'node:fs';
import type { Config } from './config.js';
import { ConfigError, validateConfig } from './validate.js';

/**
 * Reads and checks a JSON configuration file. A missing file is only an
 * error when the user named it explicitly; the default path is optional.
 */
export function loadConfig(path: string | undefined, defaultPath = 'partyline.json'): Config {
  const file = path ?? defaultPath;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && path === undefined)
      return validateConfig(undefined);
    throw new ConfigError(`cannot read configuration ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return validateConfig(doc);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${file}: ${err.message}`);
    throw err;
  }
}
