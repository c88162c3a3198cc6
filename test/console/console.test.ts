/**
 * The web console in a real browser: Debian's chromium driven by
 * playwright-core, against a real server with SIPp phones. Signs in, sees a
 * call the API starts appear live (members connected, talking), adds a
 * supervisor with the console's form (and makes it coach), holds the customer from its button —
 * the row says on hold and the customer's phone hears the customer hold
 * music (tone check) —, sees the server's error for an action it refuses,
 * opens the event history, hangs up from the rows and plays the recording.
 *
 * PARTYLINE_CONSOLE_SCREENSHOT=docs/console.png also writes the screenshot
 * of the three-party call the README shows.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  agentAndCustomer,
  connectedCall,
  createPhlo,
  RECORDED_PHLO,
  phone,
  startTestServer,
} from '../support/partyline-server.js';

const CHROMIUM = process.env.PARTYLINE_CHROMIUM ?? '/usr/bin/chromium';
const THIRD_HZ = 2000;
const CUSTOMER_HOLD_HZ = 660;
/** Generous: two cores shared with other test files, a browser and SIPp. */
const UI_TIMEOUT_MS = 20_000;

const skip =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `chromium is not installed at ${CHROMIUM} (apt-get install chromium; CI runs it always)`
    : false;

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI, containers) chromium refuses to start with its sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

const row = (page: Page, address: string) => page.locator(`tr[data-address="${address}"]`);

test(
  'the console shows a live call, acts on it, and shows what the server refuses',
  { skip },
  async (t) => {
    const { agent, customer } = await agentAndCustomer(t);
    const third = await phone(t, { behaviour: 'answer', toneHz: THIRD_HZ, user: 'third' });
    const srv = await startTestServer();
    t.after(() => srv.stop());
    // A recorded node, so the end of the test can play the call back.
    const node = await createPhlo(srv, readFileSync(RECORDED_PHLO, 'utf8'));
    const browser = await launch();
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    // Sign in: a wrong token is refused with the server's message, the right one lists the PHLOs.
    await page.goto(`${srv.baseUrl}/console`);
    await page.fill('input[name=auth_id]', srv.authId);
    await page.fill('input[name=auth_token]', 'not-the-token');
    await page.click('form#login button[type=submit]');
    await page
      .locator('#login-error')
      .filter({ hasText: /credentials|auth/i })
      .waitFor();
    await page.fill('input[name=auth_id]', srv.authId);
    await page.fill('input[name=auth_token]', srv.authToken);
    await page.click('form#login button[type=submit]');
    await page.locator(`[data-phlo-id="${node.phloId}"] [data-node-id="${node.nodeId}"]`).waitFor();
    await page.locator('#status.live').waitFor();
    // The token was kept in memory only.
    // Runs in the page; typed here without the DOM lib.
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as {
        localStorage: object;
        sessionStorage: object;
        document: { cookie: string };
        location: { href: string };
      };
      return [
        JSON.stringify({ ...g.localStorage }),
        JSON.stringify({ ...g.sessionStorage }),
        g.document.cookie,
        g.location.href,
      ];
    });
    assert.ok(!stored.some((s) => s.includes(srv.authToken)), 'the token is in no storage or URL');

    // A call started through the API appears by itself: both members connected, then talking.
    const callId = await connectedCall(srv, agent.uri, customer.uri, node);
    const card = page.locator(`article[data-call-id="${callId}"]`);
    await card.waitFor();
    await row(page, agent.uri).and(page.locator('[data-state=connected]')).waitFor();
    await row(page, customer.uri).and(page.locator('[data-state=connected]')).waitFor();
    assert.equal(await row(page, customer.uri).locator('td.role').textContent(), 'customer');
    await row(page, customer.uri).locator('[data-talking=true]').waitFor();
    await row(page, agent.uri).locator('[data-talking=true]').waitFor();

    // Add a third user, a supervisor, from the console's form (from the agent).
    await card.locator('input[name=to]').fill(third.uri);
    await card.locator('select[name=role]').selectOption('supervisor');
    await card.locator('select[name=trigger]').selectOption(agent.uri);
    await card.locator('button[data-action=call]').click();
    await row(page, third.uri).and(page.locator('[data-state=connected]')).waitFor();
    await customer.waitHearing(THIRD_HZ);
    await row(page, third.uri).locator('[data-talking=true]').waitFor();
    const shot = process.env.PARTYLINE_CONSOLE_SCREENSHOT;
    if (shot) {
      // Every member's time in call has ticked past 0:00 once the shot is taken.
      await page.waitForTimeout(1500);
      await page.screenshot({ path: shot, fullPage: true });
    }

    // Coach: the supervisor is heard by the agent only, no longer by the customer.
    await row(page, third.uri).locator('button[data-action=coach]').click();
    await customer.waitSilence(5_000, THIRD_HZ);
    await agent.waitHearing(THIRD_HZ);

    // Hold the customer: the row says so, and the customer's phone hears the customer hold music.
    await row(page, customer.uri).locator('button[data-action=hold]').click();
    await row(page, customer.uri).and(page.locator('[data-state=on_hold]')).waitFor();
    assert.equal(await row(page, customer.uri).locator('td.held').textContent(), 'yes');
    await customer.waitHearing(CUSTOMER_HOLD_HZ);
    // Held, it is not heard: its talking indicator goes out.
    await row(page, customer.uri).locator('[data-talking=false]').waitFor();
    await row(page, customer.uri).locator('button[data-action=unhold]').waitFor();

    // An action the server refuses: its message is shown on the call.
    await row(page, agent.uri).locator('button[data-action=abort_transfer]').click();
    await card
      .locator('p.error')
      .filter({ hasText: 'there is no transfer to abort in this call' })
      .waitFor();

    // The event history, from the store, with the hold in it.
    await card.locator('details summary').click();
    await card.locator('ol.events li[data-type="member.held"]').waitFor();

    // Hang up the agent and the supervisor from their rows: the call ends, its recording plays.
    await row(page, agent.uri).locator('button[data-action=hangup]').click();
    await row(page, agent.uri).and(page.locator('[data-state=disconnected]')).waitFor();
    await row(page, third.uri).locator('button[data-action=hangup]').click();
    await card.locator('.call-state').filter({ hasText: 'ended' }).waitFor();
    await card.locator('button[data-action=recording]').click();
    await card.locator('audio').waitFor();
    // Expressions as strings: tsx's helpers (__name) do not exist in the page.
    const player = `document.querySelector('article[data-call-id="${callId}"] audio')`;
    await page.waitForFunction(`${player}.readyState >= 1`);
    const seconds = Number(await page.evaluate(`${player}.duration`));
    assert.ok(seconds > 0.5, `the recording plays ${seconds} s`);
    assert.deepEqual(pageErrors, [], 'no script errors on the page');
  },
);
