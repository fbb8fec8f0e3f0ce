/**
 * Finds every `$ref` reachable from the main document, in the original files, the way the
 * parser's resolver will follow them: from the main file's root, then only the parts of other
 * files that are referenced. Reads (and pre-checks) each referenced file, and remembers where each
 * `$ref` is written so that reference problems can be located in the file that contains them.
 */
import { isMap, isSeq, isScalar, type Node } from 'yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics.js';
import { refTargetIsADirectory } from './problems.js';
import { resolveRef, type RefTarget } from './ref.js';
import { locationAt, type SourceFile } from './source-file.js';
import type { SourceFiles } from './source-files.js';
import { dealias, nodeAt, startOffset } from './yaml-nodes.js';

export interface RefSite {
  /** The `$ref` string as written. */
  readonly ref: string;
  /** Absolute path of the file the `$ref` is written in. */
  readonly file: string;
  /** JSON pointer segments, inside `file`, of the object holding the `$ref`. */
  readonly path: ReadonlyArray<string>;
  /** Where the `$ref` value is written. */
  readonly location: SourceLocation;
  readonly target: RefTarget;
}

export interface RefScan {
  readonly sites: ReadonlyArray<RefSite>;
  /** Problems of referenced files (unreadable, syntax errors, ...); missing files are left to the parser. */
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

interface PendingSubtree {
  readonly source: SourceFile;
  readonly node: Node | undefined;
  readonly path: ReadonlyArray<string>;
}

export async function scanRefs(main: SourceFile, files: SourceFiles): Promise<RefScan> {
  const sites: RefSite[] = [];
  const diagnostics: Diagnostic[] = [];
  const visited = new Set<Node>();
  const pending: PendingSubtree[] = [{ source: main, node: main.document.contents ?? undefined, path: [] }];
  for (let subtree = pending.pop(); subtree !== undefined; subtree = pending.pop()) {
    for (const site of refSitesIn(subtree, visited)) {
      sites.push(site);
      if (site.target.kind !== 'file') continue;
      const loaded = await files.load(site.target.file, 'referenced');
      if (!loaded.ok) {
        diagnostics.push(...loaded.diagnostics.flatMap((d) => aboutReferencedFile(d, site)));
        continue;
      }
      diagnostics.push(...loaded.diagnostics);
      const { source } = loaded;
      const node = nodeAt(source.document, source.document.contents ?? undefined, site.target.pointer);
      if (node !== undefined) pending.push({ source, node, path: site.target.pointer });
    }
  }
  return { sites, diagnostics: unique(diagnostics) };
}

/** The `$ref`s in one subtree, walking each YAML node at most once over the whole scan. */
function refSitesIn(subtree: PendingSubtree, visited: Set<Node>): RefSite[] {
  const { source } = subtree;
  const sites: RefSite[] = [];
  const stack: Array<{ node: unknown; path: ReadonlyArray<string> }> = [{ node: subtree.node, path: subtree.path }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const node = dealias(source.document, item.node);
    if (node === undefined || visited.has(node)) continue;
    visited.add(node);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const value = pair.value;
        if (key === '$ref' && isScalar(value) && typeof value.value === 'string') {
          sites.push({
            ref: value.value,
            file: source.path,
            path: item.path,
            location: locationAt(source, startOffset(value)),
            target: resolveRef(value.value, source.path),
          });
          continue;
        }
        stack.push({ node: value, path: [...item.path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((child, index) => stack.push({ node: child, path: [...item.path, String(index)] }));
    }
  }
  return sites;
}

/**
 * A missing file is reported by the parser, at the `$ref`. A file that cannot be read at all is
 * reported at the `$ref` too; problems inside a file that was read stay where they are.
 */
function aboutReferencedFile(diagnostic: Diagnostic, site: RefSite): Diagnostic[] {
  if (diagnostic.code === 'file-not-found') return [];
  if (diagnostic.code === 'not-a-file') return [refTargetIsADirectory(site.ref, site.location)];
  if (diagnostic.code === 'file-unreadable') return [{ ...diagnostic, location: site.location }];
  return [diagnostic];
}

function unique(diagnostics: ReadonlyArray<Diagnostic>): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
