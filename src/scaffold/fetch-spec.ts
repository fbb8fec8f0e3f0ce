/**
 * Downloads a document given by URL together with every file its relative
 * `$ref`s name (and theirs), laid out under one folder as they are under the
 * document's own URL folder, so the copy loads offline. Absolute `http(s)`
 * refs are left alone: they stay remote refs, refused unless allowed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../diagnostics.js';
import { resolveRef } from '../load/ref.js';
import { isWithinFolder } from '../paths.js';

/** More files than a sane document has; stops a ref chain that generates URLs. */
const MAX_FILES = 500;
const TIMEOUT_MS = 30_000;
const DOCUMENT_FILE = /\.(ya?ml|json)$/i;

/** Downloads `url` and the files it refers to into `folder`; returns the main document's local path. */
export async function fetchSpecTree(url: string, folder: string): Promise<string> {
  const root = new URL(url);
  const fetched = new Set<string>();
  const pending: Array<{ readonly url: URL; readonly file: string | undefined; readonly ref: string | undefined }> = [{ url: root, file: undefined, ref: undefined }];
  let mainFile: string | undefined;
  while (pending.length > 0) {
    const next = pending.shift();
    if (next === undefined) break;
    const { text, finalUrl } = await fetchText(next.url, next.ref === undefined ? undefined : url);
    const file = next.file ?? mainFileName(root, text, folder);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    } catch (error) {
      throw new UserError(`cannot save ${finalUrl.href} as ${path.relative(folder, file)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    mainFile ??= file;
    for (const ref of localRefs(text)) {
      // The copy is read as files: the target is where the loader itself will look for this ref.
      const target = resolveRef(ref, file);
      if (target.kind !== 'file') continue; // a malformed ref: the loader reports it where it is written
      if (!isWithinFolder(target.file, folder)) {
        throw new UserError(`${url} has $ref '${ref}', which leaves the document's folder ${new URL('.', root).href}; download the files and pass the local document`);
      }
      if (fetched.has(target.file) || target.file === mainFile || target.file === file) continue;
      if (fetched.size >= MAX_FILES) throw new UserError(`${url} refers to more than ${MAX_FILES} files; download them and pass the local document`);
      fetched.add(target.file);
      const relative = path.relative(path.dirname(file), target.file).split(path.sep).map(encodeURIComponent).join('/');
      pending.push({ url: new URL(relative, finalUrl), file: target.file, ref });
    }
  }
  if (mainFile === undefined) throw new Error('the main document was not downloaded');
  return mainFile;
}

async function fetchText(url: URL, referrer: string | undefined): Promise<{ readonly text: string; readonly finalUrl: URL }> {
  const named = referrer === undefined ? url.href : `${url.href} (a $ref of ${referrer})`;
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new UserError(`cannot fetch ${named}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new UserError(`cannot fetch ${named}: HTTP ${response.status} ${response.statusText}`);
  // Refs resolve against where the document really is, after redirects.
  return { text: await response.text(), finalUrl: new URL(response.url === '' ? url.href : response.url) };
}

/** The main document keeps its own name when it is a plain document file name, so refs back to it work. */
function mainFileName(root: URL, text: string, folder: string): string {
  const name = decodeSegment(root.pathname.split('/').pop() ?? '');
  if (name !== undefined && DOCUMENT_FILE.test(name)) return path.join(folder, name);
  return path.join(folder, text.trimStart().startsWith('{') ? 'asyncapi.json' : 'asyncapi.yaml');
}

/** A decoded path segment usable as a file name, else undefined. */
function decodeSegment(segment: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded === '.' || decoded === '..' || /[\\/\0]/.test(decoded)) return undefined;
  return decoded;
}

/**
 * The `$ref` values of a YAML or JSON text that name another file rather than a place in this one
 * or a remote (http/https) document, which stays remote.
 */
function localRefs(text: string): string[] {
  let tree: unknown;
  try {
    tree = parseYaml(text, { maxAliasCount: 1000 });
  } catch {
    return []; // the loader reports the syntax error with its location
  }
  const found = new Set<string>();
  const visit = (node: unknown, seen: Set<unknown>): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) visit(item, seen);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = value.split('#', 1)[0] ?? '';
        if (target !== '' && !/^https?:\/\//i.test(target)) found.add(value);
      } else {
        visit(value, seen);
      }
    }
  };
  visit(tree, new Set());
  return [...found];
}
