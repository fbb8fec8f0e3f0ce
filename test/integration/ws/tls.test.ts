/**
 * wss: the server role serves TLS from ASYNCAPI_WS_CERT / ASYNCAPI_WS_KEY, the
 * client role trusts ASYNCAPI_WS_CA. A throwaway self-signed certificate for
 * 127.0.0.1 is made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { patternFor } from '../../../src/runtime/core/address.js';
import { createWebSocketTransport } from '../../../src/runtime/transports/ws.js';
import { collect, eventually, message, text, uniquePrefix } from './helpers.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('\n!!! SKIPPING the wss test: openssl is not installed, so no certificate can be made.\n');
    return false;
  }
}

const available = opensslAvailable();
const directory = mkdtempSync(path.join(os.tmpdir(), 'ws-tls-'));
const TLS_VARIABLES = ['ASYNCAPI_WS_CA', 'ASYNCAPI_WS_CERT', 'ASYNCAPI_WS_KEY'] as const;
const saved = Object.fromEntries(TLS_VARIABLES.map((name) => [name, process.env[name]]));

beforeAll(() => {
  if (!available) return;
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(directory, 'key.pem'), '-out', path.join(directory, 'cert.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
});

afterAll(() => {
  for (const name of TLS_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  rmSync(directory, { recursive: true, force: true });
});

describe.skipIf(!available)('ws transport: wss', () => {
  it('serves TLS from the environment and connects trusting ASYNCAPI_WS_CA', async () => {
    process.env['ASYNCAPI_WS_CERT'] = path.join(directory, 'cert.pem');
    process.env['ASYNCAPI_WS_KEY'] = path.join(directory, 'key.pem');
    const hub = await createWebSocketTransport({ role: 'server', url: 'wss://127.0.0.1:0' });
    delete process.env['ASYNCAPI_WS_CERT'];
    delete process.env['ASYNCAPI_WS_KEY'];
    try {
      expect(hub.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      const untrusting = await createWebSocketTransport({ url: hub.url });
      await expect(untrusting.publish(message('a'))).rejects.toThrow(/self-signed|certificate/);
      await untrusting.close();

      process.env['ASYNCAPI_WS_CA'] = path.join(directory, 'cert.pem');
      const client = await createWebSocketTransport({ url: hub.url });
      try {
        const address = `${uniquePrefix('tls')}/a`;
        const { received } = await collect(hub, patternFor(address, undefined));
        await client.publish(message(address, 'over TLS'));
        await eventually(() => received.length === 1, 'the message over TLS');
        expect(text(received[0]?.payload ?? new Uint8Array())).toBe('over TLS');
      } finally {
        await client.close();
      }
    } finally {
      await hub.close();
    }
  });

  it('refuses to serve wss without a certificate', async () => {
    delete process.env['ASYNCAPI_WS_CERT'];
    delete process.env['ASYNCAPI_WS_KEY'];
    await expect(createWebSocketTransport({ role: 'server', url: 'wss://127.0.0.1:0' })).rejects.toThrow(/ASYNCAPI_WS_CERT/);
  });
});
