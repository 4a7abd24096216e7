import type { Readable } from 'node:stream';
/** Extract the tar stream `source` into the empty directory `dir`; rejects with a 400 for a refused archive. */
export declare function extractTar(source: Readable, dir: string): Promise<void>;
/** A tar stream of the entries directly inside `dir` (symlinks kept as links). */
export declare function packDirectory(dir: string): Promise<Readable>;
/** A guest path from `?path=`: absolute, no NUL, no `..` segment. */
export declare function checkGuestPath(raw: string | undefined): string;
