#!/usr/bin/env node
// `npm run build`, after tsc: bundles the web console into dist/console/web, where the built
// server (dist/console/assets.js) serves it from.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConsole } from '../dist/console/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const written = await writeConsole(join(root, 'dist', 'console', 'web'));
console.log(`console: ${written.length} files in dist/console/web`);
