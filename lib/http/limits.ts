// Caps on what one handler lets clients hold at once: running executions (per
// box and in total), boxes, attached WebSockets and file transfers. A request
// past a cap is answered 429 resource_exhausted with Retry-After (through the
// classifier: ResourceExhaustedError is code 20), before any engine work, so
// the server never walks into EMFILE/ENOMEM and keeps serving everything else.
//
// Every slot is taken synchronously (check and count in one step, no await in
// between), so concurrent requests cannot overshoot a cap, and every slot is
// handed back through a release function that is safe to call twice.
import { readFileSync } from 'node:fs';
import { ResourceExhaustedError } from '../errors/errors';

export interface LimitSettings {
  maxExecutions: number;
  maxExecutionsPerBox: number;
  maxBoxes: number;
  maxAttachSockets: number;
  maxFileTransfers: number;
}

export type Release = () => void;

/** Roughly what one running execution holds in the engine (pipes, pidfd, wake pipe), with margin. */
const FDS_PER_EXECUTION = 8;
/** Descriptors kept aside for sockets, staging files and the runtime itself. */
const FDS_RESERVED = 256;
export const DEFAULT_MAX_EXECUTIONS = 512;

/** This process's soft RLIMIT_NOFILE (Linux /proc), or null where it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    const n = soft === undefined ? NaN : Number(soft);
    return Number.isFinite(n) && n > 0 ? n : null; // "unlimited" -> null
  } catch {
    return null;
  }
}

/**
 * The default server-wide cap on running executions: 512, lowered when the
 * process's descriptor limit could not hold that many (so the cap answers 429
 * well before the engine would hit EMFILE).
 */
export function defaultMaxExecutions(fdLimit: number | null = openFileLimit()): number {
  if (fdLimit === null) return DEFAULT_MAX_EXECUTIONS;
  return Math.max(1, Math.min(DEFAULT_MAX_EXECUTIONS, Math.floor((fdLimit - FDS_RESERVED) / FDS_PER_EXECUTION)));
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

function exhausted(what: string, limit: number, option: string): ResourceExhaustedError {
  return new ResourceExhaustedError(`resource exhausted: ${what} (limit ${limit}, option ${option}); retry later`);
}

export class Limits {
  readonly settings: LimitSettings;
  private executions = 0;
  private readonly executionsByBox = new Map<string, number>();
  private pendingBoxes = 0;
  /** Boxes this handler created, ever (see boxCountMark). */
  private boxesCreated = 0;
  private attachSockets = 0;
  private fileTransfers = 0;

  constructor(settings: LimitSettings) {
    this.settings = settings;
  }

  /** A running-execution slot in `boxId`; throws 429 past either cap. */
  acquireExecution(boxId: string): Release {
    const { maxExecutions, maxExecutionsPerBox } = this.settings;
    if (this.executions >= maxExecutions) {
      throw exhausted(`${this.executions} executions are running on this server`, maxExecutions, 'maxExecutions');
    }
    const inBox = this.executionsByBox.get(boxId) ?? 0;
    if (inBox >= maxExecutionsPerBox) {
      throw exhausted(`${inBox} executions are running in box ${boxId}`, maxExecutionsPerBox, 'maxExecutionsPerBox');
    }
    this.executions++;
    this.executionsByBox.set(boxId, inBox + 1);
    return once(() => {
      this.executions--;
      const n = (this.executionsByBox.get(boxId) ?? 1) - 1;
      if (n <= 0) this.executionsByBox.delete(boxId);
      else this.executionsByBox.set(boxId, n);
    });
  }

  /** Taken before listing the boxes that exist, for acquireBoxCreation. */
  boxCountMark(): number {
    return this.boxesCreated;
  }

  /**
   * A slot for one box being created, given `listed` boxes seen by a listing
   * that started at `mark`. Creates that finished since the mark count too (the
   * listing may have missed them), as do creates in flight: the count can
   * only err high, never let a cap be overshot. The release says whether the
   * box was created.
   */
  acquireBoxCreation(listed: number, mark: number): (created: boolean) => void {
    const { maxBoxes } = this.settings;
    const existing = listed + (this.boxesCreated - mark);
    if (existing + this.pendingBoxes >= maxBoxes) {
      throw exhausted(`${existing} boxes exist (${this.pendingBoxes} being created)`, maxBoxes, 'maxBoxes');
    }
    this.pendingBoxes++;
    let done = false;
    return (created: boolean) => {
      if (done) return;
      done = true;
      this.pendingBoxes--;
      if (created) this.boxesCreated++;
    };
  }

  acquireAttachSocket(): Release {
    const { maxAttachSockets } = this.settings;
    if (this.attachSockets >= maxAttachSockets) {
      throw exhausted(`${this.attachSockets} WebSockets are attached`, maxAttachSockets, 'maxAttachSockets');
    }
    this.attachSockets++;
    return once(() => { this.attachSockets--; });
  }

  acquireFileTransfer(): Release {
    const { maxFileTransfers } = this.settings;
    if (this.fileTransfers >= maxFileTransfers) {
      throw exhausted(`${this.fileTransfers} file transfers are in progress`, maxFileTransfers, 'maxFileTransfers');
    }
    this.fileTransfers++;
    return once(() => { this.fileTransfers--; });
  }

  /** Current counts, for tests and metrics. */
  usage(): { executions: number; attachSockets: number; fileTransfers: number; pendingBoxes: number } {
    return { executions: this.executions, attachSockets: this.attachSockets, fileTransfers: this.fileTransfers, pendingBoxes: this.pendingBoxes };
  }
}
