/**
 * The parser's resolver leaves a `$ref` in place when it belongs to a cycle inside a referenced
 * file (`node.yaml` -> `./node.yaml`, or `#/Foo` inside `lib.yaml`), and that `$ref` is relative
 * to the referenced file, so nothing after this stage could follow it. This replaces each such
 * leftover with the object it points at, so cycles are real object cycles everywhere.
 *
 * It walks the resolved document and the original files side by side (following `$ref`s in the
 * files) to learn which file and pointer each resolved object came from; a leftover's target is
 * then the object already resolved for that place, or is built from the file when the parser
 * never resolved it.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { formatJsonPointer } from './json-pointer.js';
import { resolveRef } from './ref.js';
import type { SourceFile } from './source-file.js';
import { dealias, memberOf, nodeAt, refOf } from './yaml-nodes.js';

/** A node of an original file, with its JSON pointer segments inside that file. */
interface Place {
  readonly source: SourceFile;
  readonly node: Node | undefined;
  readonly pointer: ReadonlyArray<string>;
}

interface Target {
  readonly file: string;
  readonly pointer: ReadonlyArray<string>;
}

interface Leftover {
  readonly holder: Record<string, unknown> | unknown[];
  readonly key: string;
  readonly target: Target;
  /** JSON pointer segments, in the resolved document, of the leftover. */
  readonly path: ReadonlyArray<string>;
}

export interface LeftoverReport {
  /** Pointers (in the resolved document) of `$ref`s that could not be replaced. */
  readonly unresolved: ReadonlyArray<string>;
}

/** Gives up on chains of `$ref`s to `$ref`s longer than this. */
const MAX_REF_HOPS = 64;

type Lookup = (file: string) => SourceFile | undefined;

export function resolveLeftoverRefs(json: Record<string, unknown>, main: SourceFile, lookup: Lookup): LeftoverReport {
  // Usually the parser resolved every `$ref`: one plain walk says so, without following the files.
  if (!containsLeftoverRef(json)) return { unresolved: [] };
  const resolvedAt = new Map<string, object>([[placeKey(main.path, []), json]]);
  const leftovers: Leftover[] = [];
  const unresolved: string[] = [];
  const visited = new Set<object>();
  // Breadth first, so that a leftover is joined to the outermost object resolved for its target.
  const queue: Array<{ value: unknown; place: Place | undefined; path: ReadonlyArray<string> }> = [
    { value: json, place: { source: main, node: main.document.contents ?? undefined, pointer: [] }, path: [] },
  ];
  for (let index = 0, item = queue[0]; item !== undefined; item = queue[++index]) {
    const { value, place, path } = item;
    if (!isObject(value) || visited.has(value)) continue;
    visited.add(value);
    for (const [key, child] of entriesOf(value)) {
      const childPath = [...path, key];
      const written = place === undefined ? undefined : memberOf(place.source.document, place.node, key)?.value;
      const writtenPlace: Place | undefined =
        place === undefined || written === undefined ? undefined : { source: place.source, node: written, pointer: [...place.pointer, key] };
      const { targets, reached } = writtenPlace === undefined ? { targets: [], reached: undefined } : followRefs(writtenPlace, lookup);
      if (isLeftoverRef(child)) {
        const target = targets[0];
        if (target === undefined) unresolved.push(formatJsonPointer(childPath));
        else leftovers.push({ holder: value, key, target, path: childPath });
        continue;
      }
      if (isObject(child) && writtenPlace !== undefined) {
        for (const { file, pointer } of [{ file: writtenPlace.source.path, pointer: writtenPlace.pointer }, ...targets]) {
          const placeId = placeKey(file, pointer);
          if (!resolvedAt.has(placeId)) resolvedAt.set(placeId, child);
        }
      }
      queue.push({ value: child, place: reached, path: childPath });
    }
  }
  const builder = new TargetBuilder(resolvedAt, lookup);
  for (const leftover of leftovers) {
    const target = builder.objectAt(leftover.target);
    if (target === undefined) unresolved.push(formatJsonPointer(leftover.path));
    else Reflect.set(leftover.holder, leftover.key, target);
  }
  return { unresolved };
}

/** Whether some object reachable from `root` (cycles included) is still a `$ref`. */
function containsLeftoverRef(root: object): boolean {
  const seen = new Set<object>();
  const stack: object[] = [root];
  for (let value = stack.pop(); value !== undefined; value = stack.pop()) {
    if (seen.has(value)) continue;
    seen.add(value);
    if (isLeftoverRef(value)) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return false;
}

function isLeftoverRef(value: unknown): boolean {
  return isObject(value) && !Array.isArray(value) && typeof value['$ref'] === 'string';
}

/** Where a written node really is once its `$ref`s are followed, and each `$ref`'s target on the way. */
function followRefs(written: Place, lookup: Lookup): { targets: Target[]; reached: Place | undefined } {
  const targets: Target[] = [];
  let place = written;
  for (let hops = 0; hops < MAX_REF_HOPS; hops++) {
    const reference = refOf(place.source.document, place.node);
    if (reference === undefined) return { targets, reached: place };
    const target = resolveRef(reference.ref, place.source.path);
    if (target.kind !== 'file') return { targets, reached: undefined };
    targets.push({ file: target.file, pointer: target.pointer });
    const source = lookup(target.file);
    if (source === undefined) return { targets, reached: undefined };
    const node = nodeAt(source.document, source.document.contents ?? undefined, target.pointer);
    if (node === undefined) return { targets, reached: undefined };
    place = { source, node, pointer: target.pointer };
  }
  return { targets, reached: undefined };
}

/** Plain JSON values built from file nodes the parser never resolved, `$ref`s included. */
class TargetBuilder {
  constructor(
    private readonly resolvedAt: Map<string, object>,
    private readonly lookup: Lookup,
  ) {}

  objectAt(target: Target): object | undefined {
    const key = placeKey(target.file, target.pointer);
    const known = this.resolvedAt.get(key);
    if (known !== undefined) return known;
    const source = this.lookup(target.file);
    if (source === undefined) return undefined;
    const node = nodeAt(source.document, source.document.contents ?? undefined, target.pointer);
    if (node === undefined) return undefined;
    const built = this.build(source, node, key);
    return isObject(built) ? built : undefined;
  }

  /** `key` registers the object before its members are built, so cycles close on themselves. */
  private build(source: SourceFile, written: Node | undefined, key?: string): unknown {
    const node = dealias(source.document, written);
    const reference = refOf(source.document, node);
    if (reference !== undefined) {
      const target = resolveRef(reference.ref, source.path);
      return target.kind === 'file' ? this.objectAt(target) : { $ref: reference.ref };
    }
    if (isMap(node)) {
      const object: Record<string, unknown> = {};
      if (key !== undefined) this.resolvedAt.set(key, object);
      for (const pair of node.items) {
        if (isScalar(pair.key)) object[String(pair.key.value)] = this.build(source, dealias(source.document, pair.value));
      }
      return object;
    }
    if (isSeq(node)) {
      const array: unknown[] = [];
      if (key !== undefined) this.resolvedAt.set(key, array);
      for (const item of node.items) array.push(this.build(source, dealias(source.document, item)));
      return array;
    }
    return isScalar(node) ? node.value : null;
  }
}

function placeKey(file: string, pointer: ReadonlyArray<string>): string {
  return JSON.stringify([file, ...pointer]);
}

function isObject(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function entriesOf(value: Record<string, unknown> | unknown[]): Array<[string, unknown]> {
  return Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
}
