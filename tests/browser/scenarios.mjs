// The five scenarios of issue 14, and the screenshots of every page type.
import { after, test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BASE,
  DESKTOP,
  PHONE,
  PLAN_TITLE,
  SCREENSHOTS,
  allDocuments,
  anchorOf,
  api,
  apiJson,
  assertNoHorizontalScroll,
  axeSerious,
  close,
  demo,
  eachPageType,
  login,
  newPage,
  open,
  pageTypes,
  stampedCopy,
} from './lib.mjs';

const ONLY = process.env.VANBAN_ONLY ? new RegExp(process.env.VANBAN_ONLY) : null;
const test = (name, fn) => nodeTest(name, { skip: ONLY && !ONLY.test(name) ? 'not in --only' : false }, fn);

after(close);

/** The page's visible text, lower-cased, without runs of white space. */
const textOf = async (page) =>
  (await page.locator('body').innerText()).replace(/\s+/g, ' ').toLowerCase();

/** Is the element's top edge inside the window? */
const inView = (locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight && r.bottom > 0;
  });

// --- 1 ---------------------------------------------------------------------------------------

test('1. on a 360 px phone: search, read the plan, comment on an article, follow the comment', async () => {
  const { plan, consultation } = await demo();
  const page = await newPage(PHONE);

  await open(page, '/');
  await assertNoHorizontalScroll(page, 'the home page');
  // The keyboard first reaches a visible link past the header, to the main content.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    const target = a.hash && document.getElementById(a.hash.slice(1));
    return { tag: a.tagName, href: a.getAttribute('href'), visible: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0, main: !!target?.closest('main') || target?.tagName === 'MAIN' };
  });
  assert.equal(skip.tag, 'A', 'the first Tab does not reach a link');
  assert.ok(skip.main, `the first link (${skip.href}) does not lead to the main content`);
  assert.ok(skip.visible, `the first link (${skip.href}) is not visible when focused`);
  const box = page.locator('form[role="search"] input[name="q"]');
  await box.fill('cai cach hanh chinh');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/tim-kiem'),
    page.locator('form[role="search"] button[type="submit"]').click(),
  ]);
  assert.equal(new URL(page.url()).searchParams.get('q'), 'cai cach hanh chinh');
  await assertNoHorizontalScroll(page, 'the results page');

  // The plan among the results, opened from them.
  const hit = page.locator(`a[href^="/van-ban/${plan.id}"]`, { hasText: PLAN_TITLE }).first();
  assert.ok(await hit.count(), `the results of 'cai cach hanh chinh' do not link the plan (${plan.id})`);
  const hitHref = await hit.getAttribute('href');
  await Promise.all([page.waitForURL((u) => u.pathname === `/van-ban/${plan.id}`), hit.click()]);
  // A result leads to its provision inside the document.
  const hash = new URL(hitHref, BASE).hash.slice(1);
  assert.ok(hash, `the result links the plan (${hitHref}) but no provision in it`);
  const provision = page.locator(`[id="${hash}"]`);
  assert.equal(await provision.count(), 1, `the plan's page has no element #${hash} (the result's link)`);
  assert.ok(await inView(provision), `#${hash} is not in view after following the result`);
  assert.match(await page.locator('h1').innerText(), /Đề án Đẩy mạnh cải cách hành chính/);
  await assertNoHorizontalScroll(page, 'the plan\'s page');

  // Its first article by its anchor: Điều 1 where the text has articles; the demo's plan is
  // divided into Phần and Mục, so then its first division, by the anchor the pages use.
  const versions = await apiJson(`/api/v1/documents/${plan.id}/versions`);
  const structure = await apiJson(`/api/v1/versions/${versions.at(-1).id}/structure`);
  const first = structure.provisions.find((p) => p.path === 'dieu-1') || structure.provisions[0];
  assert.ok(first, 'the plan has no provision');
  const anchor = anchorOf(first.path);
  await page.goto(`${BASE}/van-ban/${plan.id}#${anchor}`);
  const target = page.locator(`[id="${anchor}"]`);
  assert.equal(await target.count(), 1, `the plan's page has no element #${anchor}`);
  assert.ok(await inView(target), `#${anchor} is not in view after opening the page at #${anchor}`);
  const heading = (first.heading || '').toLowerCase();
  assert.ok((await target.innerText()).toLowerCase().includes(heading), `#${anchor} does not hold '${first.heading}'`);

  // The open consultation, from /gop-y.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/gop-y'),
    page.locator('a[href="/gop-y"]').first().click(),
  ]);
  await assertNoHorizontalScroll(page, '/gop-y');
  const draft = page.locator(`a[href="/gop-y/${consultation.id}"]`).first();
  assert.ok(await draft.count(), `/gop-y does not link the open consultation ${consultation.id}`);
  await Promise.all([page.waitForURL((u) => u.pathname === `/gop-y/${consultation.id}`), draft.click()]);
  await assertNoHorizontalScroll(page, 'the draft\'s page');

  // Điều 1 of the draft by its anchor, and its comment form.
  await page.goto(`${BASE}/gop-y/${consultation.id}#dieu-1`);
  const article = page.locator('[id="dieu-1"]');
  assert.equal(await article.count(), 1, 'the draft\'s page has no element #dieu-1');
  assert.ok(await inView(article), '#dieu-1 is not in view after opening the draft at #dieu-1');
  assert.match(await article.innerText(), /Điều 1/);

  const form = page.locator('[id="dieu-1"] form, form:has(input[value="dieu-1"])').first();
  assert.ok(await form.count(), 'the draft\'s page has no comment form for Điều 1');
  if (!(await form.isVisible())) {
    // Folded away under a "Góp ý về Điều 1" disclosure: open it as a reader would.
    await page.locator('[id="dieu-1"] summary').first().click();
  }
  assert.ok(await form.isVisible(), 'the comment form for Điều 1 does not show');
  // The CSRF token: `csrf` in the URL scheme, `form_token` in the pages.
  const csrf = form.locator('input[type="hidden"][name="csrf"], input[type="hidden"][name="form_token"]');
  assert.equal(await csrf.count(), 1, 'the comment form has no hidden CSRF token (csrf or form_token)');
  const csrfName = await csrf.getAttribute('name');
  const csrfToken = await csrf.inputValue();
  assert.ok(csrfToken.length >= 16, 'the CSRF token is shorter than 16 characters');
  const said = `Đề nghị bổ sung thời hạn tiếp nhận hồ sơ ${Date.now()}.`;
  const email = `nguoi.gop.y.${Date.now()}@example.vn`;
  await form.locator('[name="name"]').fill('Nguyễn Văn An');
  if (await form.locator('[name="email"]').count()) await form.locator('[name="email"]').fill(email);
  await form.locator('textarea').first().fill(said);
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await form.locator('button[type="submit"], input[type="submit"]').first().click();
  const answer = await posted;
  assert.ok(answer.status() < 400, `the comment form's POST answered ${answer.status()}`);
  await page.waitForLoadState('load');

  // The tracking code, read off the page it lands on; then its status page.
  const code = (await page.locator('main').innerText()).match(/YK-[A-Z0-9-]+/)?.[0];
  assert.ok(code, `no tracking code (YK-...) on the page after commenting (${page.url()})`);
  if (new URL(page.url()).pathname !== `/y-kien/${code}`) {
    const link = page.locator(`a[href="/y-kien/${code}"]`).first();
    assert.ok(await link.count(), `the page after commenting does not link /y-kien/${code}`);
    await Promise.all([page.waitForURL((u) => u.pathname === `/y-kien/${code}`), link.click()]);
  }
  await assertNoHorizontalScroll(page, 'the comment\'s status page');

  const again = await newPage(PHONE);
  await open(again, `/y-kien/${code}`);
  const status = await again.locator('main').innerText();
  assert.ok(status.includes(code), `/y-kien/${code} does not show its code`);
  assert.ok(status.includes(said), `/y-kien/${code} does not show the comment's text`);
  assert.ok(!(await again.content()).includes(email), `/y-kien/${code} shows the commenter's email`);
  await assertNoHorizontalScroll(again, `/y-kien/${code}`);

  // The same form with the token changed is refused, and records nothing.
  const forged = await page.request.post(`${BASE}/gop-y/${consultation.id}`, {
    form: {
      [csrfName]: csrfToken.slice(0, -1) + (csrfToken.endsWith('0') ? '1' : '0'),
      provision_path: 'dieu-1',
      name: 'Nguyễn Văn An',
      body: `${said} (giả mạo)`,
    },
    maxRedirects: 0,
  });
  assert.ok(forged.status() >= 400 && forged.status() < 500, `a comment with a wrong CSRF token answered ${forged.status()}`);
  assert.doesNotMatch(await forged.text(), /YK-[A-Z0-9]/, 'a comment with a wrong CSRF token got a tracking code');

  // The form wrote what the API holds: the article, the text.
  const comment = await apiJson(`/api/v1/public/comments/${encodeURIComponent(code)}`);
  assert.equal(comment.body, said);
  assert.equal(comment.provision_path, 'dieu-1');
  assert.equal(comment.consultation_id, consultation.id);
  await again.context().close();
  await page.context().close();
});

test('1b. every page type at 360 px: no sideways scroll, no script error, no blocked or failed request', async () => {
  const failures = await eachPageType(PHONE, async (page, t) => {
    await assertNoHorizontalScroll(page, t.path);
    assert.deepEqual(page.problems, [], `${t.path}: ${page.problems.join('; ')}`);
  });
  assert.deepEqual(failures, []);
});

test('1c. every link of every page type answers (no 4xx or 5xx)', async () => {
  const links = new Map();
  const failures = await eachPageType(DESKTOP, async (page, t) => {
    const hrefs = await page.locator('a[href]:not([href^="#"])').evaluateAll((as) => as.map((a) => a.href));
    for (const href of hrefs) {
      const u = new URL(href);
      u.hash = '';
      if (u.origin === BASE && !links.has(u.href)) links.set(u.href, t.path);
    }
  });
  assert.ok(links.size > 20, `only ${links.size} links on all the page types`);
  console.log(`# ${links.size} distinct links of ${(await pageTypes()).length} page types`);
  for (const [href, from] of links) {
    const res = await api(href.slice(BASE.length), { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    await res.arrayBuffer();
    // A redirect (a form's answer, a short address) is followed by the browser: fine.
    if (res.status >= 400) failures.push(`${href.slice(BASE.length)} (linked from ${from}) answered ${res.status}`);
  }
  assert.deepEqual(failures, []);
});

// --- 2 ---------------------------------------------------------------------------------------

test('2. a stamped copy\'s QR code opens a page saying the copy is authentic; a tampered code is not found', async () => {
  const { plan } = await demo();
  const { url, code } = await stampedCopy();
  const page = await newPage(PHONE);
  await open(page, new URL(url).pathname);
  const text = await textOf(page);
  // The page's words: "Bản sao này là xác thực", "Văn bản đang có hiệu lực".
  assert.match(text, /bản sao này là xác thực|đúng là bản/, `${url} does not say the copy is authentic`);
  assert.ok(text.includes(plan.title.toLowerCase().slice(0, 40)), `${url} does not name the document`);
  assert.match(text, /đang có hiệu lực|còn hiệu lực/, `${url} does not say the document is in force`);
  assert.doesNotMatch(text, /không xác thực|hết hiệu lực/, `${url} says the copy is not authentic or the document not in force`);
  assert.ok(await page.locator(`a[href^="/van-ban/${plan.id}"]`).count(), `${url} does not link the document's page`);

  // The same URL answers JSON to an API client.
  const json = await api(new URL(url).pathname, { accept: 'application/json' });
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type') || '', /^application\/json/);

  // One character changed, to another of the code's own (so that it stays well-formed).
  const last = code.at(-1);
  const other = [...code].find((c) => c !== last);
  assert.ok(other, `cannot tamper with '${code}'`);
  const tampered = code.slice(0, -1) + other;
  await open(page, `/api/v1/verify/${encodeURIComponent(tampered)}`, 404);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.match(await textOf(page), /không tìm thấy/, `the tampered code's page does not say "không tìm thấy"`);
  assert.ok(!(await textOf(page)).includes(plan.title.toLowerCase().slice(0, 40)), 'the tampered code\'s page names the document');
  await page.context().close();
});

// --- 3 ---------------------------------------------------------------------------------------

test('3. a replaced or repealed document: "hết hiệu lực" with the replacing document linked; "còn hiệu lực" before', async () => {
  const { ended } = await demo();
  const { document: doc, relation, by } = ended;
  const on = relation.effective_on;
  const day = new Date(`${on}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  const before = day.toISOString().slice(0, 10);
  const then = await apiJson(`/api/v1/documents/${doc.id}/effect?as_of=${before}`);
  assert.equal(then.effect, 'in_force', `the API says ${doc.number} was ${then.effect} on ${before}`);

  const dmy = (iso) => iso.split('-').reverse().join('/');
  const page = await newPage(DESKTOP);

  // Today, and on the day it ended: "hết hiệu lực", next to a link to the one that ended it.
  for (const [path, said] of [
    [`/van-ban/${doc.id}`, /hôm nay \([0-9/]+\): hết hiệu lực/],
    [`/van-ban/${doc.id}?ngay=${on}`, new RegExp(`vào ngày ${dmy(on)}: hết hiệu lực`)],
  ]) {
    await open(page, path);
    assert.match(await textOf(page), said, `${path} does not say ${said}`);
    const near = await page.evaluate((byId) => {
      const stated = [...document.querySelectorAll('main strong, main .effect')].find((e) => /hết hiệu lực/i.test(e.textContent));
      if (!stated) return 'no "hết hiệu lực" statement';
      const scope = stated.closest('section') || stated.parentElement.parentElement;
      return scope.querySelector(`a[href^="/van-ban/${byId}"]`) ? '' : 'no link to it next to the statement';
    }, by.id);
    assert.equal(near, '', `${path}: ${near} (${by.number}, ${by.id}, ${relation.label_vi.toLowerCase()} it from ${on})`);
  }

  // The day before: "còn hiệu lực" on that day.
  const path = `/van-ban/${doc.id}?ngay=${before}`;
  await open(page, path);
  const text = await textOf(page);
  assert.match(text, new RegExp(`vào ngày ${dmy(before)}: còn hiệu lực`), `${path} does not say "còn hiệu lực" on ${before}`);
  assert.doesNotMatch(text, new RegExp(`vào ngày ${dmy(before)}: hết hiệu lực`), `${path} says "hết hiệu lực" on ${before}`);
  await page.context().close();
});

// --- 4 ---------------------------------------------------------------------------------------

test('4. as anonymous, every page links only what the API shows anonymous callers; a draft appears nowhere', async () => {
  // A draft of the drafter's unit, with text that matches the searches below.
  const token = await login('drafter');
  const marker = `vbkt${Date.now().toString(36)}`;
  const title = `Dự thảo nội bộ ${marker} về cải cách hành chính`;
  const draft = await apiJson('/api/v1/documents', {
    token,
    method: 'POST',
    body: { kind: 'decision', issuer: 'NV', title },
  });
  const version = await apiJson(`/api/v1/documents/${draft.id}/versions`, {
    token,
    method: 'POST',
    body: { label: 'Dự thảo 1', body: `Điều 1. Phạm vi\nCải cách hành chính ${marker} trong nội bộ.` },
  });
  const visible = await allDocuments();
  const anonymous = new Set(visible.map((d) => d.id));
  // What a facet or filter link may name: the issuers and kinds of what anonymous callers see.
  const issuers = new Set(visible.map((d) => d.issuer?.code).filter(Boolean));
  const kinds = new Set(visible.map((d) => d.kind));
  const consultations = [
    ...(await apiJson('/api/v1/public/consultations')),
    ...(await apiJson('/api/v1/public/consultations/closed')),
  ];
  const open_ = new Set(consultations.map((c) => c.id));
  const public_ = new Set([...anonymous, ...consultations.map((c) => c.document_id)]);
  // What the drafter sees and an anonymous caller does not: the drafts (a draft open for
  // comment is public through /api/v1/public/consultations).
  const drafts = (await allDocuments(token)).filter((d) => !public_.has(d.id));
  assert.ok(drafts.some((d) => d.id === draft.id), 'the new draft is not among what the drafter alone sees in /api/v1/documents');
  // (The marker alone is no secret: the search pages below repeat the query.)
  const secret = [...drafts.map((d) => d.id), version.id, title];

  const pages = [
    ...(await pageTypes()),
    // The draft's own page, asked for by its id: not found, as in the API.
    { name: 'van-ban-du-thao', path: `/van-ban/${draft.id}`, status: 404 },
    { name: 'van-ban-du-thao-ngay', path: `/van-ban/${draft.id}?ngay=2020-01-01`, status: 404 },
    { name: 'tim-kiem-du-thao', path: `/tim-kiem?q=${marker}` },
    { name: 'tim-kiem-du-thao-van-ban', path: `/tim-kiem?q=${encodeURIComponent(`${marker} cải cách hành chính`)}&xem=van-ban&kind=decision` },
  ];
  let linked = 0;
  const failures = [];
  const broken = await eachPageType(DESKTOP, async (page, t) => {
    const html = await page.content();
    for (const s of secret) if (!t.path.includes(s) && html.includes(s)) failures.push(`${t.path} holds the draft's '${s}'`);
    // The issuer filter's choices (GET /api/v1/org-units is not for anonymous callers).
    for (const code of await page.locator('select[name="issuer"] option').evaluateAll((os) => os.map((o) => o.value))) {
      if (code && !issuers.has(code)) failures.push(`${t.path} offers issuer ${code}, which issued nothing anonymous callers see`);
    }
    // (A link within the page, such as the skip link `#noi-dung`, names no other page.)
    const hrefs = await page
      .locator('a[href]:not([href^="#"])')
      .evaluateAll((as) => as.map((a) => a.href));
    for (const href of hrefs) {
      const u = new URL(href);
      if (u.origin !== BASE) continue;
      const issuer = u.searchParams.get('issuer');
      if (u.pathname === '/tim-kiem' && issuer && !issuers.has(issuer)) {
        failures.push(`${t.path} links a search of issuer ${issuer}, which issued nothing anonymous callers see (${href})`);
      }
      const kind = u.searchParams.get('kind');
      if (u.pathname === '/tim-kiem' && kind && !kinds.has(kind)) {
        failures.push(`${t.path} links a search of kind ${kind}, of which anonymous callers see nothing (${href})`);
      }
      const doc = u.pathname.match(/^\/van-ban\/([^/]+)/);
      if (doc) {
        linked++;
        if (!anonymous.has(doc[1])) failures.push(`${t.path} links /van-ban/${doc[1]}, which /api/v1/documents does not show`);
      }
      const cons = u.pathname.match(/^\/gop-y\/([^/]+)/);
      if (cons) {
        linked++;
        if (!open_.has(cons[1])) failures.push(`${t.path} links /gop-y/${cons[1]}, which /api/v1/public/consultations (open or closed) does not show`);
      }
    }
  }, pages);
  failures.push(...broken);
  assert.ok(linked > 0, 'no page linked any document or consultation');
  assert.deepEqual(failures, []);
});

// --- 5 ---------------------------------------------------------------------------------------


test('5. axe-core on every page type: no serious or critical violation', async () => {
  const failures = [];
  for (const viewport of [PHONE, DESKTOP]) {
    failures.push(...(await eachPageType(viewport, async (page, t) => {
      failures.push(...(await axeSerious(page, `${t.path} @${viewport.width}px`)));
    })));
  }
  assert.deepEqual(failures, []);
});

// --- screenshots -----------------------------------------------------------------------------

if (SCREENSHOTS) {
  test('screenshots of every page type at 360 px and 1280 px', async () => {
    const failures = [];
    for (const viewport of [PHONE, DESKTOP]) {
      failures.push(...(await eachPageType(viewport, async (page, t) => {
        await page.screenshot({ path: join(SCREENSHOTS, `${t.name}-${viewport.width}.png`) });
      })));
    }
    assert.deepEqual(failures, []);
  });
}
