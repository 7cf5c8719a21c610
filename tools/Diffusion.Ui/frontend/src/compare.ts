/** The compare page: 2-10 runs, the params that differ, overlaid curves, sample grids side by side. */
import uPlot from "uplot";
import { ApiError, RunDetails, run as fetchRun, series } from "./api";
import { CurveSettings, curveChart, curveControls, palette } from "./charts";
import { add, badge, clear, h, num, section, table, value } from "./dom";

/** The params whose values are not the same in every run (a missing param counts as a value). */
export function differingParams(runs: RunDetails[]): string[] {
  const keys = [...new Set(runs.flatMap((r) => r.params.map((p) => p.key)))].sort();
  return keys.filter((key) => new Set(runs.map((r) => JSON.stringify(r.params.find((p) => p.key === key)?.value ?? null))).size > 1);
}

export function comparePage(root: HTMLElement, params: URLSearchParams): () => void {
  const ids = (params.get("ids") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const settings: CurveSettings = { smooth: 0, log: false, axis: "step" };
  const charts: uPlot[] = [];
  const chartGrid = h("div", { class: "charts" });
  add(root, h("h1", {}, "Compare runs"));
  if (ids.length < 2 || ids.length > 10) {
    add(root, h("p", { class: "error" }, `Pick 2 to 10 runs to compare (got ${ids.length}): tick them on the runs page.`));
    return () => {};
  }

  let runs: RunDetails[] = [];

  async function drawCharts(): Promise<void> {
    const keys = [...new Set(runs.flatMap((r) => r.metrics.filter((m) => m.count > 1).map((m) => m.key)))].sort();
    const data = await Promise.all(
      keys.map((key) => Promise.all(runs.map((r) => (r.metrics.some((m) => m.key === key) ? series(r.run.id, key, settings.smooth) : Promise.resolve(null))))),
    );
    charts.splice(0).forEach((c) => c.destroy());
    clear(chartGrid);
    keys.forEach((key, k) => {
      const cell = h("div", { class: "chart", "data-key": key });
      add(chartGrid, cell);
      const lines = runs
        .map((r, i) => ({ label: `${r.run.id} ${r.run.name}`, color: palette[i % palette.length], series: data[k][i] }))
        .filter((l) => l.series !== null) as { label: string; color: string; series: NonNullable<(typeof data)[0][0]> }[];
      const chart = curveChart(cell, key, lines, settings);
      if (chart) charts.push(chart);
    });
    chartGrid.dataset.drawn = String(performance.now());
  }

  async function load(): Promise<void> {
    try {
      runs = await Promise.all(ids.map(fetchRun));
    } catch (e) {
      add(root, h("p", { class: "error" }, e instanceof ApiError ? e.message : String(e)));
      return;
    }
    const swatch = (i: number) => h("span", { class: "swatch", style: `background:${palette[i % palette.length]}` });
    // Fresh header cells for each table (a node appended twice moves).
    const heads = () => ["", ...runs.map((r, i) => h("span", {}, swatch(i), h("a", { href: `#/run/${r.run.id}`, class: "mono" }, r.run.id)))];
    const differing = differingParams(runs);
    const metricKeys = [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.key)))].sort();
    const imagePaths = [...new Set(runs.flatMap((r) => r.artifacts.filter((a) => a.view === "image").map((a) => a.path)))].sort();
    add(root, 
      section("Runs", table(heads(), [["name", ...runs.map((r) => r.run.name)], ["status", ...runs.map((r) => badge(r.run.status))], ["experiment", ...runs.map((r) => r.run.experiment)]])),
      section(
        `Params that differ (${differing.length})`,
        differing.length
          ? table(heads(), differing.map((key) => [key, ...runs.map((r) => value(r.params.find((p) => p.key === key)?.value ?? "—"))]), { class: "differing" })
          : h("p", { class: "muted" }, "Every param is the same."),
      ),
      section("Metrics (last)", table(heads(), metricKeys.map((key) => [key, ...runs.map((r) => num(r.metrics.find((m) => m.key === key)?.last ?? "—"))]))),
      section("Curves", curveControls(settings, () => void drawCharts()), chartGrid),
      section(
        "Samples side by side",
        imagePaths.length
          ? imagePaths.map((path) =>
              h(
                "div",
                { class: "side-by-side" },
                h("h3", {}, path),
                h(
                  "div",
                  { class: "gallery" },
                  runs.map((r, i) => {
                    const a = r.artifacts.find((x) => x.path === path);
                    return h("figure", {}, a ? h("img", { src: a.url, alt: `${r.run.id} ${path}` }) : h("div", { class: "missing" }, "—"), h("figcaption", {}, swatch(i), r.run.id));
                  }),
                ),
              ),
            )
          : h("p", { class: "muted" }, "No images."),
      ),
    );
    await drawCharts();
  }

  void load();
  return () => charts.forEach((c) => c.destroy());
}
