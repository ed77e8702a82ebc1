// What the staff scenarios share: a browser signed in as a demo account through the login
// page, the staff page types each area registers (for the axe-core and subset checks of
// staff-common.mjs), and the test wrapper that honours --only.
import assert from 'node:assert/strict';
import { test as nodeTest } from 'node:test';
import { BASE, DEMO_PASSWORD, DESKTOP, newPage, open } from './lib.mjs';

const ONLY = process.env.VANBAN_ONLY ? new RegExp(process.env.VANBAN_ONLY) : null;
/** A node:test test, skipped when --only does not match its name. */
export const test = (name, fn) =>
  nodeTest(name, { skip: ONLY && !ONLY.test(name) ? 'not in --only' : false }, fn);

/** The demo accounts: the username is the role's name. */
export const ROLES = ['admin', 'drafter', 'legal_officer', 'approver', 'iso_controller', 'viewer'];

/** Signs `page` in as `username` through the login form; lands on the work queue. */
export async function signIn(page, username) {
  assert.ok(DEMO_PASSWORD, 'VANBAN_DEMO_PASSWORD is not set');
  await open(page, '/dang-nhap');
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${BASE}/lam-viec`), page.click('form.stack button[type=submit]')]);
  return page;
}

/** A new browser context signed in as `username`. */
export async function staffPage(username, viewport = DESKTOP) {
  const page = await newPage(viewport);
  return signIn(page, username);
}

/**
 * The staff page types: each area's module registers a function `(username, token) =>
 * [{ name, path }]` giving the pages of its kind that account can open (with real ids from
 * the API), so that staff-common.mjs runs axe-core on each and checks each against the API.
 */
const registry = [];
export function registerStaffPages(fn) {
  registry.push(fn);
}
export async function staffPageTypes(username, token) {
  const out = [];
  for (const fn of registry) out.push(...(await fn(username, token)));
  return out;
}
