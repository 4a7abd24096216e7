// The stress scenarios (bench/stress/, plain CommonJS) at CI scale: each runs
// a real `boxlite-native serve --engine test` child and measures it from /proc.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const DIST = path.resolve(__dirname, '..', process.env.BOXLITE_DIST ?? 'dist');
if (!fs.existsSync(path.join(DIST, 'cli.js'))) throw new Error('dist/ is missing: run `npm run build:ts` (npm test does) before this suite');

const load = createRequire(__filename);

export interface StressRow {
  scenario: string;
  peakRssMiB: number;
  rssGrowthMiB: number;
  fdsBefore: number;
  fdsAfter: number;
  deletedOpenFiles: number;
  bytesWritten: number;
  bytesReceived: number;
  statuses: string[];
  errorMessage?: string | null;
  errorFrames?: string[];
  lossBound?: number;
}

export interface Scenario {
  name: string;
  run(options: { scale: number; serverArgs?: string[]; graceful?: boolean }): Promise<StressRow>;
}

export function scenario(file: string): Scenario {
  return load(path.join(__dirname, '..', 'bench', 'stress', file)) as Scenario;
}

export const MIB = 1024 * 1024;
