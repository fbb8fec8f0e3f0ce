/**
 * The conformance scenario over WebSocket: the App's transport serves (role
 * 'server', on a free loopback port) and the Client's transport connects to it.
 */
import { runConformance } from './conformance.scenario.js';
import { createWebSocketTransport } from './transports/ws.js';

export async function runScenario(): Promise<void> {
  const app = await createWebSocketTransport({ role: 'server', url: 'ws://127.0.0.1:0' });
  const client = await createWebSocketTransport({ url: app.url });
  try {
    await runConformance({ app, client });
  } finally {
    await client.close();
    await app.close();
  }
}
