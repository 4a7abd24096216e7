// Our libboxlite declarations against a REAL boxlite.h: runs when
// BOXLITE_HEADER points at one (the include/boxlite.h of a boxlite-c-v<version>
// archive, or sdks/c/include/boxlite.h of BoxLite's repository at a release),
// and skips, saying why, otherwise.
//
//   BOXLITE_HEADER=/path/to/boxlite.h npx vitest run test/abi-header.test.ts
//
// test/abi-check/header_check.cc static_asserts every signature, struct size,
// field offset and error code the addon uses; compiling it is the check. The
// layout it is checked for is the one the addon would pick for a library built
// from that header (the marker rule of src/abi/v0_9_7.h), and it must be the
// only one of our layouts the header matches.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const header = process.env.BOXLITE_HEADER;
const CXX = process.env.CXX || 'c++';
const ROOT = path.resolve(__dirname, '..');
const CHECK = path.join(__dirname, 'abi-check', 'header_check.cc');
const LAYOUTS = ['classic', 'lifecycle', 'network'] as const;
type Layout = (typeof LAYOUTS)[number];

function skipReason(): string | null {
  if (!header) {
    return 'BOXLITE_HEADER is not set; point it at a real boxlite.h (e.g. include/boxlite.h of a boxlite-c-v<version>-<platform> archive)';
  }
  if (!fs.existsSync(header)) return `BOXLITE_HEADER=${header} does not exist`;
  const probe = spawnSync(CXX, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return `no C++ compiler (${CXX}) to compile the check with`;
  return null;
}

const SKIP = skipReason();
if (SKIP) console.info(`test/abi-header.test.ts skipped: ${SKIP}`);

/** The layout the addon picks for a library built from this header (src/abi/v0_9_7.h). */
function layoutByMarkers(text: string): Layout {
  const declares = (fn: string) => new RegExp(`\\b${fn}\\s*\\(`).test(text);
  if (!declares('boxlite_options_set_auto_pause_interval')) return 'classic';
  return declares('boxlite_advanced_options_set_capabilities_add') ? 'network' : 'lifecycle';
}

function compileFor(layout: Layout): { ok: boolean; output: string } {
  const run = spawnSync(
    CXX,
    [
      '-std=c++17',
      '-fsyntax-only',
      '-I', path.join(ROOT, 'src'),
      `-DBL_REAL_HEADER="${header}"`,
      `-DBL_CHECK_LAYOUT=BL_LAYOUT_${layout.toUpperCase()}`,
      CHECK,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe.skipIf(SKIP !== null)(`our declarations vs ${header ?? 'a real boxlite.h'}${SKIP ? ` — skipped: ${SKIP}` : ''}`, () => {
  it('every signature, struct size, field offset and error code the addon uses matches (static_assert)', () => {
    const layout = layoutByMarkers(fs.readFileSync(header!, 'utf8'));
    const result = compileFor(layout);
    expect(result.ok, `layout '${layout}' (chosen by the marker symbols):\n${result.output}`).toBe(true);
  });

  it('the header matches exactly one of our CBoxInfo layouts (the check can fail)', () => {
    const matching = LAYOUTS.filter((l) => compileFor(l).ok);
    expect(matching).toEqual([layoutByMarkers(fs.readFileSync(header!, 'utf8'))]);
  });
});
