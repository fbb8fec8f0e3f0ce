/** Converting the parser's (spectral's) diagnostics, with synthetic input for the rare cases. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { dedupeAndSort } from '../../src/load/diagnostic-list.js';
import { convertParserDiagnostics, type ConversionContext, type ParserDiagnostic } from '../../src/load/parser-diagnostics.js';
import { resolveRef } from '../../src/load/ref.js';
import type { RefSite } from '../../src/load/ref-scan.js';

const MAIN = '/api/asyncapi.yaml';

function spectral(overrides: Partial<ParserDiagnostic>): ParserDiagnostic {
  return { code: 'some-rule', message: 'message', path: [], severity: 0, source: MAIN, range: { start: { line: 0, character: 0 } }, ...overrides };
}

function site(ref: string, file: string, line: number, column: number, path: string[] = []): RefSite {
  return { ref, file, path, location: { file, line, column }, target: resolveRef(ref, file) };
}

function context(overrides: Partial<ConversionContext> = {}): ConversionContext {
  return { mainFile: MAIN, sites: [], lookup: () => undefined, remoteRefsRefused: true, ...overrides };
}

describe('convertParserDiagnostics', () => {
  it('maps severities 0..3 by name and 0-based ranges to 1-based locations in the named file', () => {
    const converted = convertParserDiagnostics(
      [
        spectral({ severity: 0, range: { start: { line: 0, character: 0 } } }),
        spectral({ severity: 1, source: '/api/schemas/a.yaml', range: { start: { line: 4, character: 10 } } }),
        spectral({ severity: 2, source: null }),
        { code: 'some-rule', message: 'no source at all', severity: 3, path: ['info', 'a/b'], range: { start: { line: 0, character: 0 } } },
      ],
      context(),
    );
    expect(converted.map((d) => [d.severity, d.location])).toEqual([
      ['error', { file: MAIN, line: 1, column: 1 }],
      ['warning', { file: '/api/schemas/a.yaml', line: 5, column: 11 }],
      ['info', { file: MAIN, line: 1, column: 1 }],
      ['hint', { file: MAIN, line: 1, column: 1 }],
    ]);
    expect(converted[3]?.pointer).toBe('/info/a~1b');
    expect(converted[1]?.pointer).toBeUndefined();
  });

  it('turns an uncaught parser exception into parser-crash, without the stack', () => {
    const [crash] = convertParserDiagnostics(
      [spectral({ code: 'uncaught-error', message: 'Error thrown during AsyncAPI document parsing. Name: TypeError, message: x is undefined, stack: TypeError: x\n    at f (a.js:1:1)' })],
      context(),
    );
    expect(crash).toMatchObject({ severity: 'error', code: 'parser-crash', location: { file: MAIN, line: 1, column: 1 } });
    expect(crash?.message).toContain('x is undefined');
    expect(crash?.message).not.toContain('a.js:1:1');
  });

  it('moves a resolver error to the $ref it is about, in the file that holds it', () => {
    const lib = '/api/lib.yaml';
    const converted = convertParserDiagnostics(
      [
        // Spectral says: main file, 1:1, with the target's path.
        spectral({ code: 'invalid-ref', message: "'#/Nope' does not exist @ '/api/lib.yaml'", path: ['Nope', '$ref'] }),
        spectral({ code: 'invalid-ref', message: "'#/Missing' does not exist", path: ['Msg', 'payload', '$ref'] }),
        spectral({ code: 'invalid-ref', message: "ENOENT: no such file or directory, open '/api/gone.yaml'", path: ['a', '$ref'] }),
      ],
      context({
        sites: [
          site('./lib.yaml#/Nope', MAIN, 9, 15),
          site('./lib.yaml#/Msg', MAIN, 12, 15),
          site('#/Missing', lib, 3, 11, ['Msg', 'payload']),
          site('#/Missing', lib, 30, 11, ['Other']),
          site('./gone.yaml', lib, 7, 9),
        ],
      }),
    );
    expect(converted.map((d) => d.location)).toEqual([
      { file: MAIN, line: 9, column: 15 },
      { file: lib, line: 3, column: 11 },
      { file: lib, line: 7, column: 9 },
    ]);
    expect(converted[2]?.hint).toMatch(/folder of the file that contains it/);
  });

  it('drops what the parser says about refused remote documents, which the loader reports itself', () => {
    const converted = convertParserDiagnostics(
      [
        spectral({ code: 'parser', message: 'Property name expected', source: 'https://example.com/a.json' }),
        spectral({ code: 'invalid-ref', message: "'#/A' does not exist @ 'https://example.com/a.json'" }),
        spectral({ code: 'asyncapi-id', message: 'AsyncAPI document should have "id" field.', severity: 1 }),
      ],
      context({ sites: [site('https://example.com/a.json#/A', MAIN, 5, 7)] }),
    );
    expect(converted.map((d) => d.code)).toEqual(['asyncapi-id']);
  });

  it('still fails when a refused remote document was not seen by the scan', () => {
    const converted = convertParserDiagnostics([spectral({ code: 'parser', message: 'x', source: 'https://example.com/a.json' })], context());
    expect(converted.map((d) => [d.severity, d.code])).toEqual([['error', 'remote-ref-refused']]);
  });

  it('keeps remote documents diagnostics when remote refs are allowed', () => {
    const converted = convertParserDiagnostics(
      [spectral({ code: 'parser', message: 'x', source: 'https://example.com/a.json', range: { start: { line: 2, character: 3 } } })],
      context({ remoteRefsRefused: false }),
    );
    expect(converted[0]?.location).toEqual({ file: 'https://example.com/a.json', line: 3, column: 4 });
  });
});

describe('dedupeAndSort', () => {
  const at = (file: string, line: number, column: number, code = 'c'): Diagnostic => ({
    severity: 'warning',
    code,
    message: 'm',
    location: { file, line, column },
  });

  it('removes identical diagnostics and sorts by file, line, column', () => {
    expect(dedupeAndSort([at('/b', 1, 1), at('/a', 10, 2), at('/a', 2, 5), at('/a', 2, 5), at('/a', 2, 1)])).toEqual([
      at('/a', 2, 1),
      at('/a', 2, 5),
      at('/a', 10, 2),
      at('/b', 1, 1),
    ]);
  });

  it('keeps diagnostics that differ only by code', () => {
    expect(dedupeAndSort([at('/a', 1, 1, 'y'), at('/a', 1, 1, 'x')]).map((d) => d.code)).toEqual(['x', 'y']);
  });
});
