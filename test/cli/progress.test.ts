/** The transient progress line: only on an interactive stderr, only for runs that take a moment, erased at the end. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { ProgressLine } from '../../src/cli/progress.js';

function io(interactive: boolean): { io: CliIO; written: () => string } {
  let text = '';
  return { io: { stdout: () => undefined, stderr: (chunk) => (text += chunk), cwd: '/', color: false, interactive }, written: () => text };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress line', () => {
  it('appears after 300 ms with the current stage, follows the stages, and is erased', () => {
    vi.useFakeTimers();
    const terminal = io(true);
    const progress = new ProgressLine(terminal.io, 'big.yaml');
    progress.update('loading');
    vi.advanceTimersByTime(299);
    expect(terminal.written()).toBe('');
    vi.advanceTimersByTime(1);
    expect(terminal.written()).toBe('\r\u001b[2Kbig.yaml: loading…');
    progress.update('rendering');
    expect(terminal.written()).toContain('big.yaml: rendering…');
    progress.end();
    expect(terminal.written().endsWith('\r\u001b[2K')).toBe(true);
  });

  it('says nothing for a quick run, or when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const quick = io(true);
    const fast = new ProgressLine(quick.io, 'small.yaml');
    fast.update('loading');
    fast.end();
    vi.advanceTimersByTime(1000);
    expect(quick.written()).toBe('');
    const piped = io(false);
    const slow = new ProgressLine(piped.io, 'big.yaml');
    slow.update('loading');
    vi.advanceTimersByTime(1000);
    slow.end();
    expect(piped.written()).toBe('');
  });
});
