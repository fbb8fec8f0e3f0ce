/**
 * The two things a run does with an output folder: write the new output into
 * it safely, or (`--check`) compare it with what is there.
 */
import path from 'node:path';
import type { GeneratedFile } from '../generate/pipeline.js';
import { shortDiff } from './diff.js';
import { isMissingFile, nodeFileSystem, type EmitFileSystem } from './fs.js';
import { blockers, hasDrift, planOutput, type OutputPlan } from './plan.js';
import { applyPlan, lockOutput, recoverInterrupted, rolledBackView, type Recovery, type WriteOutcome } from './transaction.js';
import { checkedTarget } from './paths.js';

export interface WriteOptions {
  readonly version: string;
  /** Overwrite hand-edited files and files asyncapi-gen did not generate; write into a foreign folder. */
  readonly force?: boolean;
  /** Plan only. */
  readonly dryRun?: boolean;
  readonly fs?: EmitFileSystem;
  readonly deferSignals?: boolean;
}

export type WriteReport =
  | { readonly kind: 'written'; readonly plan: OutputPlan; readonly outcome: WriteOutcome; readonly recovery: Recovery }
  | { readonly kind: 'planned'; readonly plan: OutputPlan; readonly blockers: ReadonlyArray<string> }
  | { readonly kind: 'refused'; readonly plan: OutputPlan; readonly blockers: ReadonlyArray<string> };

export async function writeOutput(outputDir: string, files: ReadonlyArray<GeneratedFile>, options: WriteOptions): Promise<WriteReport> {
  const fs = options.fs ?? nodeFileSystem;
  if (options.dryRun === true) {
    // A dry run plans against the folder as a recovery would leave it, and repairs nothing.
    const plan = await planOutput(outputDir, files, options.version, await rolledBackView(outputDir, fs));
    return { kind: 'planned', plan, blockers: options.force === true ? [] : blockers(plan) };
  }
  const unlock = await lockOutput(outputDir, fs);
  try {
    const recovery = await recoverInterrupted(outputDir, fs);
    const plan = await planOutput(outputDir, files, options.version, fs);
    const obstacles = options.force === true ? [] : blockers(plan);
    if (obstacles.length > 0) return { kind: 'refused', plan, blockers: obstacles };
    const outcome = await applyPlan(plan, { fs, ...(options.deferSignals === undefined ? {} : { deferSignals: options.deferSignals }) });
    return { kind: 'written', plan, outcome, recovery };
  } finally {
    await unlock();
  }
}

export interface FileDrift {
  readonly path: string;
  readonly change: 'added' | 'changed' | 'removed';
  /** A short unified diff (for `removed`, of the whole file against nothing). */
  readonly diff: ReadonlyArray<string>;
}

export interface CheckReport {
  readonly plan: OutputPlan;
  readonly upToDate: boolean;
  readonly drift: ReadonlyArray<FileDrift>;
}

async function diskText(fs: EmitFileSystem, root: string, file: string): Promise<string> {
  try {
    return (await fs.readFile(await checkedTarget(fs, root, file))).toString('utf8');
  } catch (error) {
    if (isMissingFile(error)) return '';
    throw error;
  }
}

/** Compares the output folder with `files`; writes nothing. */
export async function checkOutput(outputDir: string, files: ReadonlyArray<GeneratedFile>, options: { readonly version: string; readonly fs?: EmitFileSystem }): Promise<CheckReport> {
  const fs = await rolledBackView(outputDir, options.fs ?? nodeFileSystem);
  const plan = await planOutput(outputDir, files, options.version, fs);
  const root = path.resolve(outputDir);
  const contents = new Map(plan.files.map((file) => [file.path, file.contents]));
  const drift: FileDrift[] = [];
  for (const file of plan.add) drift.push({ path: file, change: 'added', diff: shortDiff('', contents.get(file) ?? '') });
  for (const file of plan.change) drift.push({ path: file, change: 'changed', diff: shortDiff(await diskText(fs, root, file), contents.get(file) ?? '') });
  for (const file of plan.remove) drift.push({ path: file, change: 'removed', diff: shortDiff(await diskText(fs, root, file), '') });
  drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { plan, upToDate: !hasDrift(plan) && !plan.interrupted, drift };
}
