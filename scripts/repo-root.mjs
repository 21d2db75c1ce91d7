// Where the checkout and its Python environment are, for the scripts that
// run as plain Node before anything is built (paths/ is the built module).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The lab's Python environment (scripts/bootstrap.sh). */
export const VENV = join(REPO_ROOT, '.venv');
