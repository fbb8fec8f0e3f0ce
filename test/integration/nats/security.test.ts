/**
 * Server selection and credentials, through generated code (so the document's
 * servers.ts is real): the factory with no arguments connects to the
 * document's server, and its security schemes map to nats.js credentials.
 * Runs private nats-servers with authentication, started and stopped here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateInto } from '../../support/generated.js';
import { brokerAvailable } from '../../support/brokers.js';
import { eventually, message, pattern, collector, uniqueId } from './helpers.js';

type NatsModule = typeof import('../../../src/runtime/transports/nats.js');

const NATS_SERVER = '/usr/sbin/nats-server';
const available = await brokerAvailable('nats');
if (available && !existsSync(NATS_SERVER)) {
  console.warn(`\n!!! SKIPPING NATS security tests: ${NATS_SERVER} is missing.\n`);
}

const DOCUMENT = `asyncapi: 3.0.0
info: { title: Secured, version: '1.0.0' }
servers:
  secured:
    host: '127.0.0.1:{port}'
    protocol: nats
    variables: { port: { default: '4222' } }
    security: [{ $ref: '#/components/securitySchemes/userPass' }]
  tokenServer:
    host: '127.0.0.1:{port}'
    protocol: nats
    variables: { port: { default: '4222' } }
    security: [{ $ref: '#/components/securitySchemes/apiToken' }]
channels:
  notes:
    address: notes
    messages:
      note: { payload: { type: string } }
operations:
  sendNote:
    action: send
    channel: { $ref: '#/channels/notes' }
components:
  securitySchemes:
    userPass: { type: userPassword }
    apiToken: { type: httpApiKey, name: Authorization, in: header }
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startServer(authArgs: string[]): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), ...authArgs], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline) throw new Error(`nats-server did not start on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, process: child };
}

/** Sets environment variables for one test, then puts the old values back. */
async function withEnv<T>(values: Record<string, string>, action: () => Promise<T>): Promise<T> {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  try {
    return await action();
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe.skipIf(!available || !existsSync(NATS_SERVER))('NATS server selection and credentials', () => {
  let nats: NatsModule;
  let userServer: { port: number; process: ChildProcess };
  let tokenServer: { port: number; process: ChildProcess };
  let specDir: string | undefined;

  beforeAll(async () => {
    specDir = mkdtempSync(path.join(os.tmpdir(), 'asyncapi-gen-nats-security-'));
    const spec = path.join(specDir, 'asyncapi.yaml');
    writeFileSync(spec, DOCUMENT);
    const [{ dir }, users, tokens] = await Promise.all([
      generateInto('security-nats', spec, { transports: ['nats'] }),
      startServer(['--user', 'alice', '--pass', 's3cret']),
      startServer(['--auth', 't0ken']),
    ]);
    userServer = users;
    tokenServer = tokens;
    nats = (await import(pathToFileURL(path.join(dir, 'transports', 'nats.ts')).href)) as NatsModule;
  }, 60_000);

  afterAll(() => {
    userServer?.process.kill();
    tokenServer?.process.kill();
    if (specDir !== undefined) rmSync(specDir, { recursive: true, force: true });
  });

  it('refuses to connect without the credentials the server requires, and says what to set', async () => {
    await withEnv({ ASYNCAPI_SERVER_SECURED_PORT: String(userServer.port) }, async () => {
      await expect(nats.createNatsTransport()).rejects.toThrow(/server 'secured' requires credentials.*ASYNCAPI_NATS_USER and ASYNCAPI_NATS_PASSWORD/s);
    });
  });

  it('with no arguments connects to the first server with user and password from the environment', async () => {
    const transport = await withEnv(
      { ASYNCAPI_SERVER_SECURED_PORT: String(userServer.port), ASYNCAPI_NATS_USER: 'alice', ASYNCAPI_NATS_PASSWORD: 's3cret' },
      () => nats.createNatsTransport(),
    );
    try {
      expect(transport.connection.getServer()).toBe(`127.0.0.1:${userServer.port}`);
      const got = collector();
      await transport.subscribe(pattern('notes'), got.handler);
      await transport.publish(message('notes', '"hello"'));
      await eventually(() => got.received.length === 1, 'the note');
    } finally {
      await transport.close();
    }
  });

  it('rejects wrong credentials with the reason', async () => {
    await withEnv(
      { ASYNCAPI_SERVER_SECURED_PORT: String(userServer.port), ASYNCAPI_NATS_USER: 'alice', ASYNCAPI_NATS_PASSWORD: 'wrong' },
      async () => {
        await expect(nats.createNatsTransport({ maxReconnectAttempts: 0 })).rejects.toThrow(/cannot connect to NATS at 127\.0\.0\.1:\d+: .*[Aa]uthorization/);
      },
    );
  });

  it('takes credentials from the url', async () => {
    const transport = await nats.createNatsTransport({ url: `nats://alice:s3cret@127.0.0.1:${userServer.port}` });
    await transport.close();
  });

  it('maps an httpApiKey scheme to a NATS token (server chosen by name)', async () => {
    await withEnv({ ASYNCAPI_SERVER_TOKENSERVER_PORT: String(tokenServer.port) }, async () => {
      await expect(nats.createNatsTransport({ server: 'tokenServer' })).rejects.toThrow(/ASYNCAPI_NATS_TOKEN/);
    });
    const transport = await withEnv(
      { ASYNCAPI_SERVER_TOKENSERVER_PORT: String(tokenServer.port), ASYNCAPI_NATS_TOKEN: 't0ken' },
      () => nats.createNatsTransport({ server: 'tokenServer' }),
    );
    try {
      const subject = `notes.${uniqueId()}`;
      const got = collector();
      await transport.subscribe(pattern(subject), got.handler);
      await transport.publish(message(subject, '"x"'));
      await eventually(() => got.received.length === 1, 'the note over the token connection');
    } finally {
      await transport.close();
    }
  });

  it('lets explicit nats.js credentials skip the check', async () => {
    await withEnv({ ASYNCAPI_SERVER_SECURED_PORT: String(userServer.port) }, async () => {
      const transport = await nats.createNatsTransport({ user: 'alice', pass: 's3cret' });
      await transport.close();
    });
  });
});
