// Share and embed (issue 7): links round-trip every setting, bad links get defaults and a
// notice, embed mode fits a slide, _hide, keyboard shortcuts, the Share / Embed / Export
// dialogs, themes, high-DPI canvases, layouts from 360 px to 4K, axe, no request leaving the
// origin, the shipped Content-Security-Policy, and a sub-path deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { sharedBrowser, openPage, screenshot, settledStep, status, waitStatus, ROOT } from './harness.mjs';
import { start } from './server.mjs';

const ctx = sharedBrowser();
const DEMOS = ['/toy', '/collapse', '/saddle', '/digits'];
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Seeded RNG (mulberry32) so a failure names a reproducible case. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Waits (polling from node, so it works under the page's CSP) until `fn` in the page is truthy. */
async function poll(page, fn, arg, timeout = 60_000) {
  const t0 = Date.now();
  for (;;) {
    const value = await page.evaluate(fn, arg).catch(() => undefined); // mid-navigation
    if (value) return value;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ready = (page) => poll(page, () => { const s = window.ganPlayground?.status(); return s && s.backend !== null && s.error === null && s; });
const SIZE_KEY = /layers|width|batch|latent|unroll|pack|steps|samples/i;
/** Start from pretrained weights only fits their one shape: random links start from scratch. */
const NEEDS_A_FILE = ['drawn', 'pretrained'];

/** A random valid value for a row of `table()`, kept small where size costs time. */
function randomValue(row, r) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  switch (row.kind) {
    case 'int': {
      const hi = SIZE_KEY.test(row.key) ? Math.min(row.max, row.min + Math.max(2, Math.ceil((row.max - row.min) * 0.05))) : row.max;
      return String(row.min + Math.floor(r() * (hi - row.min + 1)));
    }
    case 'float': {
      const v = row.min > 0 && row.max / row.min > 100
        ? Math.exp(Math.log(row.min) + r() * (Math.log(row.max) - Math.log(row.min)))
        : row.min + r() * (row.max - row.min);
      const hi = SIZE_KEY.test(row.key) ? row.min + (row.max - row.min) * 0.05 : row.max;
      return String(Number(Math.min(hi, Math.max(row.min, v)).toPrecision(4)));
    }
    case 'choice': return pick(row.options.filter((o) => !NEEDS_A_FILE.includes(o)));
    case 'set': {
      const chosen = row.options.filter(() => r() < 0.5);
      return (chosen.length ? chosen : [row.options[0]]).join(',');
    }
    default: return row.default;
  }
}

/** config() as the text a link carries. */
const asText = (config) => Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));

test('every demo: random valid settings → link → reload → the same config()', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/toy?backend=cpu`);
  for (const [d, route] of DEMOS.entries()) {
    await page.goto(`${ctx.server.url}${route}`);
    await page.waitForFunction(() => window.ganPlayground?.table().length > 0);
    const table = await page.evaluate(() => window.ganPlayground.table());
    const r = rng(1000 + d);
    for (let i = 0; i < 3; i++) {
      const want = {};
      for (const row of table) want[row.key] = row.key === 'backend' ? 'cpu' : randomValue(row, r);
      const query = new URLSearchParams(want).toString();
      await page.goto(`${ctx.server.url}${route}?${query}`);
      await ready(page);
      const got = asText(await page.evaluate(() => window.ganPlayground.config()));
      assert.deepEqual(got, want, `${route} case ${i}: ${query}`);
      assert.equal(await page.locator('.notices .notice').count(), 0, `${route} case ${i}: a valid link got a notice`);
      const link = await page.evaluate(() => location.href);
      await page.reload();
      await ready(page);
      assert.deepEqual(asText(await page.evaluate(() => window.ganPlayground.config())), want, `${route} case ${i} after reload`);
      assert.equal(await page.evaluate(() => location.href), link, 'reloading keeps the link');
    }
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** A malformed value of a row (wrong type, out of range, NaN, huge, empty, very long, bad escape). */
function badValue(row, r) {
  const bad = ['abc', 'NaN', 'Infinity', '-1e308', '1e308', '', 'x'.repeat(3000), '%E2%82', '0x10', '1,2', '[]', '%00', 'true'];
  const v = bad[Math.floor(r() * bad.length)];
  if (row.kind === 'text' && /^[A-Za-z0-9._-]*$/.test(v) && v.length <= row.max) return 'é!';
  if (row.kind === 'set' && v === '') return ',';
  return v;
}

test('a few hundred malformed links: defaults, a notice naming each key, no console error', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/toy?backend=cpu`);
  const tables = {};
  for (const route of DEMOS) {
    await page.evaluate((r) => window.ganPlayground.goto(r), `${route}?backend=cpu`);
    tables[route] = await page.evaluate(() => window.ganPlayground.table());
  }
  const r = rng(7);
  let checked = 0;
  for (let i = 0; i < 270; i++) {
    const route = DEMOS[i % DEMOS.length];
    const table = tables[route].filter((row) => row.key !== 'backend' && !(row.kind === 'choice' && row.options.length === 1));
    const pairs = [['backend', 'cpu']];
    const badKeys = new Set();
    for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
      const row = table[Math.floor(r() * table.length)];
      const value = badValue(row, r);
      if (value === '' && row.kind === 'text') continue;
      pairs.push([row.key, value]);
      badKeys.add(row.key);
    }
    if (r() < 0.3) pairs.push([`zz${i}`, 'whatever']); // unknown keys are ignored
    if (r() < 0.2) pairs.push(['theme', 'neon']);
    // in-app navigation needs a URL it can parse; broken escapes are full loads (below)
    const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    await page.evaluate((to) => window.ganPlayground.goto(to), `${route}?${query}`);
    const got = await page.evaluate(() => window.ganPlayground.config());
    const notices = await page.locator('.notices .notice').allTextContents();
    for (const key of badKeys) {
      const row = tables[route].find((x) => x.key === key);
      if (row.kind === 'choice' && row.options.includes(String(got[key])) && String(got[key]) !== row.default) continue;
      assert.equal(String(got[key]), row.default, `${route}?${query}: ${key} should fall back to its default`);
      assert.ok(notices.some((n) => n.includes(key)), `${route}?${query}: no notice names ${key} (${notices.join(' | ')})`);
      checked++;
    }
    await page.evaluate(() => document.querySelectorAll('.notices .dismiss').forEach((b) => b.click()));
  }
  // unknown routes, repeated keys and odd paths as full page loads
  const odd = ['/nope', '/toy/extra', '/toy%E2%82', '/%00', '/collapse?&&&=&=', '/saddle?eta=1e999&eta=', '/digits?x=1',
    '/toy?backend=cpu&lrD=%E2%82&seed=%zz', '/collapse?backend=cpu&batch=%', '/toy?' + 'a'.repeat(6000) + '=1',
    '/toy?backend=cpu&embed=yes&autoplay=2&lrD_hide=maybe&theme=neon'];
  for (const url of odd) {
    await page.goto(`${ctx.server.url}${url}`);
    await page.waitForFunction(() => window.ganPlayground !== undefined);
    await page.waitForSelector('main h1, main .demo');
  }
  const pageNotices = await page.locator('.notices .notice').allTextContents();
  for (const key of ['embed', 'autoplay', 'lrD_hide', 'theme']) assert.ok(pageNotices.some((n) => n.startsWith(key)), `no notice for ${key}: ${pageNotices}`);
  await page.goto(`${ctx.server.url}/toy?backend=cpu&seed=5&seed=abc`);
  await ready(page);
  assert.equal(await page.evaluate(() => window.ganPlayground.get('seed')), 5, 'a repeated key keeps its last valid value');
  assert.ok(checked > 200, `only ${checked} bad values checked`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

const noScrollbars = (page) => page.evaluate(() => {
  const e = document.scrollingElement;
  return { h: e.scrollHeight <= e.clientHeight, w: e.scrollWidth <= e.clientWidth, sizes: [e.scrollWidth, e.scrollHeight, e.clientWidth, e.clientHeight] };
});

test('embed=1 shows only the demo and fits 960×540 and 1280×720 with no scrollbar', async () => {
  for (const [width, height] of [[960, 540], [1280, 720]]) {
    for (const route of DEMOS) {
      const page = await openPage(ctx.browser, `${ctx.server.url}${route}?backend=cpu&embed=1`, { width, height });
      await ready(page);
      await page.evaluate(() => window.ganPlayground.step(5));
      assert.equal(await page.locator('header.top').isVisible(), false, 'no site header');
      assert.equal(await page.locator('.demo-head').isVisible(), false, 'no article text');
      assert.ok(await page.locator('#play').isVisible(), 'transport shown');
      const fits = await noScrollbars(page);
      assert.ok(fits.h && fits.w, `${route} at ${width}×${height} scrolls: ${fits.sizes}`);
      const field = await page.locator('[data-view]').first().boundingBox();
      assert.ok(field.height > height * 0.5, `${route}: the main view is only ${field.height}px tall`);
      await screenshot(page, `embed-${route.slice(1)}-${width}x${height}`);
      await page.click('#embed-settings');
      assert.ok(await page.locator('.settings-panel').isVisible(), 'the settings drawer opens');
      assert.ok((await noScrollbars(page)).h, 'the drawer scrolls inside itself, not the page');
      if (width === 960) await screenshot(page, `embed-${route.slice(1)}-settings`);
      assert.ok((await page.getAttribute('#embed-full', 'href')).indexOf('embed=1') < 0, 'the full-page link leaves embed mode');
      assert.deepEqual(page.errors, []);
      await page.close();
    }
  }
});

test('<key>_hide hides controls, and page options survive every rewrite of the link', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/toy?backend=cpu&lrD_hide=true&presets_hide=true&theme=dark&files_hide=1`);
  await ready(page);
  assert.equal(await page.locator('#set-lrD').count(), 0, 'lrD hidden');
  assert.equal(await page.locator('#set-lrG').count(), 1, 'lrG shown');
  assert.equal(await page.locator('#preset').isVisible(), false, 'presets hidden');
  assert.equal(await page.locator('#save-run').isVisible(), false, 'files hidden');
  await page.fill('#set-lrG', '0.0005');
  await page.locator('#set-lrG').dispatchEvent('change');
  await page.waitForFunction(() => window.ganPlayground.config().lrG === 0.0005);
  const search = new URLSearchParams(await page.evaluate(() => location.search));
  assert.equal(search.get('lrG'), '0.0005');
  assert.equal(search.get('lrD_hide'), 'true');
  assert.equal(search.get('presets_hide'), 'true');
  assert.equal(search.get('theme'), 'dark');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('keyboard: space, →, r, h, ? act; typing in a field does not', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/toy?backend=cpu`);
  await ready(page);
  await page.click('h1'); // focus on the page, not on a control
  await page.keyboard.press('Space');
  await waitStatus(page, (s) => s.running);
  await page.keyboard.press('Space');
  await waitStatus(page, (s) => !s.running);
  const before = await settledStep(page); // steps trained just before the pause show a frame later
  await page.keyboard.press('ArrowRight');
  await waitStatus(page, `(s) => s.step === ${before + 1}`);
  await page.keyboard.press('r');
  await waitStatus(page, (s) => s.step === 0);
  await page.keyboard.press('h');
  assert.equal(await page.locator('.settings-panel').isVisible(), false, 'h hides the settings');
  await page.keyboard.press('h');
  assert.ok(await page.locator('.settings-panel').isVisible(), 'h shows them again');
  await page.keyboard.press('Shift+Slash');
  assert.ok(await page.locator('#shortcuts-dialog').isVisible(), '? opens the shortcuts');
  await screenshot(page, 'shortcuts-dialog');
  await page.keyboard.press('Space'); // inside a dialog: not a shortcut
  assert.equal((await status(page)).running, false);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#shortcuts-dialog').isVisible(), false, 'Esc closes it');
  await page.focus('#set-seed');
  await page.keyboard.press('Space');
  await page.keyboard.press('r');
  await page.keyboard.press('ArrowRight');
  assert.equal((await status(page)).running, false, 'space in a field does not play');
  await page.click('h1');
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement !== null);
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement === null);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Share copies the link, with autoplay on request; Embed builds an iframe that works', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${ctx.server.url}/toy?backend=cpu&seed=11&dist=ring8`);
  await ready(page);
  await page.click('#open-share');
  assert.equal(await page.inputValue('#share-link'), await page.evaluate(() => location.href));
  await page.check('#share-autoplay');
  const shared = await page.inputValue('#share-link');
  assert.ok(shared.includes('autoplay=1') && shared.includes('seed=11'), shared);
  await page.click('#share-copy');
  await page.waitForFunction(() => document.querySelector('#share-dialog .feedback').textContent.length > 0);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shared);
  await screenshot(page, 'share-dialog');
  await page.keyboard.press('Escape');

  await page.click('#open-embed');
  await page.check('input[name="embed-hide"][value="lrD"]');
  await page.check('input[name="embed-hide"][value="presets"]');
  const code = await page.inputValue('#embed-code');
  assert.match(code, /<iframe src="[^"]*embed=1[^"]*" title="[^"]+" allow="fullscreen" loading="lazy" width="960" height="540"/);
  assert.ok(code.includes('lrD_hide=true') && code.includes('presets_hide=true'), code);
  await screenshot(page, 'embed-dialog');
  await page.keyboard.press('Escape');

  // the snippet in a host page: autoplay off, controls hidden, fits without scrollbars
  const src = code.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const host = await context.newPage();
  await host.goto(`${ctx.server.url}/`);
  await host.setContent(`<!doctype html><html lang="en"><title>host</title><body style="margin:0">${code}</body></html>`);
  const frame = await (await host.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.ganPlayground?.status().backend !== null);
  assert.equal(await frame.evaluate(() => location.href), src);
  assert.equal(await frame.locator('#set-lrD').count(), 0);
  const fits = await frame.evaluate(() => { const e = document.scrollingElement; return e.scrollHeight <= e.clientHeight && e.scrollWidth <= e.clientWidth; });
  assert.ok(fits, 'the embedded demo has no scrollbar');

  // the shared link with autoplay starts by itself
  const viewer = await context.newPage();
  await viewer.goto(shared);
  await viewer.waitForFunction(() => window.ganPlayground?.status().running && window.ganPlayground.status().step > 0, null, { timeout: 60_000 });
  assert.equal(await viewer.evaluate(() => window.ganPlayground.get('seed')), 11);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(buffer) {
  assert.equal(buffer.subarray(1, 4).toString(), 'PNG', 'a PNG file');
  return [buffer.readUInt32BE(16), buffer.readUInt32BE(20)];
}

test('Export: a PNG of every view at device resolution, the metric history as CSV', async () => {
  for (const route of DEMOS) {
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${ctx.server.url}${route}?backend=cpu`);
    await ready(page);
    await page.evaluate(() => window.ganPlayground.step(30));
    await page.click('#open-export');
    const buttons = page.locator('#export-dialog .export-png');
    const n = await buttons.count();
    assert.ok(n >= 3, `${route}: only ${n} views to export`);
    for (let i = 0; i < n; i++) {
      const name = await buttons.nth(i).getAttribute('data-view');
      const box = await page.evaluate((v) => { const r = document.querySelector(`main [data-view="${v}"]`).getBoundingClientRect(); return [r.width, r.height]; }, name);
      const [download] = await Promise.all([page.waitForEvent('download'), buttons.nth(i).click()]);
      const [w, h] = pngSize(fs.readFileSync(await download.path()));
      assert.equal(w, Math.round(box[0] * 2), `${route} ${name}: PNG width at device resolution`);
      assert.equal(h, Math.round(box[1] * 2), `${route} ${name}: PNG height`);
      if (i === 0) fs.copyFileSync(await download.path(), path.join(ROOT, 'test-artifacts', `export-${route.slice(1)}-${name}.png`));
    }
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    const lines = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
    assert.match(lines[0], /^step,/);
    assert.ok(lines.length >= 3, `${route}: CSV has ${lines.length} lines`);
    const columns = lines[0].split(',').length;
    assert.ok(lines.every((l) => l.split(',').length === columns), 'every row has every column');
    await context.close();
  }
});

test('themes: light, dark and projector restyle the page and the charts; the choice sticks', async () => {
  const page = await openPage(ctx.browser, `${ctx.server.url}/toy?backend=cpu`);
  await ready(page);
  await page.evaluate(() => window.ganPlayground.step(40));
  const look = async () => page.evaluate(() => {
    const c = document.getElementById('toy-loss');
    const px = c.getContext('2d').getImageData(2, 2, 1, 1).data;
    return { bg: getComputedStyle(document.documentElement).backgroundColor, chart: [px[0], px[1], px[2]], theme: document.documentElement.dataset.theme ?? null };
  });
  const seen = {};
  for (const theme of ['light', 'dark', 'contrast']) {
    await page.selectOption('#theme', theme);
    await page.waitForTimeout(300);
    seen[theme] = await look();
    assert.equal(seen[theme].theme, theme);
    assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('theme'), theme);
    // switched live, every chart still fits its column and is drawn at its new size
    const misfits = await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].filter((c) => {
      const box = c.getBoundingClientRect();
      const column = c.closest('.chart').parentElement.getBoundingClientRect();
      return box.width > 0 && (box.right > column.right + 1 || Math.abs(c.width - Math.round(box.width * devicePixelRatio)) > 1);
    }).map((c) => c.id));
    assert.deepEqual(misfits, [], `charts that overflow or keep their old size under ${theme}`);
    // nothing is cut at a chart's right edge (the last tick label, the legend): its last
    // columns of pixels are the chart's background
    const cut = await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].filter((c) => {
      const g = c.getContext('2d');
      const bg = g.getImageData(1, 1, 1, 1).data;
      const edge = g.getImageData(c.width - 3, 0, 3, c.height).data;
      for (let i = 0; i < edge.length; i += 4) if (Math.abs(edge[i] - bg[0]) + Math.abs(edge[i + 1] - bg[1]) + Math.abs(edge[i + 2] - bg[2]) > 60) return true;
      return false;
    }).map((c) => c.id));
    assert.deepEqual(cut, [], `charts drawn up to their right edge under ${theme}`);
    await screenshot(page, `theme-${theme}`);
  }
  assert.notEqual(seen.light.bg, seen.dark.bg, 'dark changes the page');
  assert.ok(seen.dark.chart[0] < 80, `dark charts are dark: ${seen.dark.chart}`);
  assert.ok(seen.light.chart[0] > 240 && seen.contrast.chart[0] > 240, 'light charts are light');
  // remembered for the next visit that names no theme
  await page.goto(`${ctx.server.url}/saddle`);
  await page.waitForFunction(() => window.ganPlayground !== undefined);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'contrast');
  await page.selectOption('#theme', 'auto');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('canvases are sharp on high-DPI screens and layouts hold from 360 px to 4K', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await page.goto(`${ctx.server.url}/toy?backend=cpu`);
  await ready(page);
  await page.evaluate(() => window.ganPlayground.step(10));
  const sizes = await page.evaluate(() => ['toy-loss', 'toy-points'].map((id) => {
    const c = document.getElementById(id);
    return [c.width, Math.round(c.getBoundingClientRect().width * 2)];
  }));
  for (const [backing, css2] of sizes) assert.equal(backing, css2, 'backing store = CSS size × devicePixelRatio');
  await context.close();
  for (const width of [360, 768, 3840]) {
    const height = width === 3840 ? 2160 : 800;
    for (const route of ['/', ...DEMOS]) {
      const p = await openPage(ctx.browser, `${ctx.server.url}${route}${route === '/' ? '' : '?backend=cpu'}`, { width, height });
      if (route !== '/') await ready(p);
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
      assert.ok(wide <= 0, `${route} at ${width}px scrolls sideways by ${wide}px`);
      if (width === 360) await screenshot(p, `narrow-${route === '/' ? 'home' : route.slice(1)}`);
      assert.deepEqual(p.errors, []);
      await p.close();
    }
  }
});

test('axe: no serious or critical violations; every control is reachable by keyboard', async () => {
  // axe is injected as a script: a context that bypasses the page's CSP lets it in
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const cases = [
    ['/', null], ['/toy?backend=cpu', null], ['/collapse?backend=cpu', null], ['/saddle', null], ['/digits', null], ['/nope', null],
    ['/toy?backend=cpu&embed=1', null], ['/toy?backend=cpu&theme=dark', null], ['/collapse?backend=cpu&theme=contrast', null],
    ['/saddle?theme=dark', null], ['/toy?backend=cpu', '#open-share'], ['/toy?backend=cpu', '#open-embed'], ['/toy?backend=cpu', '#open-export'],
  ];
  for (const [url, open] of cases) {
    await page.goto(`${ctx.server.url}${url}`);
    await page.waitForFunction(() => window.ganPlayground !== undefined);
    await page.waitForTimeout(400);
    if (open) await page.click(open);
    await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
    assert.deepEqual(violations, [], `${url} ${open ?? ''}`);
  }
  // Tab through /toy: every visible control gets focus
  await page.goto(`${ctx.server.url}/toy?backend=cpu`);
  await page.waitForFunction(() => window.ganPlayground?.status().backend !== null);
  await page.evaluate(() => document.querySelectorAll('[data-tabbed]').forEach((e) => e.removeAttribute('data-tabbed')));
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    await page.evaluate(() => document.activeElement?.setAttribute('data-tabbed', '1'));
  }
  const missed = await page.evaluate(() => [...document.querySelectorAll('main button, main input, main select, main a[href], header a[href], header button, header select')]
    .filter((e) => !e.disabled && e.getClientRects().length > 0 && !e.closest('[hidden]'))
    .filter((e) => !(e.type === 'file' ? e : e).hasAttribute('data-tabbed'))
    .filter((e) => !(e.type === 'radio' || e.type === 'checkbox') || !e.name || !document.querySelector(`[name="${e.name}"][data-tabbed]`) || e.type === 'checkbox')
    .map((e) => e.id || e.name || e.textContent.trim()));
  assert.deepEqual(missed, [], 'controls Tab never reaches');
  await context.close();
});

test('no request leaves the origin; the shipped CSP has no unsafe-eval and blocks nothing on WebGPU and CPU', async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: false });
  const page = await context.newPage();
  const violations = [];
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.exposeFunction('reportViolation', (v) => violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  await page.goto(`${ctx.server.url}/toy?backend=webgpu`);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
  assert.ok(!csp.includes("'unsafe-eval'") && csp.includes("'wasm-unsafe-eval'"), csp);
  assert.ok(!scriptSrc.includes("'unsafe-inline'"), `inline scripts allowed: ${scriptSrc}`);
  assert.ok(!csp.includes('TRUNK_LOADER_HASH'), 'the loader hash is filled in');
  await poll(page, () => window.ganPlayground?.status().backend, null, 90_000);
  assert.equal((await status(page)).backend, 'webgpu');
  await page.evaluate(() => window.ganPlayground.step(3));
  for (const route of ['/collapse?backend=cpu', '/saddle', '/toy?backend=cpu', '/', '/digits']) {
    await page.evaluate((r) => window.ganPlayground.goto(r), route);
    if (route.startsWith('/toy') || route.startsWith('/collapse')) await page.evaluate(() => window.ganPlayground.step(3));
  }
  for (const id of ['#open-share', '#open-shortcuts']) {
    await page.evaluate(() => window.ganPlayground.goto('/toy?backend=cpu'));
    await page.click(id);
    await page.keyboard.press('Escape');
  }
  const foreign = requests.filter((u) => !u.startsWith(ctx.server.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'requests to other origins');
  assert.deepEqual(violations, [], 'CSP violations');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the release build served from a sub-path (built with --public-url)', { skip: !fs.existsSync(path.join(ROOT, 'dist-subpath')) && 'no dist-subpath build' }, async () => {
  const server = await start({ dir: path.join(ROOT, 'dist-subpath'), prefix: '/gan-playground' });
  try {
    const page = await openPage(ctx.browser, `${server.url}/gan-playground/toy?backend=cpu&seed=4`);
    await ready(page);
    assert.equal((await status(page)).route, '/toy');
    await page.evaluate(() => window.ganPlayground.step(3));
    await page.click('header nav a:has-text("Saddle-point lab")');
    await page.waitForFunction(() => location.pathname === '/gan-playground/saddle');
    assert.equal((await status(page)).route, '/saddle');
    await page.click('header .brand');
    await page.waitForFunction(() => location.pathname === '/gan-playground/' || location.pathname === '/gan-playground');
    await page.goto(`${server.url}/gan-playground/collapse?backend=cpu`);
    await ready(page);
    await page.goto(`${server.url}/gan-playground/examples/deck.html`);
    assert.equal(await page.title() !== '', true);
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    await server.close();
  }
});
