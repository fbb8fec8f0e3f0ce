/**
 * The generated App both throughput benchmarks measure: a one-channel synthetic document generated
 * for NATS and compiled with tsc the way a service ships it (a loader such as tsx wraps every
 * function and would measure itself), with the types the benchmarks use it through.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';
import { generate } from '../src/generate/pipeline.js';
import { writeFiles } from '../src/emit/write.js';
import { syntheticDocument } from './synthetic.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const NATS_URL = 'nats://127.0.0.1:4222';

export interface Payload {
  readonly id: string;
  readonly createdAt: string;
  readonly amount: number;
  readonly count: number;
  readonly label: string;
  readonly active: boolean;
  readonly kind: 'small' | 'medium' | 'large';
  readonly tags: ReadonlyArray<string>;
}

interface ReceivedEvent {
  readonly payload: Payload;
}

export interface GeneratedApp {
  sendEvent0(input: { params: { entityId: string }; payload: Payload }): Promise<void>;
  receiveEvent0(handler: (event: ReceivedEvent) => void, options?: { params?: { entityId?: string } }): Promise<{ unsubscribe(): Promise<void> }>;
}

interface GeneratedModule {
  createApp(options: { transport: unknown; validate?: 'both' | 'none' }): GeneratedApp;
}

interface NatsTransportModule {
  createNatsTransport(options: { url: string }): Promise<{ connection: NatsConnection; close(): Promise<void> }>;
}

interface ValidatorsModule {
  validatePayload0(value: unknown): unknown[];
}

export const PAYLOAD: Payload = {
  id: '6f1c1b7e-8d2a-4b52-9d8e-2f0a4c6b1e3d',
  createdAt: '2026-11-26T12:00:00Z',
  amount: 42.5,
  count: 7,
  label: 'a typical label',
  active: true,
  kind: 'medium',
  tags: ['alpha', 'beta'],
};

export interface PreparedApp {
  readonly generated: GeneratedModule;
  readonly nats: NatsTransportModule;
  readonly validators: ValidatorsModule;
  /** Removes the generated and compiled files. */
  readonly remove: () => void;
}

/** Generates and compiles the App into bench/.generated/<name>. */
export async function prepareApp(name: string): Promise<PreparedApp> {
  const out = path.join(ROOT, 'bench', '.generated', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const spec = path.join(out, 'throughput.yaml');
  writeFileSync(spec, syntheticDocument(1));
  const result = await generate({ spec, transports: ['nats'] });
  if (!result.ok) throw new Error(`generation failed: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  const sources = path.join(out, 'src');
  const compiled = path.join(out, 'dist');
  await writeFiles(sources, result.files);
  writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'dist', rootDir: 'src', types: ['node'] },
    include: ['src'],
  }));
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(out, 'tsconfig.json')], { stdio: 'inherit' });
  writeFileSync(path.join(compiled, 'package.json'), '{ "type": "module" }\n');
  const load = async <Module>(file: string): Promise<Module> => (await import(pathToFileURL(path.join(compiled, file)).href)) as Module;
  return {
    generated: await load<GeneratedModule>('index.js'),
    nats: await load<NatsTransportModule>('transports/nats.js'),
    validators: await load<ValidatorsModule>('validators.js'),
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
}
