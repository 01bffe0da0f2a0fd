/** A step failed; `output` (e.g. the HTTP response of a 500) is still worth logging. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly output?: unknown,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}
