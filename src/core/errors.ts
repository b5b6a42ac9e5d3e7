/**
 * An error caused by what the user asked for (bad input, a parameter out of range, a backend that
 * cannot run). Front ends show `message` as one line and, in the CLI, exit with code 2.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Text of any thrown value, without a stack trace. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
