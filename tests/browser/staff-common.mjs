// Checks over every staff page type the areas registered (staff.mjs): axe-core finds no
// serious or critical violation, for every role that can open the page.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { BASE, DESKTOP, close, PHONE, allDocuments, apiJson, axeSerious, login, open } from './lib.mjs';
import { ROLES, signIn, staffPageTypes, test } from './staff.mjs';
import { newPage } from './lib.mjs';

// The browser the staff tests opened (the public scenarios' own `after` may have run before
// they started) is closed once they are done.
after(close);

test('staff 5. axe-core on every staff page type, for each role: no serious or critical violation', async () => {
  const failures = [];
  for (const username of ROLES) {
    const token = await login(username);
    const types = [{ name: 'login', path: '/dang-nhap' }, ...(await staffPageTypes(username, token))];
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await newPage(viewport);
      await signIn(page, username);
      for (const t of types) {
        try {
          await open(page, t.path);
          failures.push(...(await axeSerious(page, `${username} ${t.path} @${viewport.width}px`)));
        } catch (e) {
          failures.push(`${username} ${t.name} @${viewport.width}px: ${e.message.split('\n')[0]}`);
        }
      }
      await page.context().close();
    }
  }
  assert.deepEqual(failures, []);
});

/** The `data-id`s of the rows of the page's work tables. */
const rowIds = (page) => page.$$eval('main table tbody tr[data-id]', (rows) => rows.map((r) => r.dataset.id));
/** The workflow actions the page offers as forms. */
const offered = (page) =>
  page.$$eval('form[data-form=transition]', (forms) => forms.map((f) => f.dataset.action));

test('staff 4. what a page lists is the API\u2019s answer to the same caller, and what it offers the API allows', async () => {
  const failures = [];
  const drafterToken = await login('drafter');
  // Another agency's draft (issued under its own agency): a drafter never sees it.
  const units = await apiJson('/api/v1/org-units', { token: drafterToken });
  const other = units.find((u) => u.kind === 'agency' && u.code !== 'NV');
  assert.ok(other, 'the demo has a second agency');
  const legal = await login('legal_officer');
  const foreign = await apiJson('/api/v1/documents', {
    token: legal,
    method: 'POST',
    body: { kind: 'decision', title: 'Dự thảo của một cơ quan khác (thử)', issuer: other.id },
  });
  for (const username of ROLES) {
    const token = await login(username);
    const visible = new Set((await allDocuments(token)).map((d) => d.id));
    const page = await newPage(DESKTOP);
    await signIn(page, username);
    for (const t of await staffPageTypes(username, token)) {
      await open(page, t.path);
      const ids = await rowIds(page);
      if (t.api) {
        const allowed = new Set(t.api.map((d) => d.id));
        for (const id of ids) if (!allowed.has(id)) failures.push(`${username} ${t.path}: ${id} is not in the API's answer`);
      }
      if (t.path.startsWith('/lam-viec/van-ban')) {
        if (ids.includes(foreign.id) && !visible.has(foreign.id)) failures.push(`${username} sees another agency's draft`);
      }
      if (t.document) {
        const doc = await apiJson(`/api/v1/documents/${t.document.id}`, { token });
        const shown = await offered(page);
        if (JSON.stringify(shown) !== JSON.stringify(doc.allowed_actions)) {
          failures.push(`${username} ${t.path}: offers ${shown} but the API allows ${doc.allowed_actions}`);
        }
      }
    }
    if (username === 'drafter') {
      assert.ok(!visible.has(foreign.id), 'the API shows a drafter another agency\u2019s draft');
      await open(page, `/lam-viec/van-ban/${foreign.id}`, 404);
    }
    await page.context().close();
  }
  // A form posted without its token is refused, and nothing changes.
  const page = await newPage(DESKTOP);
  await signIn(page, 'drafter');
  // A draft of the drafter's own, with its version: opening the consultation is allowed.
  const mine = await apiJson('/api/v1/documents', {
    token: drafterToken,
    method: 'POST',
    body: { kind: 'decision', title: 'Dự thảo thử biểu mẫu không có mã', issuer: 'UBND' },
  });
  await apiJson(`/api/v1/documents/${mine.id}/versions`, {
    token: drafterToken,
    method: 'POST',
    body: { body: 'Điều 1. Phạm vi\nThử.' },
  });
  const before = await apiJson(`/api/v1/documents/${mine.id}`, { token: drafterToken });
  assert.ok(before.allowed_actions.includes('open_consultation'), 'the drafter may open it');
  const res = await page.context().request.post(`${BASE}/lam-viec/van-ban/${mine.id}/chuyen`, {
    form: { row_version: String(before.row_version), action: 'open_consultation' },
    maxRedirects: 0,
  });
  assert.equal(res.status(), 403, 'a post without its form token');
  assert.equal((await apiJson(`/api/v1/documents/${mine.id}`, { token: drafterToken })).state, 'drafting');
  await page.context().close();
  assert.deepEqual(failures, []);
});
