/**
 * Handler stubs of a scaffolded service: written once into the handlers
 * folder when missing, never overwritten, never deleted. A stub whose
 * operation left the document is reported so that its owner decides.
 */
import path from 'node:path';
import type { GeneratedFile } from '../generate/pipeline.js';
import { nodeFileSystem, type EmitFileSystem } from './fs.js';
import { checkedTarget } from './paths.js';

export interface StubPlan {
  readonly handlersDir: string;
  /** Stubs of operations that have no handler file yet. */
  readonly missing: ReadonlyArray<GeneratedFile>;
  /** Handler files named like a stub whose operation left the document. */
  readonly orphaned: ReadonlyArray<string>;
}

export async function planStubs(handlersDir: string, stubs: ReadonlyArray<GeneratedFile>, fs: EmitFileSystem = nodeFileSystem): Promise<StubPlan> {
  const root = path.resolve(handlersDir);
  const missing: GeneratedFile[] = [];
  for (const stub of stubs) {
    if ((await fs.kind(await checkedTarget(fs, root, stub.path))) === 'missing') missing.push(stub);
  }
  const expected = new Set(stubs.map((stub) => stub.path));
  const present = (await fs.list(root)) ?? [];
  const orphaned = present
    .filter((entry) => !entry.isDirectory && /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.name.includes('.test.') && !expected.has(entry.name))
    .map((entry) => entry.name)
    .sort();
  return { handlersDir: root, missing, orphaned };
}

/** Creates the missing stubs; a file that appeared meanwhile is left alone. Returns the files created. */
export async function writeStubs(plan: StubPlan, fs: EmitFileSystem = nodeFileSystem): Promise<string[]> {
  const created: string[] = [];
  if (plan.missing.length === 0) return created;
  await fs.mkdir(plan.handlersDir);
  for (const stub of plan.missing) {
    const target = await checkedTarget(fs, plan.handlersDir, stub.path);
    if (await fs.createExclusive(target, stub.contents)) created.push(stub.path);
  }
  return created;
}
