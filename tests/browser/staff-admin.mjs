// Reports and administration: their page types.
import { registerStaffPages } from './staff.mjs';

registerStaffPages(async (username) => {
  const types = [];
  if (username === 'legal_officer' || username === 'approver') types.push({ name: 'reports', path: '/lam-viec/bao-cao' });
  if (username === 'admin') types.push({ name: 'administration', path: '/lam-viec/quan-tri' });
  return types;
});
