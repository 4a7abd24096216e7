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
import { ResourceExhaustedError } from '../../errors/errors';
import type { LimitName } from '../../observability/channels';

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

/**
 * The soft RLIMIT_NOFILE in a Linux `/proc/<pid>/limits` file (this process's
 * by default), or null where it cannot be read, is missing or is not a
 * positive number ("unlimited").
 */
export function openFileLimit(limitsFile = '/proc/self/limits'): number | null {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return null; // not Linux, or no /proc
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  // Columns are padded with spaces (never tabs): the soft limit is the first field after the name.
  const soft = line?.slice('Max open files'.length).trim().split(' ')[0];
  const n = Number(soft); // no such line: Number(undefined) is NaN
  return Number.isFinite(n) && n > 0 ? n : null;
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

function exhausted(what: string, limit: number, option: LimitName): ResourceExhaustedError {
  return new ResourceExhaustedError(`resource exhausted: ${what} (limit ${limit}, option ${option}); retry later`);
}

/**
 * Told of every refusal (for the boxlite:limit.rejection event and metrics):
 * the option, its value, and what was held when the request came.
 */
export type OnLimitRejection = (limit: LimitName, max: number, current: number) => void;

export class Limits {
  readonly settings: LimitSettings;
  private executions = 0;
  private readonly executionsByBox = new Map<string, number>();
  private pendingBoxes = 0;
  /** Boxes this handler created, ever (see boxCountMark). */
  private boxesCreated = 0;
  private attachSockets = 0;
  private fileTransfers = 0;
  private readonly onRejection: OnLimitRejection;

  constructor(settings: LimitSettings, onRejection: OnLimitRejection = () => undefined) {
    this.settings = settings;
    this.onRejection = onRejection;
  }

  /** The 429 for `limit`, reported first. */
  private refuse(what: string, limit: LimitName, current: number): ResourceExhaustedError {
    const max = this.settings[limit];
    try {
      this.onRejection(limit, max, current);
    } catch { /* an observer must not change the answer */ }
    return exhausted(what, max, limit);
  }

  /** A running-execution slot in `boxId`; throws 429 past either cap. */
  acquireExecution(boxId: string): Release {
    const { maxExecutions, maxExecutionsPerBox } = this.settings;
    if (this.executions >= maxExecutions) {
      throw this.refuse(`${this.executions} executions are running on this server`, 'maxExecutions', this.executions);
    }
    const inBox = this.executionsByBox.get(boxId) ?? 0;
    if (inBox >= maxExecutionsPerBox) {
      throw this.refuse(`${inBox} executions are running in box ${boxId}`, 'maxExecutionsPerBox', inBox);
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
      throw this.refuse(`${existing} boxes exist (${this.pendingBoxes} being created)`, 'maxBoxes', existing + this.pendingBoxes);
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
      throw this.refuse(`${this.attachSockets} WebSockets are attached`, 'maxAttachSockets', this.attachSockets);
    }
    this.attachSockets++;
    return once(() => { this.attachSockets--; });
  }

  acquireFileTransfer(): Release {
    const { maxFileTransfers } = this.settings;
    if (this.fileTransfers >= maxFileTransfers) {
      throw this.refuse(`${this.fileTransfers} file transfers are in progress`, 'maxFileTransfers', this.fileTransfers);
    }
    this.fileTransfers++;
    return once(() => { this.fileTransfers--; });
  }

  /**
   * Current counts, for tests and metrics. `boxesWithExecutions` is how many
   * boxes the per-box count tracks: a box's entry goes when its last execution
   * ends, so the map does not grow with every box ever used.
   */
  usage(): { executions: number; boxesWithExecutions: number; attachSockets: number; fileTransfers: number; pendingBoxes: number } {
    return {
      executions: this.executions,
      boxesWithExecutions: this.executionsByBox.size,
      attachSockets: this.attachSockets,
      fileTransfers: this.fileTransfers,
      pendingBoxes: this.pendingBoxes,
    };
  }
}
