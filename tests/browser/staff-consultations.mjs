// The consultation desk: scenario 1 (the legal officer finds the demo comment in the queue,
// publishes it, records a disposition and downloads the consolidated report, whose PDF text
// pdftotext reads), and the page types of the area.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, apiJson, open } from './lib.mjs';
import { registerStaffPages, staffPage, test } from './staff.mjs';

test('staff 1. the legal officer publishes the demo comment, answers it and downloads the report', async () => {
  const page = await staffPage('legal_officer');
  try {
    const row = page.locator('#comments_to_moderate tr[data-id]').filter({ hasText: 'dữ liệu mẫu' }).first();
    const comment = await row.getAttribute('data-id');
    assert.ok(comment, 'the demo comment waits in the queue');
    await Promise.all([page.waitForURL(/\/lam-viec\/gop-y\/[0-9a-f-]{36}/), row.locator('a').click()]);
    const article = page.locator(`article[data-id="${comment}"]`);
    assert.equal(await article.getAttribute('data-status'), 'pending');
    await Promise.all([page.waitForURL(/tb=done/), article.locator('form[data-action=publish] button').click()]);
    assert.equal(await page.locator(`article[data-id="${comment}"]`).getAttribute('data-status'), 'published');

    const answer = 'Tiếp thu: đã bổ sung thời hạn trả kết quả vào dự thảo.';
    const again = page.locator(`article[data-id="${comment}"]`);
    await again.locator('select[name=disposition]').selectOption('accepted');
    await again.locator('textarea[name=response]').fill(answer);
    await Promise.all([page.waitForURL(/tb=saved/), again.locator('form[data-form=dispose] button').click()]);
    assert.match(await page.locator(`article[data-id="${comment}"]`).textContent(), /Tiếp thu/);

    const href = await page.getAttribute('a[data-download=pdf]', 'href');
    const pdf = await page.context().request.get(new URL(href, page.url()).toString());
    assert.equal(pdf.status(), 200);
    const bytes = await pdf.body();
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: bytes }).toString();
    assert.ok(text.includes('Bản tổng hợp'), 'the report has its title');
    assert.ok(text.replace(/\s+/g, ' ').includes('đã bổ sung thời hạn'), `the disposition is in the PDF:\n${text}`);
  } finally {
    await page.context().close();
  }
});

registerStaffPages(async (_username, token) => {
  const types = [{ name: 'consultations', path: '/lam-viec/gop-y' }];
  const open = await apiJson('/api/v1/public/consultations');
  for (const c of open.slice(0, 1)) {
    const res = await api(`/api/v1/consultations/${c.id}/comments`, { token });
    if (res.ok) types.push({ name: 'consultation desk', path: `/lam-viec/gop-y/${c.id}`, comments: await res.json() });
  }
  return types;
});
