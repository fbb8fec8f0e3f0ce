/** What a `$ref` string points at, resolved against the file that contains it (never the cwd). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonPointer } from './json-pointer.js';

export type RefTarget =
  /** A node in a local file (the containing file itself for `#/...`). */
  | { readonly kind: 'file'; readonly file: string; readonly pointer: ReadonlyArray<string> }
  | { readonly kind: 'remote'; readonly url: string; readonly pointer: ReadonlyArray<string> }
  /** Something we cannot follow (unknown scheme, bad pointer): the parser reports it. */
  | { readonly kind: 'unsupported' };

export function resolveRef(ref: string, containingFile: string): RefTarget {
  const hash = ref.indexOf('#');
  const location = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = parseJsonPointer(hash === -1 ? '' : ref.slice(hash));
  if (pointer === undefined) return { kind: 'unsupported' };
  if (location === '') return { kind: 'file', file: containingFile, pointer };
  if (/^https?:\/\//i.test(location)) return { kind: 'remote', url: location, pointer };
  if (/^file:/i.test(location)) {
    try {
      return { kind: 'file', file: fileURLToPath(location), pointer };
    } catch {
      return { kind: 'unsupported' };
    }
  }
  // Any other scheme (urn:, ftp:, ...), but not a Windows drive letter.
  if (/^[a-z][a-z0-9+.-]+:/i.test(location)) return { kind: 'unsupported' };
  return { kind: 'file', file: path.resolve(path.dirname(containingFile), decodePath(location)), pointer };
}

function decodePath(location: string): string {
  try {
    return decodeURI(location);
  } catch {
    return location;
  }
}
