/** What the CLI needs from the process, injected so it runs in-process in tests. */
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  /** Whether colours may be used on stderr. */
  readonly color: boolean;
  /** Ends long-running commands (`generate --watch`); the bin aborts it on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** stderr is a terminal: a transient progress line may be shown (and erased) during long runs. */
  readonly interactive?: boolean;
  /** Asks the person at the terminal to pick one of `choices`; absent when nobody can answer (no TTY, CI). */
  readonly ask?: (question: string, choices: ReadonlyArray<string>, fallback: string) => Promise<string>;
}

export const EXIT_SUCCESS = 0;
/** The document is invalid (or, with --check, the output has drifted). */
export const EXIT_INVALID = 1;
/** Bad usage, or a file could not be read or written. */
export const EXIT_USAGE = 2;
/** A bug in asyncapi-gen. */
export const EXIT_INTERNAL = 3;
