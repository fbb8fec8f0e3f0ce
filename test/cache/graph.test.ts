/**
 * The graph encoding of the resolved document: shared objects stay shared, cycles stay cycles,
 * through a real JSON round trip; values it cannot keep exactly are refused, on both sides.
 */
import { describe, expect, it, vi } from 'vitest';
import { decodeGraph, encodeGraph, MalformedGraphError, UnsupportedGraphValueError, type GraphRoot } from '../../src/cache/graph.js';
import { loadDocument } from '../../src/load/index.js';
import { at, cyclesThrough } from '../load/helpers.js';
import { expectSameGraph, fixture, repeatedReferences } from './helpers.js';

vi.setConfig({ testTimeout: 60_000 });

/** Through text, as the store does. */
function roundTrip(root: GraphRoot): GraphRoot {
  return decodeGraph(JSON.parse(JSON.stringify(encodeGraph(root))));
}

describe('hand-made graphs', () => {
  it('keeps one object shared between several places as one object', () => {
    const schema = { type: 'string', maxLength: 3 };
    const original = { a: schema, b: { items: schema }, list: [schema, schema] };
    const copy = roundTrip(original);
    expectSameGraph(original, copy);
    expect(at(copy, '/a')).toBe(at(copy, '/b/items'));
    expect(at(copy, '/list/0')).toBe(at(copy, '/list/1'));
  });

  it('keeps cycles: an object holding itself, and a cycle through arrays and objects', () => {
    const node: Record<string, unknown> = { name: 'node' };
    node['self'] = node;
    const children: unknown[] = [];
    const tree = { children };
    const leaf = { parent: tree, siblings: children };
    children.push(leaf, leaf);
    const original = { node, tree };
    const copy = roundTrip(original);
    expectSameGraph(original, copy);
    expect(cyclesThrough(at(copy, '/node'), '/self')).toBe(true);
    expect(at(copy, '/tree/children/0/parent')).toBe(at(copy, '/tree'));
    expect(at(copy, '/tree/children/1/siblings')).toBe(at(copy, '/tree/children'));
  });

  it('keeps primitives exactly, -0 and a "__proto__" key included, and the order of keys', () => {
    const original: Record<string, unknown> = JSON.parse('{"__proto__": {"polluted": true}}');
    Object.assign(original, { z: 'last?', 10: 'ten', 2: 'two', a: '', t: true, f: false, n: null, zero: -0, big: 1e300, text: 'é\u2028"\\' });
    const copy = roundTrip(original);
    expectSameGraph(original, copy);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['2', '10', '__proto__', 'z', 'a', 't', 'f', 'n', 'zero', 'big', 'text']);
    expect(Object.is(at(copy, '/zero'), -0)).toBe(true);
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });

  it('handles an empty object, an empty array and an array root', () => {
    expectSameGraph({}, roundTrip({}));
    expectSameGraph([], roundTrip([]));
    const shared = {};
    expectSameGraph([shared, [shared], []], roundTrip([shared, [shared], []]));
  });

  it.each([
    ['a function', { f: () => 1 }],
    ['undefined in an object', { u: undefined }],
    ['undefined in an array', { list: [1, undefined] }],
    ['a sparse array', { list: [1, , 3] }],
    ['an array with a named property', { list: Object.assign([1], { extra: true }) }],
    ['a symbol', { s: Symbol('s') }],
    ['a symbol key', { [Symbol('s')]: 1 }],
    ['a bigint', { b: 1n }],
    ['NaN', { n: Number.NaN }],
    ['Infinity', { n: Number.POSITIVE_INFINITY }],
    ['a Date', { d: new Date(0) }],
    ['a Map', { m: new Map() }],
    ['a class instance', { c: new (class Schema {})() }],
    ['an instance of an Array subclass', { list: new (class Items extends Array<number> {})() }],
    ['an object without a prototype', { o: Object.create(null) as object }],
  ])('refuses %s', (_what, value) => {
    expect(() => encodeGraph(value)).toThrow(UnsupportedGraphValueError);
  });

  it('says where the refused value is', () => {
    expect(() => encodeGraph({ components: { schemas: { 'a/b': { default: () => 1 } } } })).toThrow(
      'cannot cache a function at /components/schemas/a~1b/default',
    );
  });

  it.each([
    ['not an object', 'nodes'],
    ['no nodes', {}],
    ['an empty table', { nodes: [] }],
    ['a node of neither kind', { nodes: [{ x: [] }] }],
    ['a reference out of the table', { nodes: [{ o: [['a', { r: 1 }]] }] }],
    ['a fractional reference', { nodes: [{ a: [{ r: 0.5 }] }] }],
    ['a member that is not a pair', { nodes: [{ o: [['a']] }] }],
    ['a member with a key that is not a string', { nodes: [{ o: [[1, 'a']] }] }],
    ['an object value that is no reference', { nodes: [{ a: [{ x: 1 }] }] }],
    ['a reference with more in it', { nodes: [{ a: [{ r: 0, x: 1 }] }] }],
  ])('refuses to decode %s', (_what, stored) => {
    expect(() => decodeGraph(stored)).toThrow(MalformedGraphError);
  });
});

describe('real resolved documents', () => {
  it.each([
    ['fixtures/v3/lighting (shared messages and schemas over three files)', 'v3/lighting/asyncapi.yaml'],
    ['fixtures/load/v3-multi-file (cycles across files)', 'load/v3-multi-file/asyncapi.yaml'],
    ['fixtures/v2/shop', 'v2/shop/asyncapi.yaml'],
  ])('%s survives a round trip with its identities', async (_what, file) => {
    const loaded = await loadDocument(fixture(file));
    if (loaded.document === undefined) throw new Error(`${file} did not load`);
    const { json } = loaded.document;
    expect(repeatedReferences(json)).toBeGreaterThan(0);
    const copy = roundTrip(json);
    expectSameGraph(json, copy);
    expect(repeatedReferences(copy)).toBe(repeatedReferences(json));
  });

  it('the cycles of the multi-file fixture are cycles in the copy', async () => {
    const loaded = await loadDocument(fixture('load/v3-multi-file/asyncapi.yaml'));
    if (loaded.document === undefined) throw new Error('did not load');
    const copy = roundTrip(loaded.document.json);
    const node = at(copy, '/components/schemas/Tree/properties/root');
    expect(cyclesThrough(node, '/properties/children/items')).toBe(true);
    expect(cyclesThrough(node, '/properties/subtree/properties/root')).toBe(true);
    expect(at(copy, '/operations/publishTreeChanged/channel')).toBe(at(copy, '/channels/trees'));
  });
});
