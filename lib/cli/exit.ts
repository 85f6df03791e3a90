/** Thrown by a command that has said everything it had to say and only needs to end with this exit code. */
export class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'CliExit';
  }
}
