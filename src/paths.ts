/** Where the package's own assets live, wherever it is installed. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root: `dist/paths.js` and `src/paths.ts` are both one level below it. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
export const RUNTIME_DIR = path.join(PACKAGE_ROOT, 'src', 'runtime');
/** Third-party code as the build bundled it, and the V8 code caches of third-party files. */
export const VENDOR_DIR = path.join(PACKAGE_ROOT, 'dist', 'vendor');

/** Whether `candidate` is `folder` itself or lies below it, comparing resolved paths (symlinks are not followed). */
export function isWithinFolder(candidate: string, folder: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
