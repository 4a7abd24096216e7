// The decisions of lib/http/protocol/pagination.ts, taken directly (issue 12): which
// page sizes answer 400, the order pages are cut from, where a page starts
// and whether it has a next one, and which page tokens are refused. Forged
// tokens are made with a known key, so each check of `verify` is met by a
// token that passes every other check (a correct MAC included).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpStatusError } from '../lib/http/protocol/http-error';
import {
  DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageCursor, PageTokens, compareCursor, listingBinding, pageOf, parsePageSize,
} from '../lib/http/protocol/pagination';

function expect400(value: unknown, message: string): void {
  expect(value).toBeInstanceOf(HttpStatusError);
  expect((value as HttpStatusError).status).toBe(400);
  expect((value as HttpStatusError).message).toBe(message);
}

describe('parsePageSize', () => {
  const range = (raw: string) => `invalid argument: pageSize must be an integer between 1 and 1000, got ${JSON.stringify(raw)}`;
  const bounds = (n: number) => `invalid argument: pageSize must be between 1 and 1000, got ${n}`;

  it('is 100 when absent', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(100);
    expect(parsePageSize(undefined)).toBe(100);
  });

  it('accepts 1 through 1000, leading zeros included', () => {
    expect(MAX_PAGE_SIZE).toBe(1000);
    expect(parsePageSize('1')).toBe(1);
    expect(parsePageSize('2')).toBe(2);
    expect(parsePageSize('999')).toBe(999);
    expect(parsePageSize('1000')).toBe(1000);
    expect(parsePageSize('0001000')).toBe(1000); // 7 digits
  });

  it('refuses 0 and 1001 with the range', () => {
    expect400(parsePageSize('0'), bounds(0));
    expect400(parsePageSize('000'), bounds(0));
    expect400(parsePageSize('1001'), bounds(1001));
    expect400(parsePageSize('9999999'), bounds(9999999)); // 7 digits: read, then out of range
  });

  it('refuses 8 digits or more before reading them as a number', () => {
    expect400(parsePageSize('00000001'), range('00000001'));
    expect400(parsePageSize('12345678'), range('12345678'));
  });

  it('refuses anything but ASCII digits, quoting at most 32 characters', () => {
    for (const raw of ['', ' 1', '1 ', '-1', '+1', '1.0', '1e2', '0x10', 'ten', '１']) {
      expect400(parsePageSize(raw), range(raw));
    }
    const long = 'x'.repeat(100);
    expect400(parsePageSize(long), range('x'.repeat(32)));
  });
});

describe('compareCursor: a total order by createdAt, then id', () => {
  it('orders by createdAt first, whatever the ids say', () => {
    expect(compareCursor({ createdAt: 1, id: 'z' }, { createdAt: 2, id: 'a' })).toBe(-1);
    expect(compareCursor({ createdAt: 2, id: 'a' }, { createdAt: 1, id: 'z' })).toBe(1);
    expect(compareCursor({ createdAt: -5, id: 'b' }, { createdAt: 0, id: 'b' })).toBe(-1);
  });

  it('orders by id when createdAt ties, and is 0 only for the same key', () => {
    expect(compareCursor({ createdAt: 7, id: 'a' }, { createdAt: 7, id: 'b' })).toBe(-1);
    expect(compareCursor({ createdAt: 7, id: 'b' }, { createdAt: 7, id: 'a' })).toBe(1);
    expect(compareCursor({ createdAt: 7, id: 'ab' }, { createdAt: 7, id: 'ab' })).toBe(0);
    expect(compareCursor({ createdAt: 7, id: 'a' }, { createdAt: 7, id: 'ab' })).toBe(-1);
  });

  it('is antisymmetric and transitive over a grid of keys', () => {
    const keys: PageCursor[] = [];
    for (const createdAt of [0, 1, 2]) for (const id of ['', 'a', 'b', 'ba']) keys.push({ createdAt, id });
    for (const a of keys) {
      for (const b of keys) {
        expect(compareCursor(a, b)).toBe(-compareCursor(b, a) || 0);
        for (const c of keys) {
          if (compareCursor(a, b) < 0 && compareCursor(b, c) < 0) expect(compareCursor(a, c)).toBe(-1);
        }
      }
    }
  });
});

describe('pageOf', () => {
  type Item = { id: string; t: number };
  const cursorOf = (i: Item): PageCursor => ({ createdAt: i.t, id: i.id });
  // Given out of order, with ties on createdAt broken by id.
  const items: Item[] = [
    { id: 'e', t: 30 }, { id: 'b', t: 10 }, { id: 'd', t: 20 }, { id: 'a', t: 10 }, { id: 'c', t: 20 }, { id: 'f', t: 40 },
  ];
  const ids = (p: { items: Item[] }) => p.items.map((i) => i.id).join('');

  it('sorts, and cuts the first page from the start', () => {
    const p = pageOf(items, cursorOf, 4, null);
    expect(ids(p)).toBe('abcd');
    expect(p.next).toEqual({ createdAt: 20, id: 'd' });
  });

  it('a whole list in one page has no next page', () => {
    const p = pageOf(items, cursorOf, 100, null);
    expect(ids(p)).toBe('abcdef');
    expect(p.next).toBeNull();
  });

  it('starts strictly after the cursor, in the middle', () => {
    const p = pageOf(items, cursorOf, 2, { createdAt: 10, id: 'b' });
    expect(ids(p)).toBe('cd');
    expect(p.next).toEqual({ createdAt: 20, id: 'd' });
  });

  it('a cursor between two items (its item removed) starts at the next one', () => {
    expect(ids(pageOf(items, cursorOf, 10, { createdAt: 20, id: 'c0' }))).toBe('def');
    expect(ids(pageOf(items, cursorOf, 10, { createdAt: 15, id: 'zzz' }))).toBe('cdef');
  });

  it('a cursor past the end gives an empty last page', () => {
    const p = pageOf(items, cursorOf, 3, { createdAt: 99, id: 'x' });
    expect(p).toEqual({ items: [], next: null });
    expect(pageOf(items, cursorOf, 3, { createdAt: 40, id: 'f' })).toEqual({ items: [], next: null });
  });

  it('an exact multiple of the page size ends without a next page', () => {
    const first = pageOf(items, cursorOf, 3, null);
    expect(ids(first)).toBe('abc');
    expect(first.next).toEqual({ createdAt: 20, id: 'c' });
    const second = pageOf(items, cursorOf, 3, first.next);
    expect(ids(second)).toBe('def');
    expect(second.next).toBeNull();
  });

  it('one item short of a full last page still has a next page', () => {
    const p = pageOf(items, cursorOf, 5, null);
    expect(ids(p)).toBe('abcde');
    expect(p.next).toEqual({ createdAt: 30, id: 'e' });
    expect(pageOf(items, cursorOf, 5, p.next)).toEqual({ items: [items[5]], next: null });
  });

  it('walking page by page serves every item once, in order', () => {
    for (const size of [1, 2, 3, 4, 5, 6, 7]) {
      const seen: string[] = [];
      let after: PageCursor | null = null;
      for (let i = 0; i < 10; i++) { // bounded
        const p: { items: Item[]; next: PageCursor | null } = pageOf(items, cursorOf, size, after);
        seen.push(ids(p));
        if (p.next === null) break;
        after = p.next;
      }
      expect(seen.join(''), `pageSize ${size}`).toBe('abcdef');
    }
  });

  it('an empty list, and a zero page size, give an empty last page', () => {
    expect(pageOf([], cursorOf, 5, null)).toEqual({ items: [], next: null });
    expect(pageOf(items, cursorOf, 0, null)).toEqual({ items: [], next: null });
  });

  it('leaves the caller\'s array as it was', () => {
    const copy = items.slice();
    pageOf(items, cursorOf, 2, null);
    expect(items).toEqual(copy);
  });
});

describe('PageTokens', () => {
  const key = Buffer.alloc(32, 7);
  const binding = listingBinding('boxes', '', 'anonymous', { status: undefined });
  const refusal = 'invalid argument: pageToken is not a page token this server issued for this listing '
    + '(tokens are bound to the prefix, the caller and the filters, and expire when the server restarts)';

  /** A token with a correct MAC over any payload text, as only the key holder can make. */
  function forge(payload: string, bind = binding): string {
    const mac = createHmac('sha256', key).update(bind).update('\0').update(payload).digest('base64url');
    return `${payload}.${mac}`;
  }
  const b64 = (json: string) => Buffer.from(json).toString('base64url');

  it('verify gives back the cursor sign was given', () => {
    const tokens = new PageTokens(key);
    for (const cursor of [{ createdAt: 0, id: '' }, { createdAt: 1_700_000_000_123, id: 'box-1' }, { createdAt: -1.5, id: 'ü.\0"' }]) {
      const token = tokens.sign(cursor, binding);
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      expect(tokens.verify(token, binding)).toEqual(cursor);
    }
  });

  it('a token is made exactly as documented: base64url JSON [1, createdAt, id], a dot, HMAC-SHA256', () => {
    const token = new PageTokens(key).sign({ createdAt: 5, id: 'x' }, binding);
    expect(token).toBe(forge(b64('[1,5,"x"]')));
  });

  it('refuses a token from another key (another server, or before a restart)', () => {
    const token = new PageTokens().sign({ createdAt: 1, id: 'a' }, binding);
    expect400(new PageTokens().verify(token, binding), refusal);
    expect400(new PageTokens(Buffer.alloc(32, 8)).verify(forge(b64('[1,1,"a"]')), binding), refusal);
  });

  it('refuses a token for another listing', () => {
    const tokens = new PageTokens(key);
    const token = tokens.sign({ createdAt: 1, id: 'a' }, binding);
    for (const other of [
      listingBinding('boxes', 'tenant', 'anonymous', { status: undefined }),
      listingBinding('boxes', '', 'bearer:x', { status: undefined }),
      listingBinding('boxes', '', 'anonymous', { status: 'running' }),
      listingBinding('other', '', 'anonymous', { status: undefined }),
    ]) {
      expect(tokens.verify(token, binding)).toEqual({ createdAt: 1, id: 'a' });
      expect400(tokens.verify(token, other), refusal);
    }
  });

  it('the MAC keeps binding and payload apart: moving text across the boundary fails', () => {
    // Three spaces before the JSON still parse, and "ICAg" is their base64url:
    // without a separator, binding "xICAg" + payload "P" would MAC the same
    // bytes as binding "x" + payload "ICAgP".
    const tokens = new PageTokens(key);
    const token = tokens.sign({ createdAt: 1, id: 'a' }, 'xICAg');
    const [payload, mac] = token.split('.');
    expect(JSON.parse(Buffer.from(`ICAg${payload}`, 'base64url').toString())).toEqual([1, 1, 'a']);
    expect400(tokens.verify(`ICAg${payload}.${mac}`, 'x'), refusal);
  });

  it('refuses an edited payload or MAC', () => {
    const tokens = new PageTokens(key);
    const token = tokens.sign({ createdAt: 1, id: 'a' }, binding);
    const [payload, mac] = token.split('.');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    expect400(tokens.verify(`${flip(payload, 0)}.${mac}`, binding), refusal);
    expect400(tokens.verify(`${payload}.${flip(mac, 5)}`, binding), refusal);
    expect400(tokens.verify(`${payload}.${mac.slice(0, -2)}`, binding), refusal); // a shorter MAC
    expect400(tokens.verify(`${payload}.${mac}AAAA`, binding), refusal); // a longer one
    expect400(tokens.verify(`${b64('[1,2,"a"]')}.${mac}`, binding), refusal); // another cursor, old MAC
  });

  it('accepts a token of 512 characters, refuses longer ones even with a correct MAC', () => {
    const tokens = new PageTokens(key);
    const ofLength = (n: number) => {
      for (let len = 0; len < 600; len++) {
        const cursor = { createdAt: 0, id: 'i'.repeat(len) };
        const token = tokens.sign(cursor, binding);
        if (token.length === n) return { cursor, token };
      }
      throw new Error(`no token of ${n} characters`);
    };
    const at = ofLength(512);
    expect(tokens.verify(at.token, binding)).toEqual(at.cursor);
    const over = ofLength(514); // base64url has no 469-character text, so no valid 513-character token
    expect400(tokens.verify(over.token, binding), refusal);
    expect400(tokens.verify(`${at.token.slice(0, 100)}x${at.token.slice(100)}`, binding), refusal); // 513
  });

  it('refuses anything but exactly one dot', () => {
    const tokens = new PageTokens(key);
    const token = tokens.sign({ createdAt: 1, id: 'a' }, binding);
    const [payload, mac] = token.split('.');
    for (const bad of [
      '', '.', '..', `${payload}${mac}`, `.${mac}`, `${payload}.`, `.${payload}.${mac}`,
      `${payload}.${mac}.`, `${payload}..${mac}`, `${payload}.${mac.slice(0, 10)}.${mac.slice(10)}`,
    ]) {
      expect400(tokens.verify(bad, binding), refusal);
    }
    // Base64url's decoder skips a stray dot, so the MAC of the last two would match.
    expect(Buffer.from(`${mac.slice(0, 10)}.${mac.slice(10)}`, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
  });

  it('refuses an empty payload, even with its MAC', () => {
    expect400(new PageTokens(key).verify(forge(''), binding), refusal);
  });

  it('refuses a correctly signed payload that is not a version-1 cursor', () => {
    const tokens = new PageTokens(key);
    const shapes: [string, string][] = [
      ['not base64url JSON', 'bm90IGpzb24'],
      ['not JSON', b64('[1,0,"a"')],
      ['an object that looks like the array', b64('{"0":1,"1":0,"2":"a","length":3}')],
      ['a string of 3 characters', b64('"abc"')],
      ['null', b64('null')],
      ['two elements', b64('[1,0]')],
      ['four elements', b64('[1,0,"a","b"]')],
      ['version 2', b64('[2,0,"a"]')],
      ['version 0', b64('[0,0,"a"]')],
      ['version "1"', b64('["1",0,"a"]')],
      ['createdAt a string', b64('[1,"0","a"]')],
      ['createdAt null', b64('[1,null,"a"]')],
      ['createdAt infinite', b64('[1,1e999,"a"]')],
      ['createdAt -infinite', b64('[1,-1e999,"a"]')],
      ['id a number', b64('[1,0,5]')],
      ['id null', b64('[1,0,null]')],
    ];
    for (const [what, payload] of shapes) {
      const answer = tokens.verify(forge(payload), binding);
      expect(answer, what).toBeInstanceOf(HttpStatusError);
      expect400(answer, refusal);
    }
    // The same forging makes a good shape pass: the refusals above are the shape's.
    expect(tokens.verify(forge(b64('[1,0,"a"]')), binding)).toEqual({ createdAt: 0, id: 'a' });
  });
});

describe('listingBinding', () => {
  it('is the list, prefix, principal and filters, sorted by name, undefined as null', () => {
    expect(listingBinding('boxes', 'p', 'me', { status: 'running' })).toBe('["boxes","p","me",[["status","running"]]]');
    expect(listingBinding('boxes', 'p', 'me', { status: undefined })).toBe('["boxes","p","me",[["status",null]]]');
    expect(listingBinding('boxes', 'p', 'me', {})).toBe('["boxes","p","me",[]]');
  });

  it('does not depend on the order the filters were written in', () => {
    const ab = listingBinding('l', '', 'x', { b: '2', a: '1', c: undefined });
    expect(ab).toBe(listingBinding('l', '', 'x', { a: '1', c: undefined, b: '2' }));
    expect(ab).toBe('["l","","x",[["a","1"],["b","2"],["c",null]]]');
  });

  it('tells an absent filter from an empty one, and cannot be confused by separators', () => {
    expect(listingBinding('l', '', 'x', { s: undefined })).not.toBe(listingBinding('l', '', 'x', { s: '' }));
    expect(listingBinding('l', '', 'x', { s: undefined })).not.toBe(listingBinding('l', '', 'x', { s: 'null' }));
    expect(listingBinding('a","b', '', 'x', {})).not.toBe(listingBinding('a', 'b', 'x', {}));
  });
});
