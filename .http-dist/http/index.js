"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ALLOWED_SIGNALS = exports.bearerToken = exports.bearerTokenAuth = exports.attachBoxliteUpgrade = exports.boxliteErrorHandler = exports.createBoxliteHandler = void 0;
// The HTTP layer's public surface.
var handler_1 = require("./handler");
Object.defineProperty(exports, "createBoxliteHandler", { enumerable: true, get: function () { return handler_1.createBoxliteHandler; } });
var error_handler_1 = require("./error-handler");
Object.defineProperty(exports, "boxliteErrorHandler", { enumerable: true, get: function () { return error_handler_1.boxliteErrorHandler; } });
var upgrade_1 = require("./upgrade");
Object.defineProperty(exports, "attachBoxliteUpgrade", { enumerable: true, get: function () { return upgrade_1.attachBoxliteUpgrade; } });
var auth_1 = require("./auth");
Object.defineProperty(exports, "bearerTokenAuth", { enumerable: true, get: function () { return auth_1.bearerTokenAuth; } });
Object.defineProperty(exports, "bearerToken", { enumerable: true, get: function () { return auth_1.bearerToken; } });
var exec_request_1 = require("./exec-request");
Object.defineProperty(exports, "ALLOWED_SIGNALS", { enumerable: true, get: function () { return exec_request_1.ALLOWED_SIGNALS; } });
//# sourceMappingURL=index.js.map