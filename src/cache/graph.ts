/**
 * Turns the resolved document into plain JSON and back. The resolved document is a graph, not a
 * tree: each `$ref` was replaced by its target object, so one object can sit in several places
 * (later stages rely on that identity to know two places are the same schema) and cycles are
 * real. `JSON.stringify` would copy shared objects and throw on cycles, so the graph is written
 * as a table with each object and array once, pointing at one another by index.
 */

/** A place that holds an object or array: the index of its node in `EncodedGraph.nodes`. */
export interface NodeReference {
  readonly r: number;
}

/** JSON cannot write -0 (it becomes 0), and a schema's `const: -0` must come back as written. */
export interface NegativeZero {
  readonly n: '-0';
}

export type EncodedValue = string | number | boolean | null | NodeReference | NegativeZero;

export type EncodedNode =
  | { readonly o: ReadonlyArray<readonly [string, EncodedValue]> }
  | { readonly a: ReadonlyArray<EncodedValue> };

/** `nodes[0]` is the root. */
export interface EncodedGraph {
  readonly nodes: ReadonlyArray<EncodedNode>;
}

export type GraphRoot = Record<string, unknown> | unknown[];

/** A value the encoding cannot write exactly (a function, `undefined`, a class instance, ...). */
export class UnsupportedGraphValueError extends Error {
  constructor(pointer: string, what: string) {
    super(`cannot cache ${what} at ${pointer === '' ? 'the root' : pointer}`);
    this.name = 'UnsupportedGraphValueError';
  }
}

/** A stored graph that does not have the shape `encodeGraph` writes. */
export class MalformedGraphError extends Error {
  constructor(detail: string) {
    super(`malformed cached graph: ${detail}`);
    this.name = 'MalformedGraphError';
  }
}

/**
 * Throws `UnsupportedGraphValueError` for anything other than plain objects, arrays, strings,
 * finite numbers, booleans and null, since the decoded copy would silently differ.
 */
export function encodeGraph(root: GraphRoot): EncodedGraph {
  const indexOf = new Map<object, number>();
  const pending: Array<{ readonly container: GraphRoot; readonly pointer: string }> = [];
  const nodes: EncodedNode[] = [];

  const encodeValue = (value: unknown, pointer: string): EncodedValue => {
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new UnsupportedGraphValueError(pointer, `the number ${value}`);
      return Object.is(value, -0) ? { n: '-0' } : value;
    }
    if (typeof value !== 'object') throw new UnsupportedGraphValueError(pointer, describe(value));
    let index = indexOf.get(value);
    if (index === undefined) {
      index = pending.length;
      indexOf.set(value, index);
      pending.push({ container: checkedContainer(value, pointer), pointer });
    }
    return { r: index };
  };

  encodeValue(root, '');
  for (let index = 0; index < pending.length; index++) {
    const item = pending[index];
    if (item === undefined) break;
    const { container, pointer } = item;
    if (Array.isArray(container)) {
      nodes.push({ a: container.map((element, position) => encodeValue(element, `${pointer}/${position}`)) });
    } else {
      nodes.push({ o: Object.entries(container).map(([key, member]) => [key, encodeValue(member, `${pointer}/${escapePointerSegment(key)}`)] as const) });
    }
  }
  return { nodes };
}

/** Throws `MalformedGraphError` unless `encoded` has exactly the shape `encodeGraph` writes. */
export function decodeGraph(encoded: unknown): GraphRoot {
  const storedNodes = isPlainRecord(encoded) ? asArray(encoded['nodes']) : undefined;
  if (storedNodes === undefined || storedNodes.length === 0) throw new MalformedGraphError('expected { nodes: [...] } with at least the root');
  const nodes = storedNodes.map((node, index) => readNode(node, index));
  // Every container exists before the first is filled, so references forward and backward (cycles) resolve.
  const containers: GraphRoot[] = nodes.map((node) => (node.kind === 'array' ? [] : {}));

  const decodeValue = (value: unknown, index: number): unknown => {
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (isPlainRecord(value) && Object.keys(value).length === 1) {
      const reference = value['r'];
      if (typeof reference === 'number' && Number.isInteger(reference)) {
        const target = containers[reference];
        if (target !== undefined) return target;
      }
      if (value['n'] === '-0') return -0;
    }
    throw new MalformedGraphError(`node ${index} holds a value that is neither a primitive nor a reference to a node`);
  };

  nodes.forEach((node, index) => {
    const container = containers[index];
    if (Array.isArray(container)) {
      for (const element of node.values) container.push(decodeValue(element, index));
      return;
    }
    for (const member of node.values) {
      const pair = asArray(member);
      const key = pair?.[0];
      if (pair === undefined || pair.length !== 2 || typeof key !== 'string') {
        throw new MalformedGraphError(`node ${index} has a member that is not [key, value]`);
      }
      // defineProperty, because assigning a "__proto__" key would replace the prototype instead.
      Object.defineProperty(container, key, {
        value: decodeValue(pair[1], index),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  });
  const root = containers[0];
  if (root === undefined) throw new MalformedGraphError('no root');
  return root;
}

/** `values` are the elements of an array node, or the [key, value] members of an object node. */
interface StoredNode {
  readonly kind: 'array' | 'object';
  readonly values: ReadonlyArray<unknown>;
}

function readNode(node: unknown, index: number): StoredNode {
  if (isPlainRecord(node)) {
    const elements = asArray(node['a']);
    if (elements !== undefined) return { kind: 'array', values: elements };
    const members = asArray(node['o']);
    if (members !== undefined) return { kind: 'object', values: members };
  }
  throw new MalformedGraphError(`node ${index} is neither { o: [...] } nor { a: [...] }`);
}

function checkedContainer(value: object, pointer: string): GraphRoot {
  if (Object.getOwnPropertySymbols(value).length > 0) throw new UnsupportedGraphValueError(pointer, 'an object with symbol keys');
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw new UnsupportedGraphValueError(pointer, describe(value));
    // A hole or an extra named property would not survive the round trip.
    if (Object.keys(value).length !== value.length) throw new UnsupportedGraphValueError(pointer, 'a sparse array or an array with named properties');
    return value;
  }
  if (!isPlainObject(value)) throw new UnsupportedGraphValueError(pointer, describe(value));
  return value;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  return Object.getPrototypeOf(value) === Object.prototype;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype === null) return 'an object without a prototype';
    const constructor: unknown = Reflect.get(value, 'constructor');
    return `an instance of ${typeof constructor === 'function' && constructor.name !== '' ? constructor.name : 'a class'}`;
  }
  return value === undefined ? 'undefined' : `a ${typeof value}`;
}

function asArray(value: unknown): ReadonlyArray<unknown> | undefined {
  return Array.isArray(value) ? value : undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
