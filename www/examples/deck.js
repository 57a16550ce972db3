// The example deck (deck.html): slides with embedded GAN Playground demos, driven over the
// postMessage bridge (docs/embedding.md, docs/api.md). A file of its own, not an inline
// script, so the deck runs under a Content-Security-Policy without 'unsafe-inline'.
//
// Each slide holds one <iframe data-src="…"> and buttons with data-cmd (an API command) and
// data-args (its arguments as JSON). A demo loads when its slide is first shown and is paused
// when the slide is left. Options in the deck's own query string (deck.html?backend=cpu) are
// added to every demo's link.

const REPLY_TIMEOUT_MS = 60_000;
const POLL_MS = 1000;

let nextId = 1;
/** Replies awaited, by message id. */
const pending = new Map();

/** The deck's demos: iframe, name (`demo-toy` → `toy`), and whether it said it is ready. */
const demos = [...document.querySelectorAll('iframe[data-src]')].map((frame) => {
  const demo = { frame, name: frame.id.replace(/^demo-/, ''), loaded: false, ready: false, polling: false };
  demo.whenReady = new Promise((resolve) => { demo.markReady = resolve; });
  return demo;
});

const demoIn = (element) => demos.find((d) => element.contains(d.frame));

// Listening starts before any demo loads (deck.js sets the iframes' src), so no ready
// message can be missed.
window.addEventListener('message', (event) => {
  const demo = demos.find((d) => d.frame.contentWindow === event.source); // only our own frames
  const msg = event.data;
  if (!demo || !msg || typeof msg !== 'object') return;
  if (msg.type === 'ganPlayground:ready') {
    demo.ready = true;
    demo.frame.dataset.ready = 'true';
    demo.markReady();
    say(demo, `Ready: ${msg.route}`);
    refresh(demo);
  } else if (msg.type === 'ganPlayground:reply' && pending.has(msg.id)) {
    const resolve = pending.get(msg.id);
    pending.delete(msg.id);
    resolve(msg.result);
  }
});

/** Sends `cmd(...args)` to `demo` once it is ready; resolves to what the API call resolves to. */
async function call(demo, cmd, ...args) {
  await demo.whenReady; // commands sent earlier may go unheard
  const id = nextId++;
  const origin = new URL(demo.frame.src).origin;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve({ ok: false, error: `no answer to “${cmd}”` });
    }, REPLY_TIMEOUT_MS);
    pending.set(id, (result) => { clearTimeout(timer); resolve(result); });
    demo.frame.contentWindow.postMessage({ type: 'ganPlayground', id, cmd, args }, origin);
  });
}

function say(demo, text) {
  document.getElementById(`msg-${demo.name}`).textContent = text;
}

/** Shows the step and state the demo reports. */
async function refresh(demo) {
  const s = await call(demo, 'status');
  const out = document.getElementById(`step-${demo.name}`);
  if (!s || typeof s.step !== 'number') return;
  out.textContent = s.error ? `Step ${s.step} · ${s.error}` : `Step ${s.step} · ${s.running ? 'running' : 'paused'}`;
}

document.querySelectorAll('.slide button[data-cmd]').forEach((button) => {
  button.addEventListener('click', async () => {
    const demo = demoIn(button.closest('.slide'));
    const label = button.textContent.trim();
    const args = JSON.parse(button.dataset.args || '[]');
    if (!demo.ready) say(demo, `${label}: waiting for the demo to start…`);
    const result = await call(demo, button.dataset.cmd, ...args);
    const refused = result && typeof result === 'object' && result.ok === false;
    say(demo, refused ? `${label}: refused (${result.error})` : `${label}: done`);
    await refresh(demo);
  });
});

/** The demo's link: its data-src with the deck's own query options added. */
function demoUrl(frame) {
  const url = new URL(frame.dataset.src, location.href);
  for (const [key, value] of new URLSearchParams(location.search)) url.searchParams.set(key, value);
  return url.href;
}

const slides = [...document.querySelectorAll('.slide')];
let current = -1;

function show(index) {
  const next = Math.max(0, Math.min(slides.length - 1, index));
  if (next === current) return;
  const leaving = slides[current];
  const hadFocus = leaving?.contains(document.activeElement);
  const leavingDemo = leaving && demoIn(leaving);
  if (leavingDemo?.ready) call(leavingDemo, 'pause').then(() => refresh(leavingDemo)); // hidden demos do not train on
  slides.forEach((slide, i) => { slide.hidden = i !== next; });
  current = next;
  const demo = demoIn(slides[current]);
  if (demo && !demo.loaded) {
    demo.loaded = true;
    demo.frame.src = demoUrl(demo.frame);
  }
  document.getElementById('slide-number').textContent = `Slide ${current + 1} of ${slides.length}`;
  if (leaving) history.replaceState(null, '', `#${slides[current].id}`);
  if (hadFocus) slides[current].querySelector('h2').focus();
}

document.getElementById('prev').addEventListener('click', () => show(current - 1));
document.getElementById('next').addEventListener('click', () => show(current + 1));

// Keys typed inside a demo go to the demo's own document (its shortcuts), not here.
document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.target instanceof Element && e.target.closest('input, select, textarea, [contenteditable]')) return;
  if (e.key === 'ArrowRight' || e.key === 'PageDown') show(current + 1);
  else if (e.key === 'ArrowLeft' || e.key === 'PageUp') show(current - 1);
  else return;
  e.preventDefault();
});

// While the shown demo is ready, keep its step readout current (it changes while it trains).
setInterval(() => {
  const demo = demoIn(slides[current]);
  if (!demo?.ready || demo.polling || document.hidden) return;
  demo.polling = true;
  refresh(demo).finally(() => { demo.polling = false; });
}, POLL_MS);

const start = slides.findIndex((slide) => `#${slide.id}` === location.hash);
show(start < 0 ? 0 : start);
