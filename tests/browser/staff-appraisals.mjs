// The justice office's appraisal list: its page types (the list in each of its filters).
import { registerStaffPages } from './staff.mjs';

registerStaffPages(async () => [
  { name: 'appraisals', path: '/lam-viec/tham-dinh' },
  { name: 'appraisals overdue', path: '/lam-viec/tham-dinh?state=all' },
]);
