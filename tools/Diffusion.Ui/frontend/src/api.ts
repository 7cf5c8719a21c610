/** The dashboard's JSON API (tools/Diffusion.Ui): typed reads; errors carry the server's message. */

export class ApiError extends Error {
  constructor(public status: number, public body: any) {
    super(body?.error ?? `HTTP ${status}`);
  }
}

export async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body as T;
}

export async function text(url: string, limit = 64 * 1024): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new ApiError(response.status, null);
  const content = await response.text();
  return content.length > limit ? content.slice(0, limit) + `\n… (${content.length - limit} more characters: open the file)` : content;
}

export type Num = number | "NaN" | "Infinity" | "-Infinity";

export interface RunSummary {
  id: string;
  name: string;
  experiment: string;
  status: string;
  start: string;
  end: string | null;
  seconds: number | null;
  seed: number;
  message: string | null;
  parent: string | null;
}

export interface RunPage {
  columns: string[];
  offset: number;
  limit: number;
  more: boolean;
  rows: { run: RunSummary; values: unknown[] }[];
}

export interface FilterError {
  error: string;
  clause: string;
  expression: string;
  start: number;
  length: number;
}

export interface Metric {
  key: string;
  last: Num;
  lastStep: number;
  min: Num;
  max: Num;
  count: number;
}

export interface Artifact {
  path: string;
  kind: string;
  bytes: number;
  view: "image" | "text" | "file";
  url: string;
}

export interface RunDetails {
  run: RunSummary;
  pipelinePath: string;
  pipelineText: string;
  codeVersion: string;
  host: string;
  pid: number;
  heartbeat: string | null;
  params: { key: string; value: unknown; type: string }[];
  metrics: Metric[];
  tags: { key: string; value: string }[];
  artifacts: Artifact[];
  errorLog: string | null;
  isSweep: boolean;
}

export interface Series {
  total: number;
  lastStep: number | null;
  steps: number[];
  values: Num[];
  seconds: number[];
}

export interface SweepSummary {
  id: string;
  pipelinePath: string;
  method: string;
  objective: string;
  direction: "minimize" | "maximize";
  budget: number;
  state: string;
  message: string | null;
  counts: Record<string, number>;
  best: { number: number; value: number; runId: string | null } | null;
}

export interface Trial {
  number: number;
  state: string;
  point: Record<string, string>;
  value: number | null;
  runId: string | null;
  attempts: number;
  message: string | null;
}

export interface SweepDetails {
  sweep: SweepSummary;
  overrides: string[];
  trials: Trial[];
}

export const runs = (query: URLSearchParams) => get<RunPage>(`/api/runs?${query}`);
export const run = (id: string) => get<RunDetails>(`/api/runs/${encodeURIComponent(id)}`);
export const series = (id: string, key: string, smooth: number, points = 1000) =>
  get<{ key: string; series: Series }>(
    `/api/runs/${encodeURIComponent(id)}/metric?key=${encodeURIComponent(key)}&points=${points}&smooth=${smooth}`,
  ).then((r) => r.series);
export const sweeps = () => get<SweepSummary[]>("/api/sweeps");
export const sweep = (id: string) => get<SweepDetails>(`/api/sweeps/${encodeURIComponent(id)}`);

/** A JSON number as a plot value: NaN and infinities become gaps. */
export function plotValue(v: Num | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
