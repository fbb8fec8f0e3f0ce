/**
 * The shared corpus of real AsyncAPI documents (`../shared/specs`, never copied into the project)
 * and a batched type-check of generated outputs: one tsc run per batch of folders is much faster
 * than one per document, and batches run in the background while the next documents generate.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeFiles } from '../../src/emit/write.js';
import type { GeneratedFile } from '../../src/generate/pipeline.js';
import { PROJECT_ROOT, strictCompilerOptions, TSC } from '../support/generated.js';

const run = promisify(execFile);

export const CORPUS_ROOT = path.resolve(PROJECT_ROOT, '..', 'shared', 'specs');
const MANIFEST = path.join(CORPUS_ROOT, 'MANIFEST.tsv');

export interface CorpusDocument {
  /** Path relative to the corpus root, as in MANIFEST.tsv. */
  readonly path: string;
  readonly asyncapiVersion: string;
  readonly features: string;
  /** Meant to be rejected (the manifest's features say `NEGATIVE`). */
  readonly negative: boolean;
}

export function corpusAvailable(): boolean {
  return existsSync(MANIFEST);
}

/** The document rows of the manifest (referenced files, whose version is `-`, are left out). */
export function readCorpusDocuments(): CorpusDocument[] {
  const [header, ...lines] = readFileSync(MANIFEST, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
  const columns = (header ?? '').split('\t');
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${MANIFEST} has no '${name}' column`);
    return index;
  };
  const pathColumn = column('path');
  const versionColumn = column('asyncapi_version');
  const featuresColumn = column('notable_features');
  return lines
    .map((line) => line.split('\t'))
    .filter((cells) => (cells[versionColumn] ?? '-') !== '-')
    .map((cells) => {
      const features = cells[featuresColumn] ?? '';
      return {
        path: cells[pathColumn] ?? '',
        asyncapiVersion: cells[versionColumn] ?? '',
        features,
        negative: /\bNEGATIVE\b/.test(features),
      };
    });
}

/** A folder name for a document's output: its position, then a readable slug of its path. */
export function outputFolderName(index: number, documentPath: string): string {
  const slug = documentPath.replace(/\.[a-z]+$/i, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(-60);
  return `${String(index).padStart(3, '0')}-${slug}`;
}

/** A document's output on disk: its folder, and the shared copy some of its subfolders link to. */
export interface WrittenOutput {
  readonly folder: string;
  readonly shared?: string;
  /** Subfolders written into the folder itself (not shared). */
  readonly ownSubfolders: ReadonlyArray<string>;
}

const SHARED = '_shared';
const BANNER = /^(?:\/\/[^\n]*\n)+/;
/** An import of a top-level file of the output (`'../servers.js'`), which differs per document. */
const IMPORTS_TOP_LEVEL = /(?:from\s+|import\s*\(\s*)'\.\.\/[^/']+'/;

function subfolderOf(file: GeneratedFile): string {
  return file.path.split('/')[0] ?? '';
}

/**
 * Writes one output under `root/folder`. Its runtime subfolders (core/, transports/) are nearly
 * always the same as another output's, apart from the banner naming the document: those that do
 * not import the output's own top-level files are written once under `_shared/<hash of their
 * contents>` and linked, so tsc checks each distinct runtime once instead of once per document.
 */
export async function writeOutput(root: string, folder: string, files: ReadonlyArray<GeneratedFile>): Promise<WrittenOutput> {
  const nested = files.filter((file) => file.path.includes('/'));
  const ownSubfolders = new Set(nested.filter((file) => IMPORTS_TOP_LEVEL.test(file.contents)).map(subfolderOf));
  const shareable = nested.filter((file) => !ownSubfolders.has(subfolderOf(file)));
  await writeFiles(path.join(root, folder), files.filter((file) => !shareable.includes(file)));
  if (shareable.length === 0) return { folder, ownSubfolders: [...ownSubfolders] };
  const hash = createHash('sha256');
  for (const file of [...shareable].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${file.path}\0${file.contents.replace(BANNER, '')}\0`);
  }
  const shared = `${SHARED}/${hash.digest('hex').slice(0, 16)}`;
  if (!existsSync(path.join(root, shared))) await writeFiles(path.join(root, shared), shareable);
  for (const subfolder of new Set(shareable.map(subfolderOf))) {
    const link = path.join(root, folder, subfolder);
    symlinkSync(path.relative(path.dirname(link), path.join(root, shared, subfolder)), link, 'dir');
  }
  return { folder, shared, ownSubfolders: [...ownSubfolders] };
}

/**
 * Type-checks written outputs (relative to `root`) in one tsc run under the strict NodeNext flags.
 * Resolves to tsc's complaints per folder; a folder without any is clean. Complaints about a
 * shared runtime go to every folder that uses it; any tsc cannot pin down go to every folder.
 */
export async function typecheckOutputs(root: string, batchName: string, outputs: ReadonlyArray<WrittenOutput>): Promise<Map<string, string>> {
  const config = path.join(root, `tsconfig.${batchName}.json`);
  const compilerOptions = strictCompilerOptions('NodeNext');
  // Not the linked subfolders: imports reach them through the links, resolved to the real path,
  // so each shared file is one source file however many outputs link to it.
  const shared = [...new Set(outputs.flatMap((output) => (output.shared === undefined ? [] : [output.shared])))];
  const include = [
    ...outputs.flatMap((output) => [`${output.folder}/*.ts`, ...output.ownSubfolders.map((subfolder) => `${output.folder}/${subfolder}/**/*.ts`)]),
    ...shared.map((folder) => `${folder}/**/*.ts`),
  ];
  writeFileSync(config, JSON.stringify({ compilerOptions, include }, null, 2));
  let output = '';
  try {
    await run(TSC, ['-p', config, '--pretty', 'false'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    output = `${failure.stdout ?? ''}${failure.stderr ?? ''}` || failure.message;
  }
  return attribute(output, outputs);
}

/** The output folder (or shared runtime) a tsc diagnostic line is about, from its file path. */
function ownerOf(line: string): string {
  const [first = '', second = ''] = line.split(/[\\/]/);
  return first === SHARED ? `${first}/${second}` : first;
}

function attribute(output: string, outputs: ReadonlyArray<WrittenOutput>): Map<string, string> {
  const byOwner = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    // A diagnostic starts at column 0 with its file; continuation lines are indented.
    if (current === undefined || !/^\s/.test(line)) {
      const owner = ownerOf(line);
      current = byOwner.get(owner) ?? [];
      byOwner.set(owner, current);
    }
    current.push(line);
  }
  const owners = new Set(outputs.flatMap((written) => [written.folder, ...(written.shared === undefined ? [] : [written.shared])]));
  const unattributed = [...byOwner.entries()].filter(([owner]) => !owners.has(owner)).flatMap(([, lines]) => lines);
  const result = new Map<string, string>();
  for (const written of outputs) {
    const lines = [
      ...(byOwner.get(written.folder) ?? []),
      ...(written.shared === undefined ? [] : (byOwner.get(written.shared) ?? [])),
      ...unattributed,
    ];
    if (lines.length > 0) result.set(written.folder, lines.join('\n'));
  }
  return result;
}
