// The work queue (the first page after login).
import { registerStaffPages } from './staff.mjs';

registerStaffPages(async () => [{ name: 'work queue', path: '/lam-viec' }]);
