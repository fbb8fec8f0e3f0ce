/**
 * The files of a project created by `asyncapi-gen init`, written once: the
 * package manifest, compiler settings, the entry point that connects the
 * transport and starts the service, its test over the memory transport, a
 * README and the asyncapi-gen configuration. Only values we computed reach
 * these files; the document's strings go through the escaping helpers.
 */
import { stringLiteral } from '../render/escape.js';
import type { PackageRequirement } from '../generate/packages.js';

export interface ProjectSettings {
  /** npm package name (already valid). */
  readonly packageName: string;
  readonly title: string;
  /** The transport the service runs over: nats, mqtt, amqp, kafka, ws, redis. */
  readonly transport: string;
  /** Whether the document names a server for that transport (else main.ts connects to loopback). */
  readonly documentHasServer: boolean;
  /** Spec path relative to the project, with `/`. */
  readonly spec: string;
  readonly packages: ReadonlyArray<PackageRequirement>;
  /** The devDependency spec of asyncapi-gen: a version range or a tarball path. */
  readonly generatorPackage: string;
  readonly handledOperations: ReadonlyArray<string>;
}

const FACTORIES: Readonly<Record<string, { readonly factory: string; readonly loopback: string; readonly protocol: string; readonly options?: string }>> = {
  nats: { factory: 'createNatsTransport', loopback: 'nats://127.0.0.1:4222', protocol: 'NATS' },
  mqtt: { factory: 'createMqttTransport', loopback: 'mqtt://127.0.0.1:1883', protocol: 'MQTT' },
  amqp: { factory: 'createAmqpTransport', loopback: 'amqp://guest:guest@127.0.0.1:5672', protocol: 'AMQP' },
  kafka: { factory: 'createKafkaTransport', loopback: 'kafka://127.0.0.1:9092', protocol: 'KAFKA' },
  ws: { factory: 'createWebSocketTransport', loopback: 'ws://127.0.0.1:8080', protocol: 'WS', options: "role: 'server'" },
  redis: { factory: 'createRedisTransport', loopback: 'redis://127.0.0.1:6379', protocol: 'REDIS' },
};

export const SCAFFOLD_TRANSPORTS = Object.keys(FACTORIES);

export const TYPESCRIPT_RANGE = '~5.9.0';

function sorted(entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  return Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));
}

export function packageJson(settings: ProjectSettings): string {
  const dependencies = settings.packages.filter((p) => !p.dev).map((p) => [p.name, p.range] as const);
  const devDependencies = [
    ...settings.packages.filter((p) => p.dev).map((p) => [p.name, p.range] as const),
    ['asyncapi-gen', settings.generatorPackage] as const,
    ['typescript', TYPESCRIPT_RANGE] as const,
  ];
  return `${JSON.stringify({
    name: settings.packageName,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20' },
    scripts: {
      generate: 'asyncapi-gen generate',
      build: 'tsc -p tsconfig.json',
      prestart: 'npm run build',
      start: 'node dist/src/main.js',
      test: 'npm run build && node --test dist/test/service.test.js',
      check: 'asyncapi-gen generate --check && tsc -p tsconfig.json --noEmit',
    },
    dependencies: sorted(dependencies),
    devDependencies: sorted(devDependencies),
  }, null, 2)}\n`;
}

export function tsconfigJson(): string {
  return `${JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      types: ['node'],
      rootDir: '.',
      outDir: 'dist',
      sourceMap: true,
    },
    include: ['src/**/*.ts', 'test/**/*.ts'],
  }, null, 2)}\n`;
}

export function configJson(settings: ProjectSettings): string {
  return `${JSON.stringify({
    $schema: './node_modules/asyncapi-gen/schema/asyncapi-gen.config.schema.json',
    spec: settings.spec,
    output: 'src/generated',
    handlers: 'src/handlers',
    transports: [settings.transport],
  }, null, 2)}\n`;
}

export function mainTs(settings: ProjectSettings): string {
  const transport = FACTORIES[settings.transport];
  if (transport === undefined) throw new Error(`no transport named ${settings.transport}`);
  const envName = `ASYNCAPI_${transport.protocol}_URL`;
  const options = [
    transport.options,
    settings.documentHasServer ? undefined : `...(process.env[${stringLiteral(envName)}] === undefined ? { url: ${stringLiteral(transport.loopback)} } : {})`,
  ].filter((part): part is string => part !== undefined);
  return `/**
 * Starts the service: connects the ${transport.protocol} transport, registers the handlers of
 * src/handlers/ and runs until SIGINT or SIGTERM.
 * Connection: ${envName} (and _USER, _PASSWORD, _TOKEN, _CA, _CERT, _KEY), ${settings.documentHasServer ? "else the document's server" : `else ${transport.loopback} (the document names no ${transport.protocol} server)`}.
 */
import { createApp, type OperationError } from './generated/index.js';
import { handledOperations, startService } from './generated/service.js';
import { ${transport.factory} } from './generated/transports/${settings.transport}.js';

function log(message: string): void {
  console.log(\`[\${new Date().toISOString()}] \${message}\`);
}

const transport = await ${transport.factory}(${options.length === 0 ? '' : `{ ${options.join(', ')} }`});
const app = createApp({
  transport,
  onError: (error: OperationError) => console.error(\`[\${new Date().toISOString()}] \${error.operation}: \${error.message}\`),
});
const service = await startService(app);
log(\`${settings.packageName} is running over ${transport.protocol}, handling \${handledOperations.join(', ') || 'nothing'}; Ctrl+C stops it\`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(\`\${signal}: stopping\`);
  try {
    await service.stop();
    await transport.close();
    log('stopped');
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
`;
}

export function serviceTestTs(): string {
  return `/**
 * Drives the service through the generated Client over the in-memory transport: every
 * operation the service handles gets a sample message (from the document's examples, or
 * derived from its schemas) and must be handled without an error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError, createApp, createClient, type OperationError } from '../src/generated/index.js';
import { serviceSamples, startService } from '../src/generated/service.js';
import { createMemoryBroker, createMemoryTransport } from '../src/generated/transports/memory.js';

for (const sample of serviceSamples) {
  test(\`the service handles \${sample.operation}\`, async (t) => {
    if (sample.exercise === undefined) {
      t.todo(sample.missing ?? 'no sample message');
      return;
    }
    const broker = createMemoryBroker();
    const serviceTransport = createMemoryTransport({ broker });
    const errors: OperationError[] = [];
    const service = await startService(createApp({ transport: serviceTransport, onError: (error) => errors.push(error) }));
    const client = createClient({ transport: createMemoryTransport({ broker }) });
    t.mock.method(console, 'log', () => undefined);
    try {
      try {
        await sample.exercise(client);
      } catch (error) {
        // A sample derived from the schemas that the schemas still refuse: not the service's fault.
        if (!(error instanceof ValidationError)) throw error;
        t.todo(\`the sample message is not valid (\${error.message}); write one for \${sample.operation} by hand\`);
        return;
      }
      await broker.whenIdle();
      assert.deepEqual(errors.map((error) => error.message), []);
      assert.ok(serviceTransport.deliveries.length > 0, 'the sample reached the service');
      assert.deepEqual(serviceTransport.deliveries.map((delivery) => delivery.outcome), serviceTransport.deliveries.map(() => 'ack'));
    } finally {
      await service.stop();
    }
  });
}
`;
}

export function readme(settings: ProjectSettings): string {
  const transport = FACTORIES[settings.transport];
  const protocol = transport?.protocol ?? settings.transport.toUpperCase();
  return `# ${settings.packageName}

A service for ${settings.title.replace(/[\r\n]+/g, ' ')}, created by asyncapi-gen from \`${settings.spec}\`.

\`\`\`sh
npm install
npm test      # the service, driven through the generated Client over the in-memory transport
npm start     # connects over ${protocol} and handles messages until Ctrl+C
\`\`\`

- \`${settings.spec}\`: the AsyncAPI document. Change it, then \`npm run generate\`.
- \`src/generated/\`: generated by \`npm run generate\`; do not edit. \`npm run check\` fails when it is
  out of date with the document (use it in CI).
- \`src/handlers/\`: one module per operation the service receives (${settings.handledOperations.map((operation) => `\`${operation}\``).join(', ') || 'none yet'}).
  They are yours: \`npm run generate\` never overwrites them. A new receiving operation gets a new
  stub; one that left the document is reported, not deleted. After a change of the document, a type
  error in a handler is the signal to update it.
- \`src/main.ts\`: connects, starts the service, stops on SIGINT/SIGTERM.
- Connection: \`ASYNCAPI_${protocol}_URL\` and \`ASYNCAPI_${protocol}_USER\`, \`_PASSWORD\`, \`_TOKEN\`, \`_CA\`,
  \`_CERT\`, \`_KEY\`; without them, the document's server${settings.documentHasServer ? '' : ` (it has none for ${protocol}: ${transport?.loopback ?? 'loopback'})`}.
- \`asyncapi-gen.config.json\`: how the code is generated (see asyncapi-gen's README).
`;
}

export const GITIGNORE = 'node_modules/\ndist/\n';
