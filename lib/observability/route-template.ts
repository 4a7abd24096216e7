// The route template of a request, for metrics and logs: the path with its
// ids and prefix replaced by the OpenAPI spec's parameter names, so that one
// route is one label value however many boxes and tenants there are.
import type { PrefixPolicy } from '../http/routing/prefix';
import { type RouteName, matchRoute } from '../http/routing/router';

const TEMPLATES: Readonly<Record<RouteName, string>> = {
  config: '/v1/config',
  me: '/v1/me',
  boxes: '/v1/{prefix}/boxes',
  box: '/v1/{prefix}/boxes/{box_id}',
  'box.start': '/v1/{prefix}/boxes/{box_id}/start',
  'box.stop': '/v1/{prefix}/boxes/{box_id}/stop',
  'box.exec': '/v1/{prefix}/boxes/{box_id}/exec',
  'box.metrics': '/v1/{prefix}/boxes/{box_id}/metrics',
  'box.files': '/v1/{prefix}/boxes/{box_id}/files',
  execution: '/v1/{prefix}/boxes/{box_id}/executions/{exec_id}',
  'execution.attach': '/v1/{prefix}/boxes/{box_id}/executions/{exec_id}/attach',
  'execution.signal': '/v1/{prefix}/boxes/{box_id}/executions/{exec_id}/signal',
  'execution.resize': '/v1/{prefix}/boxes/{box_id}/executions/{exec_id}/resize',
  metrics: '/v1/{prefix}/metrics',
  // Known BoxLite features this server answers 501: one label for all.
  unsupported: '/v1/{prefix}/{unsupported}',
};

export function templateOf(name: RouteName): string {
  return TEMPLATES[name];
}

/**
 * The template for the part of the path after `/v1/`, or null when no route
 * matches (404, or an id the router refuses). Matching is pure and cheap; it
 * runs again here, after the answer, only for requests someone observes.
 */
export function routeTemplate(afterV1: string, policy: PrefixPolicy): string | null {
  try {
    const match = matchRoute(afterV1, policy);
    return match === null ? null : TEMPLATES[match.name];
  } catch {
    return null; // a malformed or oversized id
  }
}
