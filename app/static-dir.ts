// Where static/ is, from the source tree (tests) or from dist/ (make serve).

import { fileURLToPath } from 'node:url';

export const STATIC_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../static/' : '../static/', import.meta.url));
