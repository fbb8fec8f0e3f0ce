/** Reading a document file: failures that are hard to produce on a real disk, especially as root. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/load/index.js';
import { readSourceText, type SourceFileSystem } from '../../src/load/read-source.js';

function failingFileSystem(code: string, message: string): SourceFileSystem {
  return {
    stat: async () => ({ isDirectory: () => false, size: 10 }),
    readFile: async () => {
      throw Object.assign(new Error(message), { code });
    },
  };
}

function fileSystemWith(bytes: Uint8Array): SourceFileSystem {
  return { stat: async () => ({ isDirectory: () => false, size: bytes.length }), readFile: async () => bytes };
}

describe('readSourceText', () => {
  it('reports a file it may not read as file-unreadable, with the reason', async () => {
    const read = await readSourceText('/x/api.yaml', 1000, failingFileSystem('EACCES', "EACCES: permission denied, open '/x/api.yaml'"));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.diagnostic).toMatchObject({
      severity: 'error',
      code: 'file-unreadable',
      location: { file: '/x/api.yaml', line: 1, column: 1 },
    });
    expect(read.diagnostic.message).toContain('permission denied');
  });

  it('refuses a file over the byte limit without reading it', async () => {
    const fileSystem: SourceFileSystem = {
      stat: async () => ({ isDirectory: () => false, size: 2_000_000 }),
      readFile: async () => {
        throw new Error('must not be read');
      },
    };
    const read = await readSourceText('/x/big.yaml', 1_000_000, fileSystem);
    expect(read.ok ? undefined : read.diagnostic.code).toBe('document-too-large');
  });

  it.each([
    { given: 'UTF-16 (NUL bytes)', bytes: [0xff, 0xfe, 0x61, 0x00], want: 'not-text' },
    { given: 'a lone continuation byte', bytes: [0x61, 0x3a, 0x20, 0x80], want: 'not-text' },
    { given: 'an overlong encoding', bytes: [0x61, 0x3a, 0x20, 0xc0, 0xaf], want: 'not-text' },
    { given: 'a truncated sequence at the end', bytes: [0x61, 0x3a, 0x20, 0xe2, 0x82], want: 'not-text' },
  ])('rejects $given as $want', async ({ bytes, want }) => {
    const read = await readSourceText('/x/api.yaml', 1000, fileSystemWith(new Uint8Array(bytes)));
    expect(read.ok ? undefined : read.diagnostic.code).toBe(want);
  });

  it('locates invalid UTF-8 at its line and byte column', async () => {
    const bytes = new Uint8Array([...Buffer.from('a: 1\nb: caf'), 0xe9, ...Buffer.from('\n')]);
    const read = await readSourceText('/x/api.yaml', 1000, fileSystemWith(bytes));
    expect(read.ok ? undefined : read.diagnostic.location).toEqual({ file: '/x/api.yaml', line: 2, column: 7 });
  });

  it('accepts UTF-8 with a byte order mark and drops the mark', async () => {
    const read = await readSourceText('/x/api.yaml', 1000, fileSystemWith(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9])));
    expect(read).toEqual({ ok: true, text: 'aé' });
  });
});

describe('an unreadable file on disk', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  // Root reads a chmod 000 file anyway, so this only runs as an ordinary user; the injected
  // file system above covers the same path when the tests run as root.
  it.skipIf(process.getuid?.() === 0)('is reported as file-unreadable', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-gen-load-'));
    dirs.push(dir);
    const file = path.join(dir, 'locked.yaml');
    await writeFile(file, 'asyncapi: 3.0.0\n');
    await chmod(file, 0o000);
    const result = await loadDocument(file);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['file-unreadable']);
  });
});
