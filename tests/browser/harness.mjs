// Shared set-up for the browser tests and the benchmark: Debian's chromium through
// playwright-core with the flags ../shared/browser.md documents (WebGPU on SwiftShader).
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { start } from './server.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--enable-unsafe-webgpu',
      // chromium keeps only the last --enable-features; repeat playwright's own next to Vulkan
      '--enable-features=Vulkan,CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies',
      '--use-vulkan=swiftshader',
      '--use-angle=swiftshader',
      '--disable-quic',
      // benchmarks only: e.g. CHROMIUM_EXTRA_ARGS=--disable-gpu-compositing measures a page
      // without SwiftShader compositing, which alone takes about a core here (docs/backends.md)
      ...(process.env.CHROMIUM_EXTRA_ARGS || '').split(' ').filter(Boolean),
    ],
  });
  // The page's Content-Security-Policy forbids eval, and Playwright's waitForFunction evaluates
  // its predicate with eval inside the page: pages and contexts bypass the policy unless asked
  // not to ({bypassCSP: false}, as the CSP test in share.test.mjs does).
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (options = {}) => newContext({ bypassCSP: true, ...options });
  browser.newPage = (options = {}) => newPage({ bypassCSP: true, ...options });
  return browser;
}

/** The build the tests and benchmarks serve: $DIST (relative to the repo root) or dist/. */
export const DIST = path.resolve(ROOT, process.env.DIST || 'dist');

export async function serve(extra = {}) {
  return start({ dir: DIST, extra });
}

/** A page that records console errors and uncaught exceptions. */
/** Opens `url` in a new page that records errors and requests; `init` runs before the page's own scripts. */
export async function openPage(browser, url, { width = 1280, height = 900, init = null } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  if (init) await page.addInitScript(init);
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.requests = [];
  page.on('request', (r) => page.requests.push(r.url()));
  await page.goto(url);
  await page.waitForFunction(() => window.ganPlayground !== undefined, null, { timeout: 60_000 });
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export const status = (page) => page.evaluate(() => window.ganPlayground.status());

/** Waits until status() satisfies `pred` (a function source evaluated in the page). */
export async function waitStatus(page, pred, timeout = 60_000) {
  await page.waitForFunction(`(${pred})(window.ganPlayground.status())`, null, { timeout, polling: 100 });
  return status(page);
}

/**
 * The step count after a pause, once the frame that publishes the steps trained just before
 * the pause has come (the count then stays put for `quietMs`). Throws if it never settles.
 */
export async function settledStep(page, quietMs = 400, tries = 25) {
  let last = (await status(page)).step;
  for (let i = 0; i < tries; i++) {
    await page.waitForTimeout(quietMs);
    const now = (await status(page)).step;
    if (now === last) return now;
    last = now;
  }
  throw new Error(`the step count kept changing after a pause (last ${last})`);
}

/** One server and one browser for a test file: started before its tests, closed after.
 *  Returns an object whose `browser` and `server` are set once started. */
export function sharedBrowser(extraRoutes = {}) {
  const ctx = {};
  before(async () => {
    ctx.server = await serve(extraRoutes);
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/** Share of a canvas's pixels that are drawn: not transparent and not near-white. */
export async function inkedShare(page, id) {
  return page.evaluate((id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) n++;
    return n / (d.length / 4);
  }, id);
}
