/** Waiting helpers for tests that watch something happen asynchronously (brokers, watchers). */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once `condition()` holds, checking every `pollMs`; fails naming `what` after
 * `timeoutMs`. Each test folder passes the timeout its broker needs.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs: number, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(pollMs);
  }
}
