/**
 * Maps a JSON pointer of the resolved document to file:line:col by walking the original files
 * along the pointer and continuing into the target whenever the walk meets a `$ref`.
 */
import type { Node } from 'yaml';
import type { Locator, SourceLocation } from '../diagnostics.js';
import { parseJsonPointer } from './json-pointer.js';
import { resolveRef } from './ref.js';
import { locationAt, type SourceFile } from './source-file.js';
import { memberOf, refOf, startOffset } from './yaml-nodes.js';

/** Gives up on reference chains longer than this (a chain of `$ref`s that loops). */
const MAX_REF_HOPS = 64;

interface Position {
  readonly source: SourceFile;
  readonly node: Node | undefined;
}

/** `lookup` returns files already read by this load; the locator never reads files itself. */
export function createLocator(main: SourceFile, lookup: (file: string) => SourceFile | undefined): Locator {
  const root: Position = { source: main, node: main.document.contents ?? undefined };

  function followRefs(start: Position): Position | undefined {
    let position = start;
    for (let hops = 0; hops < MAX_REF_HOPS; hops++) {
      const reference = refOf(position.source.document, position.node);
      if (reference === undefined) return position;
      const target = resolveRef(reference.ref, position.source.path);
      if (target.kind !== 'file') return undefined;
      const source = lookup(target.file);
      if (source === undefined) return undefined;
      const reached = walk({ source, node: source.document.contents ?? undefined }, target.pointer, hops + 1);
      if (reached === undefined) return undefined;
      position = reached.position;
    }
    return undefined;
  }

  function walk(
    start: Position,
    segments: ReadonlyArray<string>,
    hops: number,
  ): { position: Position; location: SourceLocation } | undefined {
    if (hops > MAX_REF_HOPS) return undefined;
    let position = start;
    let location = locationAt(start.source, startOffset(start.node));
    for (const segment of segments) {
      const container = followRefs(position);
      if (container === undefined) return undefined;
      const member = memberOf(container.source.document, container.node, segment);
      if (member === undefined) return undefined;
      // Object members are located at their key, where a reader looks for them.
      location = locationAt(container.source, startOffset(member.key ?? member.value));
      position = { source: container.source, node: member.value };
    }
    return { position, location };
  }

  return (pointer: string) => {
    const segments = parseJsonPointer(pointer);
    if (segments === undefined) return undefined;
    if (segments.length === 0) return { file: main.path, line: 1, column: 1 };
    return walk(root, segments, 0)?.location;
  };
}
