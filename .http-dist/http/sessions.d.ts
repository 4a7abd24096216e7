import type { Execution } from '../runtime-types';
import { ExecSession, type SessionTimings } from './exec-session';
export interface NewSession {
    boxId: string;
    boxName: string | null;
    tty: boolean;
    timeoutSecs: number;
}
export declare class SessionRegistry {
    private readonly byId;
    private readonly byBox;
    private readonly reapedIds;
    /** Killed through DELETE: gone from the API, still attachable for the exit frame. */
    private readonly killed;
    /** Reaped but maybe still inside their SIGHUP grace period. */
    private readonly reaping;
    private readonly timings;
    private readonly onBackgroundError;
    constructor(timings: SessionTimings, onBackgroundError: (err: unknown) => void);
    get size(): number;
    add(execution: Execution, info: NewSession): ExecSession;
    /** The session for `execId` under box `boxIdOrName`; throws NotFound (404) or SessionReaped (410). */
    lookup(boxIdOrName: string, execId: string): ExecSession;
    private forget;
    private reap;
    /**
     * The session an attach may join: a live one, or one killed moments ago
     * (which answers with its exit frame at once).
     */
    lookupForAttach(boxIdOrName: string, execId: string): ExecSession;
    /** DELETE .../executions/{id}: SIGKILL and evict (later requests: 404; a late attach gets the exit frame). */
    evict(session: ExecSession): Promise<void>;
    private forgetKilled;
    /** A removed box takes its executions with it. */
    dropBox(boxId: string): void;
    /** Handler shutdown: kill everything still running, close sockets, clear timers. */
    closeAll(): Promise<void>;
}
