"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=runtime-types.js.map