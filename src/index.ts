/**
 * The programmatic API: the same pipeline the CLI runs. `generate` returns
 * the files in memory; `writeOutput` and `checkOutput` are the CLI's safe
 * write and drift check; `defineConfig` types a config file.
 */
export { generate, generateFromDocument, generatorVersion } from './generate/pipeline.js';
export type { GenerateOptions, GenerateResult, GeneratedFile, GenerationSettings, PipelineOptions, PipelineResult, PipelineTimings } from './generate/pipeline.js';
export type { PackageRequirement } from './generate/packages.js';
export type { Diagnostic, Severity, SourceLocation } from './diagnostics.js';
export { UserError } from './diagnostics.js';
export { checkOutput, writeOutput } from './emit/output.js';
export type { CheckReport, FileDrift, WriteOptions, WriteReport } from './emit/output.js';
export type { OutputPlan } from './emit/plan.js';
export { recoverInterrupted } from './emit/transaction.js';
export { MANIFEST_FILE } from './emit/manifest.js';
export { createFileCache, defaultCacheDir } from './cache/index.js';
export type { LoadCache } from './cache/index.js';
export { defineConfig, findConfig, loadConfig } from './config/index.js';
export type { AsyncApiGenConfig, JobConfig, LoadedConfig, ResolvedJob } from './config/index.js';
export type * from './view/model.js';
