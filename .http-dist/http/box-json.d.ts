import type { BoxInfo, BoxMetrics, RuntimeMetrics } from '../runtime-types';
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
    auto_stop: number;
    auto_pause: number;
    auto_delete: number;
    auto_resume: boolean;
    network: {
        mode: string;
        allow_net: string[];
    } | null;
}
/** `updatedAtMs`: when this server last changed the box's state (start/stop), if it did. */
export declare function toBoxJson(info: BoxInfo, updatedAtMs?: number): BoxJson;
export declare function toRuntimeMetricsJson(m: RuntimeMetrics): Record<string, number>;
export declare function toBoxMetricsJson(m: BoxMetrics): Record<string, unknown>;
