/**
 * Where a relative output path lands, checked on the disk: every folder on
 * the way must be a real folder (no symbolic link leading out of the output
 * folder, no file in the way) and the file itself a regular file or absent.
 */
import path from 'node:path';
import type { EmitFileSystem } from './fs.js';
import { resolveInside } from './write.js';

export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
}

/** The absolute target of `relativePath` under `root`, after checking what is on the way. */
export async function checkedTarget(fs: EmitFileSystem, root: string, relativePath: string): Promise<string> {
  const target = resolveInside(root, relativePath);
  const segments = relativePath.split('/');
  let current = root;
  for (const [index, segment] of segments.entries()) {
    current = path.join(current, segment);
    const kind = await fs.kind(current);
    const shown = segments.slice(0, index + 1).join('/');
    if (kind === 'missing') return target;
    if (kind === 'symlink') throw new UnsafePathError(`${shown} in ${root} is a symbolic link; asyncapi-gen does not write or read through links in its output folder (replace it with a real ${index === segments.length - 1 ? 'file' : 'folder'})`);
    const last = index === segments.length - 1;
    if (!last && kind !== 'directory') throw new UnsafePathError(`${shown} in ${root} is a file, where asyncapi-gen needs a folder`);
    if (last && kind !== 'file') throw new UnsafePathError(`${shown} in ${root} is ${kind === 'directory' ? 'a folder' : 'not a regular file'}, where asyncapi-gen writes a file`);
  }
  return target;
}
