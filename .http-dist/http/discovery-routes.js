"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.getMe = exports.getConfig = void 0;
// GET /v1/config (open, capability discovery) and GET /v1/me (who is calling).
// The config is honest: every capability this server lacks is reported false,
// so BoxLite clients refuse those calls up front with their own `unsupported`.
const validate_1 = require("./validate");
const prefix_1 = require("./prefix");
const context_1 = require("./context");
const respond_1 = require("./respond");
exports.getConfig = (0, context_1.route)(async (ctx) => {
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, {
        defaults: { auto_delete: 0 },
        overrides: {},
        capabilities: {
            linux_capabilities_enabled: false,
            snapshots_enabled: false,
            clone_enabled: false,
            export_enabled: false,
            import_enabled: false,
            tty_enabled: true,
            streaming_enabled: true,
            file_transfer_max_bytes: ctx.state.options.filesLimit,
        },
    });
});
const SCOPES = ['box:read', 'box:write', 'box:exec', 'box:delete', 'me:read'];
exports.getMe = (0, context_1.route)(async (ctx) => {
    const p = (0, validate_1.isPlainObject)(ctx.principal) ? ctx.principal : {};
    const sub = typeof p.sub === 'string' ? p.sub : typeof p.id === 'string' ? p.id : 'principal';
    const principalType = p.principal_type === 'user' ? 'user' : 'service_account';
    const me = {
        sub,
        principal_type: principalType,
        path_prefix: typeof p.path_prefix === 'string' ? p.path_prefix : (0, prefix_1.advertisedPrefix)(ctx.state.options.prefixPolicy),
        scopes: Array.isArray(p.scopes) ? p.scopes.filter((s) => typeof s === 'string') : SCOPES,
        expires_at: typeof p.expires_at === 'string' ? p.expires_at : null,
    };
    if (typeof p.email === 'string')
        me.email = p.email;
    if (typeof p.display_name === 'string')
        me.display_name = p.display_name;
    (0, respond_1.sendJson)(ctx.req, ctx.res, 200, ctx.requestId, me);
});
//# sourceMappingURL=discovery-routes.js.map