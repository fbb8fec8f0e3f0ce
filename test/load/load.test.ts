/**
 * Loading valid documents: the resolved JSON, the files read, independence from the working
 * directory, and `locate` following `$ref`s into other files.
 */
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadDocument, type LoadedDocument } from '../../src/load/index.js';
import { at, cyclesThrough, errorSummaries, errorsOf, fixture, refsLeftIn, REPO } from './helpers.js';

vi.setConfig({ testTimeout: 60_000 });

async function loadValid(file: string): Promise<LoadedDocument> {
  const result = await loadDocument(file);
  expect(errorsOf(result.diagnostics)).toEqual([]);
  if (result.document === undefined) throw new Error(`${file} did not load`);
  return result.document;
}

describe('valid documents', () => {
  it('loads a 2.6 document split over nested folders, with refs resolved', async () => {
    const main = fixture('load/v2-multi-file/asyncapi.yaml');
    const document = await loadValid(main);
    expect(document.asyncapiVersion).toBe('2.6.0');
    expect(document.sourceFile).toBe(main);
    expect(document.files).toEqual(
      ['asyncapi.yaml', 'messages.yaml', 'schemas/nested/address.yaml', 'schemas/user.yaml'].map((f) => fixture('load/v2-multi-file', f)),
    );
    const payload = at(document.json, '/channels/user~1signedup/subscribe/message/payload');
    expect(at(payload, '/properties/address/properties/country/maxLength')).toBe(2);
    expect(refsLeftIn(document.json)).toEqual([]);
  });

  it('loads a 3.0 document whose schemas are circular across two files', async () => {
    const document = await loadValid(fixture('load/v3-multi-file/asyncapi.yaml'));
    expect(document.asyncapiVersion).toBe('3.0.0');
    const tree = at(document.json, '/components/schemas/Tree');
    const node = at(tree, '/properties/root');
    expect(at(node, '/properties/value/type')).toBe('integer');
    // The parser leaves `$ref`s that cycle inside referenced files; the loader closes them into
    // real object cycles: node -> children items -> node, node -> subtree -> root -> node.
    expect(refsLeftIn(document.json)).toEqual([]);
    expect(cyclesThrough(node, '/properties/children/items')).toBe(true);
    expect(cyclesThrough(node, '/properties/subtree/properties/root')).toBe(true);
    expect(at(node, '/properties/children/items/properties/children/items/properties/value/type')).toBe('integer');
    const operationChannel = at(document.json, '/operations/publishTreeChanged/channel');
    expect(operationChannel).toBe(at(document.json, '/channels/trees'));
  });

  it('loads 3.1.0, which the installed parser supports', async () => {
    const document = await loadValid(fixture('load/v3-1/asyncapi.yaml'));
    expect(document.asyncapiVersion).toBe('3.1.0');
    expect(at(document.json, '/channels/ping/messages/ping/payload/properties/sentAt/format')).toBe('date-time');
  });

  it('loads a JSON document that references a JSON file', async () => {
    const document = await loadValid(fixture('load/json/asyncapi.json'));
    expect(at(document.json, '/channels/ping/messages/ping/payload/properties/sentAt/type')).toBe('string');
    expect(document.files).toHaveLength(2);
  });

  it('keeps the parser annotations in the resolved JSON', async () => {
    const document = await loadValid(fixture('load/v3-1/asyncapi.yaml'));
    expect(document.json['x-parser-spec-parsed']).toBe(true);
  });

  it('reports warnings and infos with their parser severities, located and sorted', async () => {
    const result = await loadDocument(fixture('load/v2-multi-file/asyncapi.yaml'));
    const codes = result.diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes).toContain('warning asyncapi-id');
    expect(codes).toContain('info asyncapi-latest-version');
    for (const diagnostic of result.diagnostics) {
      expect(diagnostic.location?.line).toBeGreaterThanOrEqual(1);
      expect(diagnostic.location?.column).toBeGreaterThanOrEqual(1);
    }
    const keys = result.diagnostics.map((d) => [d.location?.file ?? '', d.location?.line ?? 0, d.location?.column ?? 0] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
    expect(new Set(result.diagnostics.map((d) => JSON.stringify(d))).size).toBe(result.diagnostics.length);
  });
});

describe('documents the parser rejects', () => {
  it('have every validation error located, with the pointer of the node', async () => {
    const result = await loadDocument(fixture('invalid/schema-invalid.yaml'));
    expect(result.document).toBeUndefined();
    expect(errorSummaries(result.diagnostics)).toEqual([
      'asyncapi-document-resolved@fixtures/invalid/schema-invalid.yaml:2:6',
      'asyncapi-document-resolved@fixtures/invalid/schema-invalid.yaml:6:14',
    ]);
    expect(errorsOf(result.diagnostics).map((d) => d.pointer)).toEqual(['/info', '/channels/a/address']);
  });
});

describe('the working directory', () => {
  const startDir = process.cwd();
  afterEach(() => process.chdir(startDir));

  it('does not change how relative $refs resolve, for absolute and relative spec paths', async () => {
    const main = fixture('load/v2-multi-file/asyncapi.yaml');
    const expected = (await loadValid(main)).json;
    process.chdir(os.tmpdir());
    const fromAbsolute = await loadValid(main);
    const fromRelative = await loadValid(path.relative(os.tmpdir(), main));
    process.chdir(fixture('load/v3-multi-file/components'));
    const fromSiblingFolder = await loadValid(main);
    for (const document of [fromAbsolute, fromRelative, fromSiblingFolder]) {
      expect(document.sourceFile).toBe(main);
      expect(at(document.json, '/components/schemas/User/properties/address/properties/street/type')).toBe('string');
      expect(at(document.json, '/channels/user~1signedup/subscribe/message/name')).toBe(at(expected, '/channels/user~1signedup/subscribe/message/name'));
    }
  });
});

describe('locate', () => {
  const rel = (file: string) => path.relative(REPO, file);

  it('maps pointers of the main file, with ~1 escapes', async () => {
    const { locate } = await loadValid(fixture('load/v2-multi-file/asyncapi.yaml'));
    const where = (pointer: string) => {
      const location = locate(pointer);
      return location && `${rel(location.file)}:${location.line}:${location.column}`;
    };
    expect(where('')).toBe('fixtures/load/v2-multi-file/asyncapi.yaml:1:1');
    expect(where('/info/title')).toBe('fixtures/load/v2-multi-file/asyncapi.yaml:3:3');
    expect(where('/channels/user~1signedup/subscribe/operationId')).toBe('fixtures/load/v2-multi-file/asyncapi.yaml:8:7');
    expect(where('#/channels/user~1signedup')).toBe('fixtures/load/v2-multi-file/asyncapi.yaml:6:3');
  });

  it('follows $refs into other files and nested folders', async () => {
    const { locate } = await loadValid(fixture('load/v2-multi-file/asyncapi.yaml'));
    const where = (pointer: string) => {
      const location = locate(pointer);
      return location && `${rel(location.file)}:${location.line}:${location.column}`;
    };
    expect(where('/channels/user~1signedup/subscribe/message/contentType')).toBe('fixtures/load/v2-multi-file/messages.yaml:3:3');
    expect(where('/channels/user~1signedup/subscribe/message/payload/properties/id/format')).toBe(
      'fixtures/load/v2-multi-file/schemas/user.yaml:6:5',
    );
    expect(where('/components/schemas/User/properties/address/properties/country/maxLength')).toBe(
      'fixtures/load/v2-multi-file/schemas/nested/address.yaml:8:5',
    );
    expect(where('/components/schemas/User/required/0')).toBe('fixtures/load/v2-multi-file/schemas/user.yaml:2:12');
    // A pointer that ends on a $ref is located where the $ref is used.
    expect(where('/components/schemas/User')).toBe('fixtures/load/v2-multi-file/asyncapi.yaml:13:5');
  });

  it('walks around circular references between files', async () => {
    const { locate } = await loadValid(fixture('load/v3-multi-file/asyncapi.yaml'));
    const where = (pointer: string) => {
      const location = locate(pointer);
      return location && `${rel(location.file)}:${location.line}:${location.column}`;
    };
    const node = 'fixtures/load/v3-multi-file/components/schemas/node.yaml';
    expect(where('/components/schemas/Tree/properties/root/properties/value')).toBe(`${node}:3:3`);
    expect(where('/components/schemas/Tree/properties/root/properties/children/items/properties/subtree/properties/name/type')).toBe(
      'fixtures/load/v3-multi-file/components/schemas/tree.yaml:5:5',
    );
    expect(where('/operations/publishTreeChanged/channel/address')).toBe('fixtures/load/v3-multi-file/asyncapi.yaml:7:5');
  });

  it('returns undefined for what is not in the source', async () => {
    const { locate } = await loadValid(fixture('load/v3-multi-file/asyncapi.yaml'));
    expect(locate('/nope')).toBeUndefined();
    expect(locate('/channels/trees/x-parser-unique-object-id')).toBeUndefined();
    expect(locate('/operations/publishTreeChanged/messages/7')).toBeUndefined();
    expect(locate('not a pointer')).toBeUndefined();
  });
});
