// Output chunks that carry one spare byte in front of their data.
//
// The addon hands each output chunk to JS in a buffer one byte longer than
// the data, the data from offset 1 (src/runtime_core.cc, JsChunk). The
// execution's streams get the view from offset 1, so readers see only their
// bytes; the spare byte is the REST attach's: it writes its channel byte there
// and sends [channel] + data as one WebSocket message without copying the
// data a second time. Only chunks registered here are known to own that byte;
// any other Buffer (a slice a stream made, a foreign runtime's) is copied.

const owned = new WeakSet<Buffer>();

/** The data view of a chunk the addon delivered with a spare leading byte. */
export function dataOfChunk(chunk: Buffer): Buffer {
  const data = chunk.subarray(1);
  owned.add(data);
  return data;
}

/**
 * `[header] + data` as one Buffer: in place over the spare byte when `data`
 * owns one (no copy), else a fresh copy.
 */
export function prependByte(header: number, data: Buffer): Buffer {
  if (owned.has(data)) {
    // Spent: a second frame over the same byte would overwrite the first's header.
    owned.delete(data);
    const frame = Buffer.from(data.buffer, data.byteOffset - 1, data.length + 1);
    frame[0] = header;
    return frame;
  }
  const frame = Buffer.allocUnsafe(data.length + 1);
  frame[0] = header;
  data.copy(frame, 1);
  return frame;
}
