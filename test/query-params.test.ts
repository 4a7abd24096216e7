// queryParam (lib/http/routing/context.ts) reads a plain query in place
// instead of building a URLSearchParams: it must give exactly what
// `new URLSearchParams(query).get(name)` gives, for every shape of query.
import { describe, expect, it } from 'vitest';
import { type RouteContext, queryParam } from '../lib/http/routing/context';

function viaUrlSearchParams(query: string, name: string): string | undefined {
  const v = new URLSearchParams(query).get(name);
  return v === null ? undefined : v;
}

function ctxFor(query: string): RouteContext {
  return { query } as RouteContext;
}

const NAMES = ['pageSize', 'status', 'pageToken', 'a', 'ab', 'force', ''];

const QUERIES = [
  '',
  'pageSize=0',
  'pageSize=',
  'pageSize',
  'pageSize=1&pageSize=2',
  'status=running&pageSize=10&pageToken=abc.def',
  '&&pageSize=5&&',
  '&',
  '=',
  '=x',
  'a=b=c',
  'a&ab=1&a=2',
  'ab=1&a',
  'pageSizeX=1&XpageSize=2&pageSize=3',
  'force',
  'force=&force=true',
  'a=%41',
  'a=%4',
  'a=%zz&ab=2',
  'a=b+c',
  '+a=1&a=2',
  '?a=1',
  '??a=1',
  'a=1?&b=2',
  'a=\u00e9&ab=\u4e2d',
  'status=%E4%B8%AD',
  'a=1;ab=2',
  'pageToken=x.y-z_~',
];

describe('queryParam', () => {
  for (const query of QUERIES) {
    it(`reads ${JSON.stringify(query)} as URLSearchParams does`, () => {
      for (const name of NAMES) {
        expect(queryParam(ctxFor(query), name), `${name} in ${query}`).toBe(viaUrlSearchParams(query, name));
      }
    });
  }

  it('gives the same answers again on the same request (a listing reads up to three parameters)', () => {
    for (const query of QUERIES) {
      const ctx = ctxFor(query);
      for (let round = 0; round < 2; round++) {
        for (const name of NAMES) expect(queryParam(ctx, name)).toBe(viaUrlSearchParams(query, name));
      }
    }
  });

  it('agrees on random queries built from the characters that matter', () => {
    const alphabet = ['a', 'b', '=', '&', '%', '4', '1', '+', '?', 'x'];
    let seed = 17;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let query = '';
      const length = next(12);
      for (let k = 0; k < length; k++) query += alphabet[next(alphabet.length)];
      for (const name of ['a', 'b', 'ab', 'a1', '']) {
        expect(queryParam(ctxFor(query), name), `${name} in ${query}`).toBe(viaUrlSearchParams(query, name));
      }
    }
  });
});
