// The output-limit kill as wait() reports it. Its own file so that both
// runtimes (the embedded one in runtime.ts and the remote one in lib/remote/)
// raise the same class without importing each other.
import { ResourceExhaustedError } from '../errors/errors';

/** The output-limit kill, as wait() reports it. */
export class OutputLimitError extends ResourceExhaustedError {
  /** The exit code of the killed process. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
