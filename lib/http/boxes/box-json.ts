// Engine records -> BoxLite's REST JSON (OpenAPI `Box`, `RuntimeMetrics`,
// `BoxMetrics`), shaped so the official client 0.10.x parses them (trace §5):
// ISO timestamps, `auto_stop` (what the client reads) next to `auto_pause`
// (the older spec name), `labels` always an object.
import type { BoxInfo, BoxMetrics, RuntimeMetrics } from '../../runtime/runtime-types';

export interface BoxJson {
  box_id: string;
  name: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  pid: number | null;
  image: string;
  cpus: number;
  memory_mib: number;
  labels: Record<string, string>;
  // null: the loaded libboxlite (0.9.5, the 0.9.7 release) reports no lifecycle policy
  auto_stop: number | null;
  auto_pause: number | null;
  auto_delete: number | null;
  auto_resume: boolean | null;
  network: { mode: string; allow_net: string[] } | null;
}

function isoFromUnixSeconds(seconds: number): string {
  const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now();
  return new Date(ms).toISOString();
}

/** `updatedAtMs`: when this server last changed the box's state (start/stop), if it did. */
export function toBoxJson(info: BoxInfo, updatedAtMs?: number): BoxJson {
  const createdAt = isoFromUnixSeconds(info.createdAt);
  return {
    box_id: info.id,
    name: info.name ?? null,
    status: info.status,
    created_at: createdAt,
    updated_at: updatedAtMs !== undefined ? new Date(updatedAtMs).toISOString() : createdAt,
    // pid 0 means "no VMM process" (not running): the spec says null then.
    pid: info.pid > 0 ? info.pid : null,
    image: info.image,
    cpus: info.cpus,
    memory_mib: info.memoryMib,
    labels: {},
    auto_stop: info.autoStop,
    auto_pause: info.autoStop,
    auto_delete: info.autoDelete,
    auto_resume: info.autoResume,
    network: info.network ? { mode: info.network.mode, allow_net: [...info.network.allowNet] } : null,
  };
}

export function toRuntimeMetricsJson(m: RuntimeMetrics): Record<string, number> {
  return {
    boxes_created_total: m.boxesCreatedTotal,
    boxes_failed_total: m.boxesFailedTotal,
    num_running_boxes: m.numRunningBoxes,
    total_commands_executed: m.totalCommandsExecuted,
    total_exec_errors: m.totalExecErrors,
  };
}

export function toBoxMetricsJson(m: BoxMetrics): Record<string, unknown> {
  return {
    commands_executed_total: m.commandsExecuted,
    exec_errors_total: m.execErrors,
    bytes_sent_total: m.bytesSent,
    bytes_received_total: m.bytesReceived,
    cpu_percent: m.cpuPercent,
    memory_bytes: m.memoryBytes,
    network_bytes_sent: m.networkBytesSent,
    network_bytes_received: m.networkBytesReceived,
    network_tcp_connections: m.networkTcpConnections,
    network_tcp_errors: m.networkTcpErrors,
    boot_timing: {
      total_create_ms: m.createDurationMs,
      guest_boot_ms: m.bootDurationMs,
    },
  };
}
