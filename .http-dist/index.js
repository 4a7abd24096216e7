"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.ALLOWED_SIGNALS = exports.bearerToken = exports.bearerTokenAuth = exports.attachBoxliteUpgrade = exports.boxliteErrorHandler = exports.createBoxliteHandler = exports.Execution = exports.Box = exports.Runtime = void 0;
__exportStar(require("./errors"), exports);
__exportStar(require("./http-table"), exports);
__exportStar(require("./classify"), exports);
__exportStar(require("./error-response"), exports);
// The runtime facade (classes shadow the same-named interfaces above; each
// class implements its interface). Loading the addon waits for first use.
var runtime_1 = require("./runtime");
Object.defineProperty(exports, "Runtime", { enumerable: true, get: function () { return runtime_1.Runtime; } });
Object.defineProperty(exports, "Box", { enumerable: true, get: function () { return runtime_1.Box; } });
Object.defineProperty(exports, "Execution", { enumerable: true, get: function () { return runtime_1.Execution; } });
// BoxLite's REST API v1 as an Express/Connect/node:http handler.
var http_1 = require("./http");
Object.defineProperty(exports, "createBoxliteHandler", { enumerable: true, get: function () { return http_1.createBoxliteHandler; } });
Object.defineProperty(exports, "boxliteErrorHandler", { enumerable: true, get: function () { return http_1.boxliteErrorHandler; } });
Object.defineProperty(exports, "attachBoxliteUpgrade", { enumerable: true, get: function () { return http_1.attachBoxliteUpgrade; } });
Object.defineProperty(exports, "bearerTokenAuth", { enumerable: true, get: function () { return http_1.bearerTokenAuth; } });
Object.defineProperty(exports, "bearerToken", { enumerable: true, get: function () { return http_1.bearerToken; } });
Object.defineProperty(exports, "ALLOWED_SIGNALS", { enumerable: true, get: function () { return http_1.ALLOWED_SIGNALS; } });
//# sourceMappingURL=index.js.map