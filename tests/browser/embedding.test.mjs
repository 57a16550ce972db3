// The example deck (www/examples/deck.html, served at /examples/deck.html): its buttons drive
// embedded demos over postMessage (play, pause, step 10, set a key, reset), each demo reports
// ready to the deck, the deck runs under its own strict CSP, its slides change with the arrow
// keys, each 960×540 embed has no scrollbar, and axe finds no serious or critical violation.
// The deck is opened with ?backend=cpu, which it passes on to every demo (CPU is the faster
// backend for these small models here; WebGPU runs on a software adapter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { sharedBrowser, screenshot } from './harness.mjs';

const ctx = sharedBrowser();
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Polls `fn` in `frame` (a page or a frame) from node until it returns something truthy:
 *  waitForFunction would evaluate inside the page, which its CSP forbids. */
async function until(frame, fn, arg, timeout = 60_000) {
  const t0 = Date.now();
  for (;;) {
    const value = await frame.evaluate(fn, arg).catch(() => undefined); // mid-navigation
    if (value) return value;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The deck with its own CSP in force (unlike the harness's pages), recording console errors,
 *  uncaught exceptions and CSP violations in the deck and in its demos. */
async function openDeck({ bypassCSP = false, hash = '' } = {}) {
  const context = await ctx.browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.violations = [];
  await page.exposeFunction('reportViolation', (v) => page.violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${location.pathname}: ${e.violatedDirective} ${e.blockedURI}`)));
  await page.goto(`${ctx.server.url}/examples/deck.html?backend=cpu${hash}`);
  return { context, page };
}

/** Waits until the deck has had `ganPlayground:ready` from demo `name`; returns its frame. */
async function readyFrame(page, name) {
  await page.locator(`#demo-${name}[data-ready="true"]`).waitFor({ state: 'attached', timeout: 60_000 });
  await page.locator(`#step-${name}`, { hasText: /^Step \d+/ }).waitFor({ timeout: 10_000 });
  const frame = await (await page.$(`#demo-${name}`)).contentFrame();
  assert.ok(frame, `no frame for ${name}`);
  return frame;
}

const status = (frame) => frame.evaluate(() => window.ganPlayground.status());
const button = (page, slide, cmd) => page.locator(`#slide-${slide} button[data-cmd="${cmd}"]`);

/** The demo's document fits its 960×540 frame: no scrollbar either way. */
async function assertFits(frame, what) {
  const m = await frame.evaluate(() => {
    const e = document.scrollingElement;
    return { w: innerWidth, h: innerHeight, sw: e.scrollWidth, sh: e.scrollHeight, cw: e.clientWidth, ch: e.clientHeight, embed: location.search.includes('embed=1') };
  });
  assert.ok(m.embed, `${what}: not in embed mode`);
  assert.deepEqual([m.w, m.h], [960, 540], `${what}: the frame is not 960×540`);
  assert.ok(m.sh <= m.ch && m.sw <= m.cw, `${what} scrolls: ${JSON.stringify(m)}`);
}

test('the deck drives the toy lab: step 10, play, pause, set a key, reset', async () => {
  const { context, page } = await openDeck();
  const frame = await readyFrame(page, 'toy');
  assert.equal(await page.isVisible('#slide-1'), true);
  assert.equal(await page.isVisible('#slide-2'), false);
  const url = new URL(frame.url());
  assert.equal(url.pathname, '/toy');
  for (const [key, value] of [['embed', '1'], ['backend', 'cpu'], ['theme', 'contrast'], ['dist', 'ring8']]) {
    assert.equal(url.searchParams.get(key), value, `${key} in ${frame.url()}`);
  }
  const first = await status(frame);
  assert.equal(first.route, '/toy');
  assert.equal(first.backend, 'cpu');
  assert.equal(first.running, false, 'no autoplay');

  await button(page, 1, 'step').click();
  const stepped = await until(frame, (n) => { const s = window.ganPlayground.status(); return s.step >= n && s; }, first.step + 10);
  assert.ok(stepped.step >= first.step + 10, `Step 10 went from ${first.step} to ${stepped.step}`);
  await page.locator('#step-toy', { hasText: `Step ${stepped.step} · paused` }).waitFor({ timeout: 10_000 });
  await page.locator('#msg-toy', { hasText: 'Step 10: done' }).waitFor({ timeout: 10_000 });

  await button(page, 1, 'play').click();
  await until(frame, (n) => { const s = window.ganPlayground.status(); return s.running && s.step > n; }, stepped.step);
  await page.locator('#step-toy', { hasText: 'running' }).waitFor({ timeout: 10_000 });
  await button(page, 1, 'pause').click();
  await until(frame, () => !window.ganPlayground.status().running);

  assert.notEqual(await frame.evaluate(() => window.ganPlayground.get('loss')), 'wgan-gp');
  await button(page, 1, 'set').click();
  await until(frame, async () => (await window.ganPlayground.get('loss')) === 'wgan-gp');
  await until(frame, () => /(^|&|\?)loss=wgan-gp(&|$)/.test(location.search)); // the demo's link follows
  assert.ok(new URL(frame.url()).searchParams.get('embed') === '1', 'page options survive the rewrite');

  // make sure there is something to reset, then reset: a new run at step 0
  if ((await status(frame)).step === 0) {
    await button(page, 1, 'step').click();
    await until(frame, () => window.ganPlayground.status().step >= 10);
  }
  await button(page, 1, 'reset').click();
  await until(frame, () => { const s = window.ganPlayground.status(); return s.step === 0 && !s.running; });
  await page.locator('#msg-toy', { hasText: 'Reset: done' }).waitFor({ timeout: 10_000 });
  await assertFits(frame, '/toy');
  await screenshot(page, 'deck-toy');
  assert.deepEqual(page.violations, [], 'CSP violations');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('arrow keys change slides; the saddle and collapse slides load, answer and leave no demo running', async () => {
  const { context, page } = await openDeck();
  await readyFrame(page, 'toy');
  assert.equal(await page.locator('#demo-saddle').getAttribute('src'), null, 'slides load their demo when first shown');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isVisible('#slide-2'), true);
  assert.equal(await page.isVisible('#slide-1'), false);
  await page.locator('#slide-number', { hasText: 'Slide 2 of 3' }).waitFor();

  // saddle: it opens with the whole trajectory drawn; Rewind goes to step 0, Step 10 to 10
  const saddle = await readyFrame(page, 'saddle');
  assert.equal((await status(saddle)).route, '/saddle');
  await button(page, 2, 'reset').click();
  await until(saddle, () => window.ganPlayground.status().step === 0);
  await button(page, 2, 'step').click();
  await until(saddle, () => window.ganPlayground.status().step === 10);
  await button(page, 2, 'set').click();
  await until(saddle, async () => (await window.ganPlayground.get('eta')) === 0.5);
  await assertFits(saddle, '/saddle');
  await screenshot(page, 'deck-saddle');

  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isVisible('#slide-3'), true);
  const collapse = await readyFrame(page, 'collapse');
  assert.equal((await status(collapse)).route, '/collapse');
  const before = (await status(collapse)).step;
  await button(page, 3, 'step').click();
  await until(collapse, (n) => window.ganPlayground.status().step >= n + 10, before);
  assert.equal(await collapse.evaluate(() => window.ganPlayground.get('bMinibatchStd')), 'off');
  await button(page, 3, 'set').click();
  await until(collapse, async () => (await window.ganPlayground.get('bMinibatchStd')) === 'on');
  await assertFits(collapse, '/collapse');
  await screenshot(page, 'deck-collapse');

  // a demo left running is paused when its slide is left; the deck's arrows stay at the ends
  await button(page, 3, 'play').click();
  await until(collapse, () => window.ganPlayground.status().running);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isVisible('#slide-3'), true, 'no slide after the last');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.isVisible('#slide-2'), true);
  await until(collapse, () => !window.ganPlayground.status().running);
  assert.match(page.url(), /#slide-2$/);
  assert.deepEqual(page.violations, [], 'CSP violations');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('axe finds no serious or critical violation in the deck; every deck button is reachable by Tab', async () => {
  // axe is injected as a script, which the deck's policy forbids: this context bypasses it
  const { context, page } = await openDeck({ bypassCSP: true });
  await readyFrame(page, 'toy');
  for (const slide of [1, 2]) {
    if (slide === 2) {
      await page.click('#next');
      await readyFrame(page, 'saddle');
    }
    await page.addScriptTag({ content: AXE });
    // the demos themselves are checked in share.test.mjs
    const violations = await page.evaluate(async () => (await window.axe.run(document, { iframes: false })).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
    assert.deepEqual(violations, [], `slide ${slide}`);
  }
  // Tab from the top: every visible deck button gets focus (Tab passes through the demo's own
  // controls on the way, where the deck's activeElement is the iframe)
  await page.click('#prev');
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  for (let i = 0; i < 120 && reached.size < 7; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => {
      const e = document.activeElement;
      return e?.tagName === 'BUTTON' ? (e.id || `${e.closest('.slide').id}:${e.dataset.cmd}`) : null;
    });
    if (id) reached.add(id);
  }
  const expected = ['play', 'pause', 'step', 'set', 'reset'].map((c) => `slide-1:${c}`).concat(['prev', 'next']);
  assert.deepEqual([...reached].sort(), expected.sort(), 'deck buttons Tab reaches');
  assert.deepEqual(page.errors, []);
  await context.close();
});
