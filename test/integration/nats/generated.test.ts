/**
 * Generated code over the NATS transport: the shared conformance scenario, and
 * interop with a plain nats.js connection (test/scenarios/nats-conformance.scenario.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { TSC, addScenario, fixturePath, generateInto, strictCompilerOptions, typecheck, type ModuleResolution } from '../../support/generated.js';
import { brokerAvailable } from '../../support/brokers.js';

const available = await brokerAvailable('nats');

/**
 * nats.js 3.4's own declaration files do not compile under
 * exactOptionalPropertyTypes (`MsgImpl.headers` and `NatsConnectionImpl.info`
 * are `T | undefined` where the interfaces say `prop?: T`), which
 * `skipLibCheck: false` reports. Those errors are not ours: keep only the
 * diagnostics about files outside node_modules.
 */
function withoutLibraryErrors(output: string): string {
  const kept: string[] = [];
  let keeping = true;
  for (const line of output.split('\n')) {
    if (!/^\s/.test(line)) keeping = !line.includes('node_modules/');
    if (keeping && line.trim() !== '') kept.push(line);
  }
  return kept.join('\n');
}

/** tsc with the strict flags, but skipLibCheck on (the tsc --init default). */
async function typecheckSkippingLibraries(dir: string, moduleResolution: ModuleResolution): Promise<string> {
  const config = path.join(dir, `tsconfig.skiplib.${moduleResolution.toLowerCase()}.json`);
  writeFileSync(config, JSON.stringify({ compilerOptions: { ...strictCompilerOptions(moduleResolution), skipLibCheck: true }, include: ['./**/*.ts'] }));
  try {
    await promisify(execFile)(TSC, ['-p', config], { cwd: dir });
    return '';
  } catch (error) {
    const output = error as { stdout?: string; message: string };
    return output.stdout ?? output.message;
  }
}

interface NatsScenario {
  runScenario(): Promise<void>;
  runInterop(): Promise<void>;
}

describe.skipIf(!available)('generated code over NATS', () => {
  let dir: string;
  let scenario: NatsScenario;

  beforeAll(async () => {
    ({ dir } = await generateInto('conformance-nats', fixturePath('conformance/dot.yaml'), { transports: ['nats'] }));
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'nats-conformance.scenario.ts');
  }, 60_000);

  it('type-checks with the NATS transport under NodeNext and Bundler', async () => {
    // The library errors do not depend on module resolution, so Bundler is checked with skipLibCheck only.
    const [nodeNext, bundler] = await Promise.all([typecheck(dir, 'NodeNext'), typecheckSkippingLibraries(dir, 'Bundler')]);
    expect(withoutLibraryErrors(nodeNext)).toBe('');
    expect(bundler).toBe('');
    scenario = (await import(pathToFileURL(path.join(dir, 'nats-conformance.scenario.ts')).href)) as NatsScenario;
  }, 60_000);

  it('passes the shared transport conformance scenario', async () => {
    await scenario.runScenario();
  }, 30_000);

  it('interoperates with a plain nats.js client both ways', async () => {
    await scenario.runInterop();
  }, 30_000);
});
