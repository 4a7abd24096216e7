'use strict';
// Uploads and downloads as careless or hostile clients make them: raw tar
// entries, uploads cut off mid-entry, gzip bombs, downloads dropped mid-stream.
const http = require('node:http');
const zlib = require('node:zlib');
const { openFds, waitFor } = require('./server-process');

/** One ustar header block (no data): lets callers send archives a packer refuses to make. */
function tarHeader(name, size = 0, type = '0', linkname = '') {
  const h = Buffer.alloc(512);
  const put = (value, offset, length) => h.write(value, offset, length, 'utf8');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  put('00000000000\0', 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A whole archive of small entries: [{ name, body?, type?, linkname? }]. */
function tarArchive(entries) {
  const parts = [];
  for (const e of entries) {
    const body = Buffer.from(e.body || '');
    parts.push(tarHeader(e.name, body.length, e.type || '0', e.linkname || ''));
    if (body.length > 0) parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * A gzip'd tar holding one file of `bytes` zeros: a few MB on the wire that
 * expands to `bytes` (the classic decompression bomb). Built in chunks, so
 * building it never holds more than the compressed result.
 */
function gzipBomb(bytes, level = 1) {
  // Level 1 compresses zeros about 230:1, under node-tar's own 1000:1
  // decompression-ratio refusal: the extracted-size bound has to catch it.
  return new Promise((resolve, reject) => {
    const gz = zlib.createGzip({ level });
    const out = [];
    gz.on('data', (c) => out.push(c));
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.on('error', reject);
    const zeros = Buffer.alloc(1 << 20);
    let left = bytes;
    const pump = () => {
      if (left === bytes) gz.write(tarHeader('bomb.bin', bytes));
      while (left > 0) {
        const n = Math.min(left, zeros.length);
        left -= n;
        if (!gz.write(n === zeros.length ? zeros : zeros.subarray(0, n))) return gz.once('drain', pump);
      }
      gz.end(Buffer.alloc(1024 + ((512 - (bytes % 512)) % 512)));
    };
    pump();
  });
}

/**
 * PUT an archive whose one file announces `announced` bytes, send `sendBytes`
 * of it, wait until the server holds a staging file open (so the abort
 * really lands mid-entry), then cut the connection. Resolves once cut.
 */
function abortedUpload(origin, boxId, { pid, announced = 64 << 20, sendBytes = 1 << 20, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}/v1/boxes/${boxId}/files?path=/upload-${Date.now()}`, {
      method: 'PUT', agent: false,
      headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked', ...headers },
    });
    req.on('error', () => undefined); // we are the ones cutting it
    req.on('response', (res) => { res.resume(); });
    req.write(tarHeader('big.bin', announced));
    const chunk = Buffer.alloc(64 << 10, 0x61);
    let sent = 0;
    const send = () => {
      while (sent < sendBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return req.once('drain', send);
      }
      const holdsStagingFile = () => openFds(pid).links.some((l) => l.includes('boxlite-files-') && l.includes('/in/'));
      waitFor(holdsStagingFile, { timeoutMs: 5_000, everyMs: 5 }).then((held) => {
        req.destroy();
        resolve(Boolean(held));
      }, reject);
    };
    send();
  });
}

/**
 * PUT a body the server may refuse before it is all sent (413): the answer is
 * returned even when the server closes the connection under our feet.
 */
function putTolerant(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/x-tar', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => setTimeout(() => { if (!answered) reject(err); }, 1000));
    req.end(body);
  });
}

/** GET a file, read `readBytes` of the answer, then cut the connection. Resolves with the status seen. */
function abortedDownload(origin, boxId, guestPath, { readBytes = 1 << 20, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${origin}/v1/boxes/${boxId}/files?path=${encodeURIComponent(guestPath)}`, { agent: false, headers }, (res) => {
      let got = 0;
      res.on('data', (c) => {
        got += c.length;
        if (got >= readBytes) {
          req.destroy();
          resolve(res.statusCode);
        }
      });
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(res.statusCode));
    });
    req.on('error', (err) => (err.code === 'ECONNRESET' ? resolve(0) : reject(err)));
  });
}

/** GET a file and count the answer's bytes without keeping them. */
function streamedDownload(origin, boxId, guestPath, { headers = {}, onFirstByte } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${origin}/v1/boxes/${boxId}/files?path=${encodeURIComponent(guestPath)}`, { agent: false, headers }, (res) => {
      let bytes = 0;
      const head = [];
      res.on('data', (c) => {
        if (bytes === 0 && onFirstByte) onFirstByte();
        if (bytes < 4096) head.push(c);
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode, bytes, head: Buffer.concat(head).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

module.exports = { tarHeader, tarArchive, gzipBomb, putTolerant, abortedUpload, abortedDownload, streamedDownload };
