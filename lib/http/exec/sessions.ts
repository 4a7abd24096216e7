// Executions tracked per box. Lookups answer what the REST API promises:
// 404 for an id this server never issued (or one that was killed/evicted or
// whose box was removed), 410 for one reaped for idleness.
import { NotFoundError, SessionReapedError } from '../../errors/errors';
import type { Execution } from '../../runtime/runtime-types';
import { httpError } from '../protocol/http-error';
import { ExecSession, type SessionTimings } from './exec-session';
import { OutputQueueBudget } from './output-queue-budget';

/** Ids of reaped sessions remembered for their 410 answers (oldest forgotten first). */
const MAX_REAPED_REMEMBERED = 10_000;
/**
 * How long a killed (DELETEd) execution can still be attached to, for its
 * exit frame only (ms). The official client kills right after exec returns,
 * often before its attach arrives; that attach should learn the exit code,
 * not a 404.
 */
const KILLED_ATTACHABLE_MS = 60_000;
/** How long handler shutdown waits for each kill before giving up on it (ms). */
const SHUTDOWN_KILL_WAIT_MS = 5_000;

export interface NewSession {
  boxId: string;
  boxName: string | null;
  tty: boolean;
  timeoutSecs: number;
  /** When the exec was asked for (ms since the epoch). */
  startedAt?: number;
}

export class SessionRegistry {
  private readonly byId = new Map<string, ExecSession>();
  private readonly byBox = new Map<string, Set<ExecSession>>();
  private readonly reapedIds = new Map<string, string>();
  /** Killed through DELETE: gone from the API, still attachable for the exit frame. */
  private readonly killed = new Map<string, { session: ExecSession; timer: NodeJS.Timeout }>();
  /** Reaped but maybe still inside their SIGHUP grace period. */
  private readonly reaping = new Set<ExecSession>();
  private readonly timings: SessionTimings;
  private readonly onBackgroundError: (err: unknown) => void;
  /** Unread output queued by all sessions together (bytes). */
  readonly queueBudget: OutputQueueBudget;
  private readonly onReap: ((session: ExecSession) => void) | undefined;
  /** closeAll() ran: executions spawned by requests still in flight are refused. */
  private closed = false;

  /** `onReap` is told of every idle execution reaped (the boxlite:exec.reap event). */
  constructor(timings: SessionTimings, onBackgroundError: (err: unknown) => void, onReap?: (session: ExecSession) => void) {
    this.timings = timings;
    this.onBackgroundError = onBackgroundError;
    this.queueBudget = new OutputQueueBudget(timings.maxBufferedTotalBytes);
    this.onReap = onReap;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Registers `execution`; after closeAll() it is killed instead and this throws 503. */
  add(execution: Execution, info: NewSession): ExecSession {
    if (this.closed) {
      // Spawned by a POST /exec that was in flight while the handler closed:
      // registered now, nothing would ever kill, reap or read it.
      execution.stdout.destroy();
      execution.stderr.destroy();
      execution.kill().catch(this.onBackgroundError);
      throw httpError(503, 'engine reported an error: this BoxLite handler is closed');
    }
    const session = new ExecSession(execution, {
      ...info,
      timings: this.timings,
      onIdle: (s) => this.reap(s),
      onBackgroundError: this.onBackgroundError,
      queueBudget: this.queueBudget,
    });
    this.byId.set(session.id, session);
    let set = this.byBox.get(session.boxId);
    if (!set) this.byBox.set(session.boxId, (set = new Set()));
    set.add(session);
    return session;
  }

  /** The session for `execId` under box `boxIdOrName`; throws NotFound (404) or SessionReaped (410). */
  lookup(boxIdOrName: string, execId: string): ExecSession {
    const session = this.byId.get(execId);
    if (session !== undefined && (session.boxId === boxIdOrName || session.boxName === boxIdOrName)) return session;
    if (session === undefined && this.reapedIds.get(execId) !== undefined) {
      throw new SessionReapedError(`session reaped: execution ${execId} was idle (nobody attached or polled) and was reaped`);
    }
    throw new NotFoundError(`box not found: execution ${execId} not found in box ${boxIdOrName}`);
  }

  private forget(session: ExecSession): void {
    if (this.byId.get(session.id) === session) this.byId.delete(session.id);
    const set = this.byBox.get(session.boxId);
    if (set) {
      set.delete(session);
      if (set.size === 0) this.byBox.delete(session.boxId);
    }
  }

  private reap(session: ExecSession): void {
    this.forget(session);
    this.reapedIds.set(session.id, session.boxId);
    if (this.reapedIds.size > MAX_REAPED_REMEMBERED) {
      const oldest = this.reapedIds.keys().next().value;
      if (oldest !== undefined) this.reapedIds.delete(oldest);
    }
    this.reaping.add(session);
    session.done.then(() => this.reaping.delete(session), () => this.reaping.delete(session));
    session.reap();
    if (this.onReap !== undefined) {
      try {
        this.onReap(session);
      } catch { /* an observer must not stop the reaper */ }
    }
  }

  /**
   * The session an attach may join: a live one, or one killed moments ago
   * (which answers with its exit frame at once).
   */
  lookupForAttach(boxIdOrName: string, execId: string): ExecSession {
    const killed = this.killed.get(execId)?.session;
    if (killed !== undefined && (killed.boxId === boxIdOrName || killed.boxName === boxIdOrName)) return killed;
    return this.lookup(boxIdOrName, execId);
  }

  /** DELETE .../executions/{id}: SIGKILL and evict (later requests: 404; a late attach gets the exit frame). */
  async evict(session: ExecSession): Promise<void> {
    await session.evict();
    this.forget(session);
    const timer = setTimeout(() => this.killed.delete(session.id), KILLED_ATTACHABLE_MS);
    timer.unref();
    this.killed.set(session.id, { session, timer });
  }

  private forgetKilled(filter: (s: ExecSession) => boolean): void {
    for (const [id, { session, timer }] of this.killed) {
      if (!filter(session)) continue;
      clearTimeout(timer);
      this.killed.delete(id);
    }
  }

  /**
   * A stopped box's executions end with it (the engine kills them); their
   * slots come back once each process is gone, while whatever output they
   * left unread stays readable (attach) until it is read or reaped.
   */
  boxStopped(boxId: string): void {
    const set = this.byBox.get(boxId);
    if (!set) return;
    for (const session of set) session.freeSlotWhenProcessGone();
  }

  /** A removed box takes its executions with it. */
  dropBox(boxId: string): void {
    const set = this.byBox.get(boxId);
    if (!set) return;
    for (const session of [...set]) {
      this.forget(session);
      session.markEvicted();
      session.kill().catch(this.onBackgroundError);
    }
    for (const [id, owner] of this.reapedIds) if (owner === boxId) this.reapedIds.delete(id);
    this.forgetKilled((s) => s.boxId === boxId);
  }

  /** Handler shutdown: kill everything still running, close sockets, clear timers. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const sessions = [...this.byId.values(), ...this.reaping, ...[...this.killed.values()].map((k) => k.session)];
    this.forgetKilled(() => true);
    this.byId.clear();
    this.reaping.clear();
    this.byBox.clear();
    this.reapedIds.clear();
    await Promise.all(sessions.map((s) => withTimeout(s.shutdown(), SHUTDOWN_KILL_WAIT_MS)));
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(() => { clearTimeout(timer); resolve(); }, () => { clearTimeout(timer); resolve(); });
  });
}
