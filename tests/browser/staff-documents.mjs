// The document workspace: scenario 2 (a drafter creates a draft, uploads a DOCX and opens the
// consultation; an approver signs and publishes a submitted draft from the queue, and the
// public page then shows it published with its number), and the page types of the area.
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, allDocuments, api, apiJson, login, open } from './lib.mjs';
import { registerStaffPages, staffPage, test } from './staff.mjs';

const DOCX = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/lo-liberation-serif.docx');
const TEXT = 'Điều 1. Phạm vi điều chỉnh\nQuyết định này quy định thử.\nĐiều 2. Hiệu lực\nQuyết định có hiệu lực.';

/** A workflow action through the API, at the document's current ETag. */
async function act(token, id, body) {
  const doc = await api(`/api/v1/documents/${id}`, { token });
  const etag = doc.headers.get('etag');
  const res = await fetch(`${BASE}/api/v1/documents/${id}/transitions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': etag },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${body.action} on ${id}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A draft brought to `submitted` through the API (version, appraisal, submission). */
async function submittedDraft(title) {
  const drafter = await login('drafter');
  const legal = await login('legal_officer');
  const doc = await apiJson('/api/v1/documents', {
    token: drafter,
    method: 'POST',
    body: { kind: 'decision', title, issuer: 'UBND', field: 'Nội vụ' },
  });
  await apiJson(`/api/v1/documents/${doc.id}/versions`, { token: drafter, method: 'POST', body: { body: TEXT } });
  await act(drafter, doc.id, { action: 'request_appraisal' });
  await apiJson(`/api/v1/documents/${doc.id}/appraisals`, {
    token: legal,
    method: 'POST',
    body: { opinion: 'fit_to_submit' },
  });
  return act(drafter, doc.id, { action: 'submit' });
}

const isoDay = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

test('staff 2. a drafter drafts, uploads a DOCX and opens the consultation; an approver signs and publishes', async () => {
  const page = await staffPage('drafter');
  try {
    await open(page, '/lam-viec/van-ban');
    await page.selectOption('#new-kind', 'decision');
    await page.fill('#new-title-field', 'Quyết định thử trên trình duyệt về cải cách hành chính');
    const issuer = await page.$eval('#new-issuer', (s) =>
      [...s.options].find((o) => o.textContent.includes('Ủy ban nhân dân'))?.value,
    );
    assert.ok(issuer, 'the People\u2019s Committee is among the issuers');
    await page.selectOption('#new-issuer', issuer);
    await Promise.all([page.waitForURL(/\/lam-viec\/van-ban\/[0-9a-f-]{36}/), page.click('form[data-form=create_document] button')]);
    const id = page.url().match(/van-ban\/([0-9a-f-]{36})/)[1];
    assert.equal(await page.getAttribute('[data-state]', 'data-state'), 'drafting');

    await page.setInputFiles('#v-file', DOCX);
    await page.fill('#v-label', 'Dự thảo 1');
    await Promise.all([page.waitForURL(/tb=saved/), page.click('form[data-form=upload_version] button')]);
    assert.ok((await page.locator('ul[data-structure] li').count()) > 0, 'the structure of the DOCX is shown');
    assert.match(await page.textContent('#phien-ban'), /lo-liberation-serif\.docx/);

    await Promise.all([
      page.waitForURL(/tb=done/),
      page.click('form[data-form=transition][data-action=open_consultation] button'),
    ]);
    assert.equal(await page.getAttribute('[data-state]', 'data-state'), 'consultation');
    const token = await login('drafter');
    assert.equal((await apiJson(`/api/v1/documents/${id}`, { token })).state, 'consultation');
  } finally {
    await page.context().close();
  }

  // The approver signs a submitted draft from the queue, then publishes it.
  const submitted = await submittedDraft('Quyết định thử chờ ký trên trình duyệt');
  const approver = await staffPage('approver');
  try {
    await open(approver, '/lam-viec');
    await Promise.all([
      approver.waitForURL(new RegExp(`/lam-viec/van-ban/${submitted.id}`)),
      approver.click(`#to_sign tr[data-id="${submitted.id}"] a`),
    ]);
    await approver.fill('#eff-sign', isoDay(30));
    await Promise.all([approver.waitForURL(/tb=done/), approver.click('form[data-form=transition][data-action=sign] button')]);
    assert.equal(await approver.getAttribute('[data-state]', 'data-state'), 'signed');
    await Promise.all([
      approver.waitForURL(/tb=done/),
      approver.click('form[data-form=transition][data-action=publish] button'),
    ]);
    assert.equal(await approver.getAttribute('[data-state]', 'data-state'), 'published');
  } finally {
    await approver.context().close();
  }
  const doc = await apiJson(`/api/v1/documents/${submitted.id}`);
  assert.equal(doc.state, 'published');
  assert.ok(doc.number, 'a number given at signing');
  const pub = await staffPage('viewer');
  try {
    await open(pub, `/van-ban/${submitted.id}`);
    const body = await pub.textContent('main');
    assert.ok(body.includes(doc.number), `the public page shows ${doc.number}`);
  } finally {
    await pub.context().close();
  }
});

registerStaffPages(async (_username, token) => {
  const docs = await allDocuments(token);
  const draft = docs.find((d) => d.state !== 'published' && d.state !== 'withdrawn') || docs[0];
  const types = [{ name: 'documents', path: '/lam-viec/van-ban', api: docs }];
  if (draft) types.push({ name: 'document workspace', path: `/lam-viec/van-ban/${draft.id}`, document: draft });
  return types;
});
