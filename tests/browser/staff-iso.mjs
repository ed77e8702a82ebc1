// ISO document control: scenario 3 (an ISO controller issues a revision from the document's
// page; the superseded revision's controlled copy then carries "TÀI LIỆU LỖI THỜI", read back
// from its PDF with pdftotext), and the page types of the area.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, api, apiJson, login, open } from './lib.mjs';
import { registerStaffPages, staffPage, test } from './staff.mjs';

/** `method` on `path` with the ETag `GET etagOf` answers, as the API's writes ask. */
async function withEtag(method, path, etagOf, token, body) {
  const read = await api(etagOf, { token });
  assert.ok(read.ok, `GET ${etagOf}: ${read.status}`);
  const res = await fetch(BASE + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'if-match': read.headers.get('etag'),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

test('staff 3. an ISO controller issues a revision; the superseded revision\u2019s copy is stamped obsolete', async () => {
  const ctl = await login('iso_controller');
  const approver = await login('approver');
  const docs = await apiJson('/api/v1/iso/documents', { token: ctl });
  const doc = docs.find((d) => d.current_revision && !d.open_revision);
  assert.ok(doc, 'the demo has an issued quality document without an open revision');
  const before = doc.current_revision.version_id;
  // A new revision, reviewed and approved through the API.
  const cr = await apiJson(`/api/v1/iso/documents/${doc.id}/change-requests`, {
    token: ctl,
    method: 'POST',
    body: { reason: 'Cập nhật thời hạn giải quyết (thử trên trình duyệt).' },
  });
  const accepted = await withEtag('POST', `/api/v1/iso/change-requests/${cr.id}/accept`, `/api/v1/iso/change-requests/${cr.id}`, ctl, {});
  const v2 = accepted.revision_version_id;
  const version = await apiJson(`/api/v1/versions/${v2}`, { token: ctl });
  await withEtag('PATCH', `/api/v1/versions/${v2}`, `/api/v1/versions/${v2}`, ctl, {
    body: `${version.body || ''}\nSửa đổi: thời hạn giải quyết được cập nhật.`,
    change_summary: 'Cập nhật thời hạn.',
  });
  await withEtag('POST', `/api/v1/iso/revisions/${v2}/submit`, `/api/v1/iso/revisions/${v2}`, ctl, {});
  await withEtag('POST', `/api/v1/iso/revisions/${v2}/approve`, `/api/v1/iso/revisions/${v2}`, approver, {});

  const page = await staffPage('iso_controller');
  try {
    await open(page, `/lam-viec/iso/${doc.id}`);
    await Promise.all([page.waitForURL(/tb=done/), page.click('form[data-form=revision_step][data-action=issue] button')]);
    assert.equal(await page.getAttribute(`tr[data-id="${v2}"]`, 'data-state'), 'current');
    assert.equal(await page.getAttribute(`tr[data-id="${before}"]`, 'data-state'), 'superseded');
    assert.match(await page.textContent(`tr[data-id="${before}"]`), /TÀI LIỆU LỖI THỜI/);
    const copies = await apiJson(`/api/v1/iso/documents/${doc.id}/copies`, { token: ctl });
    const old = copies.find((c) => c.version_id === before);
    assert.ok(old, 'the superseded revision had a controlled copy');
    const link = page.locator(`a[href="/lam-viec/iso/ban-sao/${old.id}/pdf"]`);
    assert.equal(await link.count(), 1, 'the page links the old copy');
    const pdf = await page.context().request.get(BASE + (await link.getAttribute('href')));
    assert.equal(pdf.status(), 200);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: await pdf.body() }).toString();
    assert.ok(text.includes('TÀI LIỆU LỖI THỜI'), `the copy of the superseded revision is stamped:\n${text.slice(0, 500)}`);
  } finally {
    await page.context().close();
  }
});

registerStaffPages(async (_username, token) => {
  const types = [{ name: 'ISO', path: '/lam-viec/iso' }];
  const res = await api('/api/v1/iso/documents', { token });
  if (res.ok) {
    const docs = await res.json();
    if (docs[0]) types.push({ name: 'ISO document', path: `/lam-viec/iso/${docs[0].id}` });
  }
  return types;
});
