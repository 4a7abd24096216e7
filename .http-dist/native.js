"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.packageRoot = packageRoot;
exports.loadAddon = loadAddon;
// The native addon, loaded lazily.
//
// Nothing here runs at `require('boxlite-native')`: the addon (and, later,
// libboxlite) load on first use, so the error classes, the classifier and the
// HTTP layer work on machines where neither can load.
const node_module_1 = require("node:module");
const node_path_1 = __importDefault(require("node:path"));
const errors_1 = require("./errors");
/** The package root (where package.json, build/ and prebuilds/ live), from lib/ or dist/. */
function packageRoot() {
    return node_path_1.default.resolve(__dirname, '..');
}
let addon;
/**
 * Loads the addon for this JS environment (main thread or worker) and installs
 * the error factory: every native failure becomes the BoxliteError subclass of
 * its code. Throws an EngineError (code 12) saying how to fix a missing build.
 */
function loadAddon() {
    if (addon)
        return addon;
    const root = packageRoot();
    let loaded;
    try {
        const nodeGypBuild = (0, node_module_1.createRequire)(node_path_1.default.join(root, 'package.json'))('node-gyp-build');
        loaded = nodeGypBuild(root);
    }
    catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new errors_1.EngineError(`the boxlite-native addon could not be loaded from ${root}: ${reason}. `
            + 'Rebuild it with `npm rebuild boxlite-native` (needs cmake >= 3.15 and a C++17 compiler), '
            + 'or install a release that ships a prebuild for this platform.', { cause: err });
    }
    loaded.setErrorFactory(createTypedError);
    addon = loaded;
    return loaded;
}
/**
 * How the addon turns (code, message) into a typed error. `captureStack` is
 * false for errors settled from a native completion: the JS stack is empty
 * then (only this factory's own frames would be recorded), and capturing it
 * is most of an error's cost. Errors thrown during a call keep the caller's stack.
 */
function createTypedError(code, message, captureStack) {
    if (captureStack)
        return errors_1.BoxliteError.fromCode(code, message);
    const limit = Error.stackTraceLimit;
    try {
        Error.stackTraceLimit = 0;
    }
    catch {
        return errors_1.BoxliteError.fromCode(code, message); // frozen by someone: capture then
    }
    try {
        return errors_1.BoxliteError.fromCode(code, message);
    }
    finally {
        Error.stackTraceLimit = limit;
    }
}
//# sourceMappingURL=native.js.map