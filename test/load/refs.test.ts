/**
 * `$ref`s: errors inside referenced files, missing targets, remote references (refused by default,
 * fetched when allowed), and cycles the parser leaves unresolved inside referenced files.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDocument } from '../../src/load/index.js';
import { at, cyclesThrough, errorSummaries, errorsOf, fixture, refsLeftIn } from './helpers.js';

vi.setConfig({ testTimeout: 60_000 });

describe('errors in referenced files', () => {
  it('are located in the referenced file', async () => {
    const result = await loadDocument(fixture('invalid/ref-error/asyncapi.yaml'));
    expect(result.document).toBeUndefined();
    expect(errorSummaries(result.diagnostics)).toContain('asyncapi-document-resolved@fixtures/invalid/ref-error/schemas/reading.yaml:4:11');
    const typeError = errorsOf(result.diagnostics).find((d) => d.location?.line === 4);
    expect(typeError?.message).toMatch(/Did you mean "number"/);
  });

  it('a missing file and a dangling pointer are located at their $ref, with a hint', async () => {
    const result = await loadDocument(fixture('invalid/missing-ref-file/asyncapi.yaml'));
    expect(errorSummaries(result.diagnostics)).toEqual([
      'invalid-ref@fixtures/invalid/missing-ref-file/asyncapi.yaml:9:15',
      'invalid-ref@fixtures/invalid/missing-ref-file/asyncapi.yaml:13:15',
    ]);
    const [missingFile, missingPointer] = errorsOf(result.diagnostics);
    expect(missingFile?.hint).toMatch(/folder of the file that contains it/);
    expect(missingPointer?.message).toContain("'#/components/messages/Video' does not exist");
  });

  it('a $ref to a directory is located at the $ref', async () => {
    const result = await loadDocument(fixture('invalid/ref-to-directory/asyncapi.yaml'));
    expect(errorSummaries(result.diagnostics)).toEqual(['not-a-file@fixtures/invalid/ref-to-directory/asyncapi.yaml:8:13']);
  });
});

/** The `$ref` value starts at line 11, column 17. */
function documentWithPayloadRef(url: string): string {
  return [
    'asyncapi: 3.0.0',
    'info:',
    '  title: Remote',
    '  version: 1.0.0',
    'channels:',
    '  payments:',
    '    address: payments',
    '    messages:',
    '      paid:',
    '        payload:',
    `          $ref: '${url}'`,
    '',
  ].join('\n');
}

describe('remote references', () => {
  let server: http.Server;
  let base = '';
  let requests = 0;
  let dir = '';

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests++;
      if (request.url === '/money.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ type: 'object', properties: { cents: { type: 'integer' } } }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    base = `http://127.0.0.1:${address.port}`;
    dir = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-gen-remote-'));
    await writeFile(path.join(dir, 'asyncapi.yaml'), documentWithPayloadRef(`${base}/money.json`));
    // Port 9 (discard) on loopback: nothing listens, so the fetch fails at once, without network.
    await writeFile(path.join(dir, 'unreachable.yaml'), documentWithPayloadRef('http://127.0.0.1:9/money.json'));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('are refused by default, located at each $ref in whichever file holds it, without fetching', async () => {
    requests = 0;
    const result = await loadDocument(fixture('invalid/remote-ref/asyncapi.yaml'));
    expect(result.document).toBeUndefined();
    expect(errorSummaries(result.diagnostics)).toEqual([
      'remote-ref-refused@fixtures/invalid/remote-ref/asyncapi.yaml:10:17',
      'remote-ref-refused@fixtures/invalid/remote-ref/lib.yaml:6:15',
    ]);
    for (const error of errorsOf(result.diagnostics)) expect(error.hint).toContain('--allow-remote-refs');
    const local = await loadDocument(path.join(dir, 'asyncapi.yaml'));
    expect(errorSummaries(local.diagnostics)).toHaveLength(1);
    expect(requests).toBe(0);
  });

  it('are fetched when allowed', async () => {
    const result = await loadDocument(path.join(dir, 'asyncapi.yaml'), { allowRemoteRefs: true });
    expect(errorsOf(result.diagnostics)).toEqual([]);
    expect(at(result.document?.json, '/channels/payments/messages/paid/payload/properties/cents/type')).toBe('integer');
    expect(requests).toBeGreaterThan(0);
  });

  it('fail with the resolver error, located at the $ref, when the fetch fails', async () => {
    const file = path.join(dir, 'unreachable.yaml');
    const result = await loadDocument(file, { allowRemoteRefs: true });
    expect(result.document).toBeUndefined();
    const [error] = errorsOf(result.diagnostics);
    expect(error?.code).toBe('invalid-ref');
    expect(error?.message).toContain('http://127.0.0.1:9');
    expect(error?.location).toEqual({ file, line: 11, column: 17 });
  });
});

describe('cycles inside a referenced file', () => {
  it('become real object cycles, with no $ref left', async () => {
    const result = await loadDocument(fixture('load/cycles-in-referenced-file/asyncapi.yaml'));
    expect(errorsOf(result.diagnostics)).toEqual([]);
    const json = result.document?.json;
    expect(refsLeftIn(json)).toEqual([]);
    const person = at(json, '/channels/people/messages/person/payload');
    expect(at(person, '/properties/name/type')).toBe('string');
    expect(cyclesThrough(person, '/properties/manager')).toBe(true);
    expect(cyclesThrough(person, '/properties/team/properties/lead')).toBe(true);
    expect(at(person, '/properties/team/properties/size/type')).toBe('integer');
    expect(result.diagnostics.filter((d) => d.code === 'ref-left-unresolved')).toEqual([]);
  });
});
