// The three Internal-only fallbacks (libboxlite-abi.md §9): the engine reports
// these caller mistakes as code 1 Internal. Each must fire on the real texts,
// and must not fire on near-misses.
import { describe, expect, it } from 'vitest';
import { classifyError } from '../lib/errors/classify';
import { BoxliteError, BoxliteErrorCode, InternalError } from '../lib/errors/errors';
import { httpRowForBoxliteCode } from '../lib/errors/http-table';

const INTERNAL = { status: 500, type: 'InternalError', code: 'internal', retryable: false };
const INVALID_ARGUMENT = { status: 400, type: 'InvalidArgumentError', code: 'invalid_argument', retryable: false };
const EXECUTION_FAILED = { status: 422, type: 'ExecutionError', code: 'execution_failed', retryable: false };

// Real texts: the C message of code 1 as libboxlite writes it (§9), the
// doubled "internal error: " prefix included.
const USER_NOT_FOUND =
  "internal error: spawn_failed: internal error: User 'bob' not found in /run/bundle/rootfs/etc/passwd";
const GROUP_NOT_FOUND =
  "internal error: spawn_failed: internal error: Group 'devs' not found in /run/bundle/rootfs/etc/group";
const MISSING_BINARY =
  'internal error: spawn_failed: internal error: build failed: failed to create container: exec process failed '
  + "with error error in executing process : executable 'nosuchcmd' not found in $PATH";
const NOT_EXECUTABLE =
  'internal error: spawn_failed: internal error: build failed: failed to create container: exec process failed '
  + `with error error in executing process : executable '/etc' at path '"/etc"' does not have correct permissions`;

const FIRING: ReadonlyArray<readonly [string, string, object]> = [
  ['unknown user', USER_NOT_FOUND, INVALID_ARGUMENT],
  ['unknown group', GROUP_NOT_FOUND, INVALID_ARGUMENT],
  ['missing binary', MISSING_BINARY, EXECUTION_FAILED],
  ['not executable / a directory', NOT_EXECUTABLE, EXECUTION_FAILED],
];

describe.each(FIRING)('fallback fires: %s', (_label, text, row) => {
  it('on a typed InternalError', () => {
    expect(classifyError(new InternalError(text))).toEqual({ ...row, message: text });
  });
  it('on BoxliteError.fromCode(1, ...) and a plain BoxliteError with code 1', () => {
    expect(classifyError(BoxliteError.fromCode(1, text))).toEqual({ ...row, message: text });
    expect(classifyError(new BoxliteError(text, 1))).toEqual({ ...row, message: text });
  });
  it('on any object with boxliteCode 1', () => {
    expect(classifyError({ boxliteCode: 1, message: text })).toEqual({ ...row, message: text });
  });
  it('on an official-SDK error (the "internal error: " prefix, no code)', () => {
    const sdkError = Object.assign(new Error(text), { code: 'GenericFailure' });
    expect(classifyError(sdkError)).toEqual({ ...row, message: text });
  });
  it('through a cause chain, keeping the outer message', () => {
    expect(classifyError(new Error('exec failed', { cause: new InternalError(text) })))
      .toEqual({ ...row, message: 'exec failed' });
  });
});

describe('fallbacks fire on variants of the real texts', () => {
  it.each([
    // Without the spawn_failed wrapper (e.g. a default user set at create).
    ["internal error: User 'bob' not found in /var/lib/boxlite/bundle/rootfs/etc/passwd", INVALID_ARGUMENT],
    // Path without a rootfs in front, quoted, followed by punctuation or more text.
    ["internal error: User 'bob' not found in /etc/passwd", INVALID_ARGUMENT],
    ["internal error: User 'bob' not found in '/rootfs/etc/passwd'.", INVALID_ARGUMENT],
    ['internal error: User "bob" not found in "/rootfs/etc/group"', INVALID_ARGUMENT],
    ["internal error: User 'bob' not found in /rootfs/etc/passwd\nCaused by: lookup", INVALID_ARGUMENT],
    ["internal error: spawn_failed: User 'bob' not found in /rootfs/etc/passwd (uid lookup)", INVALID_ARGUMENT],
    // A second "not found in" that does name the account file.
    ["internal error: key not found in cache; User 'bob' not found in /rootfs/etc/passwd", INVALID_ARGUMENT],
    // The user check comes first when both kinds appear.
    ["internal error: spawn_failed: executable 'x' not found in $PATH; User 'bob' not found in /etc/passwd", INVALID_ARGUMENT],
    // The unverified libcontainer chain may differ: only the markers matter.
    ["internal error: spawn_failed: executable 'ls2' not found in $PATH", EXECUTION_FAILED],
    ["internal error: spawn_failed: executable '/bin' at path '\"/bin\"' does not have correct permissions", EXECUTION_FAILED],
    // "/etc/passwd" as the executable's name: the file "not found in" refers to is $PATH.
    ["internal error: spawn_failed: executable '/etc/passwd' not found in $PATH", EXECUTION_FAILED],
  ])('%s', (text, row) => {
    expect(classifyError(new InternalError(text))).toEqual({ ...row, message: text });
  });
});

describe('near-misses: other codes never change row', () => {
  const texts = [USER_NOT_FOUND, GROUP_NOT_FOUND, MISSING_BINARY, NOT_EXECUTABLE];
  const otherCodes = [...Array(21).keys()].map((i) => i + 1).filter((c) => c !== BoxliteErrorCode.Internal);

  it.each(otherCodes)('code %i keeps its canonical row for every fallback text', (boxliteCode) => {
    const row = httpRowForBoxliteCode(boxliteCode);
    for (const text of texts) {
      expect(classifyError(BoxliteError.fromCode(boxliteCode, text))).toEqual({ ...row, message: text });
      expect(classifyError({ boxliteCode, message: text })).toEqual({ ...row, message: text });
    }
  });

  it.each([0, 22, -1, 1.5])('unknown code %d stays 500 internal for every fallback text', (boxliteCode) => {
    for (const text of texts) {
      expect(classifyError(BoxliteError.fromCode(boxliteCode, text))).toEqual({ ...INTERNAL, message: text });
    }
  });

  it('an official-SDK message with a non-Internal prefix keeps its prefix row', () => {
    const cases: ReadonlyArray<readonly [string, number, string]> = [
      ["engine reported an error: spawn_failed: executable 'x' not found in $PATH", 503, 'engine_unavailable'],
      ["box not found: User 'bob' not found in /etc/passwd", 404, 'not_found'],
      ["storage error: spawn_failed: executable '/x' at path '\"/x\"' does not have correct permissions", 500, 'storage_error'],
      ["invalid state: User 'bob' not found in /rootfs/etc/group", 409, 'invalid_state'],
    ];
    for (const [text, status, code] of cases) {
      expect(classifyError(new Error(text))).toMatchObject({ status, code, message: text });
    }
  });

  it('an explicit HTTP status is never rewritten by a fallback', () => {
    const err = Object.assign(new Error(USER_NOT_FOUND), { status: 500 });
    expect(classifyError(err)).toEqual({ ...INTERNAL, message: USER_NOT_FOUND });
  });
});

describe('near-misses: a marker is missing (code 1 stays 500 internal)', () => {
  it.each([
    // Account-file texts that are not "not found in <account file>".
    "internal error: spawn_failed: internal error: User 'bob' not found in /run/bundle/rootfs/etc/shadow",
    "internal error: Cannot resolve user 'bob': failed to read /rootfs/etc/passwd: No such file or directory (os error 2)",
    "internal error: Invalid UID 'x' for user 'bob' in /rootfs/etc/passwd",
    "internal error: spawn_failed: internal error: User 'bob' not found",
    "internal error: User 'bob' not in /rootfs/etc/passwd",
    // spawn_failed without a known detail.
    'internal error: spawn_failed: Container init process exited — cannot exec. Original error: broken pipe',
    'internal error: spawn_failed: container is not running: init exited with code 137',
    "internal error: spawn_failed: executable 'x' not found",
    'internal error: spawn_failed: permission denied',
    "internal error: spawn_failed: executable 'x' not found in PATH",
    // A detail without spawn_failed.
    "internal error: executable 'x' not found in $PATH",
    "internal error: file '/x' does not have correct permissions",
    "internal error: spawn failed: executable 'x' not found in $PATH",
    // Case matters: the engine's markers are lower-case.
    "internal error: SPAWN_FAILED: executable 'x' not found in $PATH",
    "internal error: User 'bob' NOT FOUND IN /rootfs/etc/passwd",
    // Unrelated internals.
    'internal error: I/O error: Broken pipe (os error 32)',
    'internal error: null pointer',
  ])('%s', (text) => {
    expect(classifyError(new InternalError(text))).toEqual({ ...INTERNAL, message: text });
    expect(classifyError(new Error(text))).toEqual({ ...INTERNAL, message: text });
  });
});

describe('near-misses: markers in the wrong order or place (stays 500 internal)', () => {
  it.each([
    // /etc/passwd appears, but "not found in" points at something else.
    "internal error: /etc/passwd: user 'bob' not found in cache",
    "internal error: User 'bob' not found in /rootfs/etc/shadow (see /etc/passwd)",
    "internal error: reading /rootfs/etc/passwd failed: entry not found in index",
    // The path after "not found in" only resembles the account file.
    "internal error: User 'bob' not found in /rootfs/etc/passwd.bak",
    "internal error: User 'bob' not found in /rootfs/etc/passwdx",
    "internal error: User 'bob' not found in /rootfs/etc/group-",
    "internal error: User 'bob' not found in /rootfs/etc/passwd/extra",
    "internal error: User 'bob' not found in /rootfs/etc/groups",
    "internal error: User 'bob' not found in etc/passwd",
    "internal error: User 'bob' not found in /rootfs/xetc/passwd",
    "internal error: User 'bob' not found in\n/rootfs/etc/passwd",
    // The detail before spawn_failed: spawn_failed is the wrapping prefix.
    "internal error: executable 'x' not found in $PATH (then spawn_failed)",
    "internal error: file does not have correct permissions; later spawn_failed",
  ])('%s', (text) => {
    expect(classifyError(new InternalError(text))).toEqual({ ...INTERNAL, message: text });
  });
});
