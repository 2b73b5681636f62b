// What every `mailroom` command shares: its output, its way to stop with an exit code, DATABASE_URL.

/** Thrown by a command to stop with a message and an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where progress bars are drawn, when stderr is a terminal. */
  terminal?: NodeJS.WriteStream | undefined;
}

/** DATABASE_URL, or a CliError that shows how to set it for `command` (e.g. `npm run db:migrate`). */
export function requireDatabaseUrl(env: NodeJS.ProcessEnv, command: string): string {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    throw new CliError(
      `DATABASE_URL is not set. Set it (or put it in .env), e.g.\n  DATABASE_URL=mysql://mailroom:secret@127.0.0.1:3306/mailroom ${command}`,
      2,
    );
  }
  return url;
}
