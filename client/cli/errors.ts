/** The CLI's failures and the exit codes they map to. */

/** Exit codes: scripts rely on them. */
export const EXIT = {
  ok: 0,
  server: 1,
  usage: 2,
  notFound: 3,
  validation: 4,
  conflict: 5,
  auth: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure with its exit code; `details` are printed one per line under the message. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}
