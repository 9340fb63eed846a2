/**
 * What a CLI subcommand gets from the process. Subcommands never touch `process` directly, so
 * tests can run them in-process and capture their output.
 *
 * Streams follow autocannon's habit: progress and messages go to `stderr`; a machine-readable
 * result (when a command has one) goes to `stdout`.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM; long work must stop and clean up when it fires. */
  signal: AbortSignal;
}

/** A subcommand: parses its own arguments, returns the exit code of DESIGN.md (0, 1, 2 or 3). */
export type CliCommand = (args: string[], io: CliIO) => Promise<number>;
