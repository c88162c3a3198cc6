/**
 * The console's files: the build writes the three files the server serves
 * (test/console/console.test.ts uses the bundle made from source), nothing
 * is loaded from elsewhere at run time, and only those names are served.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtAssets, writeConsole, CONSOLE_FILES } from '../../src/console/index.js';

test('the build writes the page, its bundle and stylesheet; built assets serve only those', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'partyline-console-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await writeConsole(dir);
  assert.deepEqual(readdirSync(dir).sort(), [...CONSOLE_FILES].sort());
  const assets = builtAssets(dir);
  const page = await assets.get('index.html');
  const js = await assets.get('app.js');
  assert.equal(page?.contentType, 'text/html; charset=utf-8');
  assert.equal(js?.contentType, 'text/javascript; charset=utf-8');
  const html = String(page?.body);
  // Everything the page loads is this server's own.
  for (const ref of html.matchAll(/(?:src|href)="([^"]+)"/g))
    assert.match(ref[1], /^\/console\//, `the page loads ${ref[1]}`);
  const code = String(js?.body);
  assert.doesNotMatch(code, /\bimport\s*\(?\s*["']https?:/, 'the bundle imports nothing remote');
  assert.match(code, /\/v1\/events\/stream/, 'the bundle follows the live stream');
  assert.equal(await assets.get('../package.json'), null);
  assert.equal(await assets.get('nope.js'), null);
});
