// What the scenarios share: the server's address, the browser, the API as an anonymous caller
// or as a demo account, and the public page types.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const BASE = (process.env.VANBAN_BASE_URL || '').replace(/\/+$/, '');
if (!/^https?:\/\/[^/]+$/.test(BASE)) {
  throw new Error(`VANBAN_BASE_URL must be the server's origin (http://host:port), not '${BASE}'`);
}
export const CHROMIUM = process.env.VANBAN_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = process.env.VANBAN_SCREENSHOTS || '';
export const DEMO_PASSWORD = process.env.VANBAN_DEMO_PASSWORD || '';
export const AXE_PATH = require.resolve('axe-core/axe.min.js');

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

// --- the browser ---------------------------------------------------------------------------

let browser;

/**
 * One Chromium for the whole run. Playwright starts it with a new empty profile directory of
 * its own (a --user-data-dir of ours it refuses) and removes it when the browser closes.
 */
export async function launch() {
  if (browser) return browser;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

export async function close() {
  if (browser) await browser.close();
  browser = undefined;
}

/**
 * A fresh context (no cookies) at the given viewport. Every page error, failed request and
 * CSP violation is recorded in `problems`, so that a scenario can assert there were none.
 */
export async function newPage(viewport = DESKTOP, options = {}) {
  const b = await launch();
  const context = await b.newContext({ viewport, locale: 'vi-VN', ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    // A resource that failed is reported below, with its address.
    if (m.type() !== 'error' || m.text().startsWith('Failed to load resource')) return;
    page.problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    page.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    // The status of the page itself (a 404 page) is the scenario's to check. Chromium asks
    // for /favicon.ico by itself; the pages name no icon.
    if (r.status() < 400 || r.request().isNavigationRequest()) return;
    if (new URL(r.url()).pathname === '/favicon.ico') return;
    page.problems.push(`${r.status()} for ${r.url()}`);
  });
  return page;
}

/** Opens a path of the server and asserts its status (200 unless told). */
export async function open(page, path, status = 200) {
  const response = await page.goto(BASE + path, { waitUntil: 'load' });
  assert.ok(response, `no response for ${path}`);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}, not ${status}`);
  assert.match(response.headers()['content-type'] || '', /^text\/html/, `GET ${path} is not HTML`);
  return response;
}

/** The page's width beyond the window, in CSS pixels (0: no horizontal scroll). */
export async function overflowX(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The elements wider than the window, to say what makes a page scroll sideways. */
export async function widerThanWindow(page) {
  return page.evaluate(() => {
    const w = window.innerWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 0.5 && r.width > 0) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right ${Math.round(r.right)})`);
      }
      if (out.length >= 5) break;
    }
    return out;
  });
}

export async function assertNoHorizontalScroll(page, what) {
  const extra = await overflowX(page);
  if (extra > 0) {
    const culprits = await widerThanWindow(page);
    assert.fail(`${what} scrolls sideways by ${extra} px at ${page.viewportSize().width} px: ${culprits.join(', ')}`);
  }
}

/**
 * `fn(page, type)` for every page type in one anonymous context of the viewport (cookies
 * cleared and problems forgotten between pages); returns the failures, one line each.
 */
export async function eachPageType(viewport, fn, types) {
  const failures = [];
  const page = await newPage(viewport);
  try {
    for (const t of types || (await pageTypes())) {
      await page.context().clearCookies();
      page.problems.length = 0;
      try {
        await open(page, t.path, t.status);
        await fn(page, t);
      } catch (e) {
        failures.push(`${t.name} @${viewport.width}px: ${e.message.split('\n')[0]}`);
      }
    }
  } finally {
    await page.context().close();
  }
  return failures;
}

// --- the API -------------------------------------------------------------------------------

export async function api(path, { token, method = 'GET', body, accept = 'application/json' } = {}) {
  const headers = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
  } catch (e) {
    throw new Error(`${method} ${path}: ${e.message} (${e.cause?.code || e.cause?.message || 'no cause given'})`);
  }
}

export async function apiJson(path, options = {}) {
  const res = await api(path, options);
  const text = await res.text();
  assert.ok(res.ok, `${options.method || 'GET'} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Every document the caller may see, through every page of `next_cursor`. */
export async function allDocuments(token) {
  const out = [];
  let cursor = null;
  for (let guard = 0; guard < 1000; guard++) {
    const q = new URLSearchParams({ limit: '100' });
    if (cursor) q.set('cursor', cursor);
    const page = await apiJson(`/api/v1/documents?${q}`, { token });
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('/api/v1/documents: more than 1000 pages');
}

export async function login(username) {
  assert.ok(DEMO_PASSWORD, 'VANBAN_DEMO_PASSWORD is not set (the demo server writes it to data/demo-password)');
  const t = await apiJson('/api/v1/auth/login', {
    method: 'POST',
    body: { username, password: DEMO_PASSWORD },
  });
  return t.access_token;
}

// --- the demo's fixtures -------------------------------------------------------------------

export const PLAN_TITLE = 'Đề án Đẩy mạnh cải cách hành chính';

let fixtures;

/**
 * What the scenarios look up once: the district's reform plan, the open consultation, a
 * published document's version (for a stamped copy), and a document that another one
 * replaced or repealed on a date.
 */
export async function demo() {
  if (fixtures) return fixtures;
  const documents = await allDocuments();
  const plan = documents.find((d) => d.title.startsWith(PLAN_TITLE));
  assert.ok(plan, `the demo has no published document titled '${PLAN_TITLE} ...'`);
  const consultations = await apiJson('/api/v1/public/consultations');
  assert.ok(consultations.length > 0, 'the demo has no open consultation');

  let ended;
  for (const d of documents) {
    if (d.legal_effect?.effect !== 'expired') continue;
    const rel = await apiJson(`/api/v1/documents/${d.id}/relations`);
    const by = rel.incoming.find(
      (r) => (r.kind === 'replaces' || r.kind === 'repeals') && r.effective_on && d.legal_effect.because?.includes(r.id),
    );
    if (by) {
      ended = { document: d, relation: by, by: by.other };
      break;
    }
  }
  assert.ok(ended, 'the demo has no document replaced or repealed on a date');
  fixtures = { documents, plan, consultations, consultation: consultations[0], ended };
  return fixtures;
}

/** A comment on the open consultation through the API, for the status page's page type. */
export async function apiComment(consultationId) {
  const c = await apiJson(`/api/v1/public/consultations/${consultationId}/comments`, {
    method: 'POST',
    body: { name: 'Trần Thị Bình', body: 'Đề nghị nêu rõ thời hạn trả kết quả.', provision_path: 'dieu-2' },
  });
  return c.tracking_code;
}

/** The anchor of a provision path on a document's page: `phan-a/muc-i` → `phan-a-muc-i`. */
export const anchorOf = (path) => path.replaceAll('/', '-');

// --- a stamped copy ------------------------------------------------------------------------

let stamped;

/**
 * A stamped copy of the reform plan's first version, its first page rendered with pdftoppm and
 * its QR code decoded with zbarimg: `{ decoded, url, code }` (`url` on this server's origin).
 */
export async function stampedCopy() {
  if (stamped) return stamped;
  const { plan } = await demo();
  const versions = await apiJson(`/api/v1/documents/${plan.id}/versions`);
  assert.ok(versions.length > 0, 'the plan has no version');
  const res = await api(`/api/v1/versions/${versions[0].id}/pdf`, { accept: 'application/pdf' });
  assert.equal(res.status, 200, `GET /api/v1/versions/${versions[0].id}/pdf answered ${res.status}`);
  assert.match(res.headers.get('content-type') || '', /^application\/pdf/);
  const dir = mkdtempSync(join(tmpdir(), 'vanban-copy-'));
  try {
    const pdf = join(dir, 'copy.pdf');
    writeFileSync(pdf, Buffer.from(await res.arrayBuffer()));
    execFileSync('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', pdf, join(dir, 'page')]);
    const png = readdirSync(dir).find((f) => f.endsWith('.png'));
    assert.ok(png, 'pdftoppm wrote no page');
    let decoded;
    try {
      // zbarimg prints D-Bus complaints on stderr where there is no system bus: not ours.
      decoded = execFileSync('zbarimg', ['--raw', '-q', join(dir, png)], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch (e) {
      assert.fail(`zbarimg found no QR code on the stamped copy's first page (exit ${e.status})`);
    }
    assert.match(decoded, /^https?:\/\/[^/]+\/api\/v1\/verify\/[^/?#\s]+$/, `the QR code carries '${decoded}'`);
    const u = new URL(decoded);
    const code = decodeURIComponent(u.pathname.split('/').pop());
    stamped = { decoded, url: BASE + u.pathname, code, versionId: versions[0].id };
    return stamped;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- the page types ------------------------------------------------------------------------

/** Every public page type, with a real example of each: `{ name, path, status }`. */
let types;

export async function pageTypes() {
  if (types) return types;
  const { plan, consultation, ended } = await demo();
  const { code } = await stampedCopy();
  const tracking = await apiComment(consultation.id);
  const closed = await apiJson('/api/v1/public/consultations/closed');
  const q = encodeURIComponent('cai cach hanh chinh');
  types = [
    { name: 'trang-chu', path: '/' },
    { name: 'tim-kiem', path: `/tim-kiem?q=${q}` },
    { name: 'tim-kiem-van-ban', path: `/tim-kiem?q=${q}&xem=van-ban` },
    { name: 'van-ban', path: `/van-ban/${plan.id}` },
    { name: 'van-ban-het-hieu-luc', path: `/van-ban/${ended.document.id}` },
    { name: 'gop-y', path: '/gop-y' },
    { name: 'du-thao', path: `/gop-y/${consultation.id}` },
    { name: 'y-kien', path: `/y-kien/${encodeURIComponent(tracking)}` },
    // The report of a closed consultation; while none is closed (the demo's only one is open),
    // the page that says the report comes when it closes.
    closed.length
      ? { name: 'bao-cao', path: `/gop-y/${closed[0].id}/bao-cao` }
      : { name: 'bao-cao-chua-co', path: `/gop-y/${consultation.id}/bao-cao`, status: 409 },
    { name: 'xac-minh-ban-sao', path: `/api/v1/verify/${encodeURIComponent(code)}` },
    { name: 'xac-minh', path: '/xac-minh' },
    { name: 'he-thong-hoa', path: '/he-thong-hoa?issuer=UBND&year=2016' },
    { name: 'tai-lieu-api', path: '/tai-lieu-api' },
    { name: 'loi-404', path: '/khong-co-trang-nay', status: 404 },
    { name: 'loi-400', path: `/tim-kiem?q=${q}&trang=khong-phai-trang`, status: 400 },
  ];
  return types;
}

// --- accessibility ---------------------------------------------------------------------------

const AXE_SOURCE = readFileSync(AXE_PATH, 'utf8');

/**
 * axe-core on the page as it is: the serious and critical violations, one line each, `where`
 * first (minor and moderate ones are printed, not returned). The source is evaluated through
 * the DevTools protocol: `addScriptTag({ path })` adds an inline script, which the pages'
 * Content Security Policy (`script-src 'self'`) refuses, and the policy stays on.
 */
export async function axeSerious(page, where) {
  await page.evaluate(AXE_SOURCE);
  assert.ok(await page.evaluate(() => typeof window.axe === 'object'), 'axe-core did not load');
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        count: v.nodes.length,
      })),
    ),
  );
  const serious = [];
  for (const v of result) {
    const line = `${where} [${v.impact}] ${v.id}: ${v.help} (${v.count}: ${v.nodes.join(', ')})`;
    if (v.impact === 'serious' || v.impact === 'critical') serious.push(line);
    else console.log(`# axe ${line}`);
  }
  return serious;
}
