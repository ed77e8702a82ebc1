// Review work: its page types (the review page, and the first campaign's page).
import { api } from './lib.mjs';
import { registerStaffPages } from './staff.mjs';

registerStaffPages(async (_username, token) => {
  const types = [{ name: 'reviews', path: '/lam-viec/ra-soat' }];
  const res = await api('/api/v1/review-campaigns', { token });
  if (res.ok) {
    const campaigns = await res.json();
    if (campaigns[0]) types.push({ name: 'review campaign', path: `/lam-viec/ra-soat/dot/${campaigns[0].id}` });
  }
  return types;
});
