// Tar archives built entry by entry, for tests that need entries no archiver
// would write (odd types, names, sizes) or a precise byte layout.
import * as tar from 'tar';

export interface EntryHeader {
  path: string;
  type: string;
  linkpath?: string;
  mode?: number;
}

/** One entry: its header (and a PAX record when the name needs one), its body padded to 512. */
export function tarEntry(h: EntryHeader, body = Buffer.alloc(0)): Buffer {
  const header = new tar.Header({ mode: 0o644, mtime: new Date(0), size: body.length, ...h } as tar.HeaderData);
  const blocks: Buffer[] = [];
  if (header.encode()) blocks.push(new tar.Pax({ path: h.path, linkpath: h.linkpath, size: body.length } as tar.HeaderData).encode());
  blocks.push(header.block as Buffer, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  return Buffer.concat(blocks);
}

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(1024);
