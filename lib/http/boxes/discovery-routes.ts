// GET /v1/config (open, capability discovery) and GET /v1/me (who is calling).
// The config is honest: every capability this server lacks is reported false,
// so BoxLite clients refuse those calls up front with their own `unsupported`.
import { isPlainObject } from '../protocol/validate';
import { advertisedPrefix } from '../routing/prefix';
import { type Route, route } from '../routing/context';
import { sendJson } from '../protocol/respond';
import { isoDuration } from '../guards/idempotency';

export const getConfig: Route = route(async (ctx) => {
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, {
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
      idempotency_key_lifetime: isoDuration(ctx.state.idempotency.lifetimeMs),
    },
  });
});

const SCOPES = ['box:read', 'box:write', 'box:exec', 'box:delete', 'me:read'];

export const getMe: Route = route(async (ctx) => {
  const p = isPlainObject(ctx.principal) ? ctx.principal : {};
  const sub = typeof p.sub === 'string' ? p.sub : typeof p.id === 'string' ? p.id : 'principal';
  const principalType = p.principal_type === 'user' ? 'user' : 'service_account';
  const me: Record<string, unknown> = {
    sub,
    principal_type: principalType,
    path_prefix: typeof p.path_prefix === 'string' ? p.path_prefix : advertisedPrefix(ctx.state.options.prefixPolicy),
    scopes: Array.isArray(p.scopes) ? p.scopes.filter((s) => typeof s === 'string') : SCOPES,
    expires_at: typeof p.expires_at === 'string' ? p.expires_at : null,
  };
  if (typeof p.email === 'string') me.email = p.email;
  if (typeof p.display_name === 'string') me.display_name = p.display_name;
  sendJson(ctx.req, ctx.res, 200, ctx.requestId, me);
});
