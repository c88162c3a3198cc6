/**
 * The CLI's pure parts, in-process: columns and durations, the in-place
 * redraw of the live table (cursor moves over exactly the previous frame,
 * lines cut to the width), progress with and without a terminal, and the
 * order credentials are taken in (flags, environment, profile).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveTarget, saveProfile } from '../../src/cli/credentials.js';
import { Progress } from '../../src/cli/progress.js';
import { HIDE_CURSOR, LiveScreen, SHOW_CURSOR } from '../../src/cli/screen.js';
import { columns, duration } from '../../src/cli/table.js';
import { scratch } from './support.js';

class Sink {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

test('columns line up, without trailing blanks; durations read as people say them', () => {
  assert.deepEqual(
    columns([
      ['MEMBER', 'ROLE', ''],
      ['sip:a@h', 'customer', ''],
    ]),
    ['MEMBER   ROLE', 'sip:a@h  customer'],
  );
  assert.deepEqual([5_400, 65_000, 3_725_000, -1].map(duration), ['5s', '1m 05s', '1h 02m', '0s']);
});

test('the live screen redraws over exactly its previous frame and fits the terminal', () => {
  const out = new Sink(true, 12);
  const screen = new LiveScreen(out);
  screen.draw(['one', 'two', 'three']);
  screen.draw(['a line longer than the width']);
  screen.close();
  screen.draw(['after close: nothing']);
  assert.equal(
    out.text,
    `${HIDE_CURSOR}\r\x1b[Jone\ntwo\nthree\n` + `\x1b[3A\r\x1b[Ja line lon…\n` + SHOW_CURSOR,
  );
});

test('progress: one line per change; a spinner status only on a terminal, erased when done', () => {
  let now = 1_000;
  const pipe = new Sink(false);
  const p = new Progress(pipe, { now: () => now });
  p.waiting('sip:a@h dialing');
  now = 2_500;
  p.line('sip:a@h  ringing');
  p.line('sip:a@h  connected', 1_200);
  p.done();
  assert.equal(pipe.text, '  +1.5s  sip:a@h  ringing\n  +0.2s  sip:a@h  connected\n');

  const tty = new Sink(true);
  const q = new Progress(tty, { now: () => now, frameMs: 60_000 });
  q.waiting('sip:a@h ringing');
  q.line('sip:a@h  connected');
  q.done();
  assert.ok(tty.text.includes('sip:a@h ringing (0s)'), JSON.stringify(tty.text));
  assert.ok(tty.text.includes('\r\x1b[2K  +0.0s  sip:a@h  connected\n'), JSON.stringify(tty.text));
  assert.ok(tty.text.endsWith('\r\x1b[2K'), 'the status line is erased at the end');
});

test('credentials: flags over environment over profile; PLIVO_* as a fallback', (t) => {
  const dir = scratch(t);
  const file = join(dir, 'credentials.json');
  saveProfile(file, 'default', {
    url: 'http://p:1',
    auth_id: 'MP',
    auth_token: 'tp',
    phlo_id: 'ph',
  });
  const env = { PARTYLINE_CREDENTIALS: file };
  assert.deepEqual(resolveTarget({}, env), {
    url: 'http://p:1',
    authId: 'MP',
    authToken: 'tp',
    phloId: 'ph',
  });
  assert.deepEqual(
    resolveTarget(
      { authId: 'MF' },
      { ...env, PLIVO_AUTH_ID: 'MV', PLIVO_AUTH_TOKEN: 'tv', PARTYLINE_URL: 'http://e:2' },
    ),
    { url: 'http://e:2', authId: 'MF', authToken: 'tv', phloId: 'ph' },
  );
  assert.throws(
    () => resolveTarget({ url: 'nope' }, env),
    /not a URL: nope \(--url or PARTYLINE_URL/,
  );
  writeFileSync(file, '[1]');
  assert.throws(() => resolveTarget({}, env), /must be an object of profiles/);
  assert.equal(
    resolveTarget({ authId: 'a', authToken: 'b' }, { PARTYLINE_CREDENTIALS: join(dir, 'none') })
      .url,
    undefined,
  );
});
