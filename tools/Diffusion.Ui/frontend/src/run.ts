/** The run page: params, tags, metrics, curves (live while RUNNING), images, text samples, pipeline and error.log. */
import uPlot from "uplot";
import { ApiError, Artifact, RunDetails, run as fetchRun, series, text } from "./api";
import { CurveSettings, curveChart, curveControls, palette } from "./charts";
import { add, badge, bytes, clear, duration, every, h, num, section, table, time, value } from "./dom";

/** Metrics worth a curve: logged more than once. */
export function curveKeys(details: RunDetails): string[] {
  return details.metrics.filter((m) => m.count > 1).map((m) => m.key);
}

/** Images as images, text samples as text, the rest as links. */
export function artifactViews(artifacts: Artifact[]): HTMLElement {
  const images = artifacts.filter((a) => a.view === "image");
  // The resolved pipeline has its own section.
  const texts = artifacts.filter((a) => a.view === "text" && a.kind !== "pipeline" && a.bytes <= 1024 * 1024);
  const wrapper = h("div", {});
  if (images.length) {
    add(wrapper, 
      h(
        "div",
        { class: "gallery" },
        images.map((a) => h("figure", {}, h("a", { href: a.url, target: "_blank" }, h("img", { src: a.url, alt: a.path, loading: "lazy" })), h("figcaption", {}, `${a.path} (${a.kind})`))),
      ),
    );
  }
  for (const a of texts) {
    const pre = h("pre", { class: "text-sample" }, "loading…");
    add(wrapper, h("div", { class: "text-artifact" }, h("h3", {}, `${a.path} (${a.kind})`), pre));
    text(a.url).then((t) => (pre.textContent = t), (e) => (pre.textContent = `cannot read: ${e.message}`));
  }
  if (!images.length && !texts.length) add(wrapper, h("p", { class: "muted" }, "No images or text samples."));
  return wrapper;
}

export function runPage(root: HTMLElement, id: string): () => void {
  const settings: CurveSettings = { smooth: 0, log: false, axis: "step" };
  const charts = new Map<string, uPlot>();
  const chartGrid = h("div", { class: "charts" });
  const metricsBox = h("div", {});
  const header = h("div", {});
  let details: RunDetails | null = null;
  let stop = () => {};

  add(root, h("p", { class: "muted" }, "loading…"));

  async function drawCharts(): Promise<void> {
    if (!details) return;
    const keys = curveKeys(details);
    const all = await Promise.all(keys.map((key) => series(details!.run.id, key, settings.smooth)));
    for (const chart of charts.values()) chart.destroy();
    charts.clear();
    clear(chartGrid);
    keys.forEach((key, i) => {
      const cell = h("div", { class: "chart", "data-key": key });
      add(chartGrid, cell);
      const chart = curveChart(cell, key, [{ label: key, color: palette[0], series: all[i] }], settings);
      if (chart) charts.set(key, chart);
    });
    if (!keys.length) add(chartGrid, h("p", { class: "muted" }, "No metric was logged more than once."));
    chartGrid.dataset.drawn = String(performance.now());
  }

  function renderHeader(d: RunDetails): void {
    clear(header);
    const r = d.run;
    add(header, 
      h("h1", {}, r.name, " ", h("span", { class: "mono muted" }, r.id), " ", badge(r.status), r.status === "RUNNING" ? h("span", { class: "live" }, "● live") : null),
      h(
        "p",
        { class: "facts" },
        `experiment ${r.experiment} · started ${time(r.start)}`,
        r.seconds !== null ? ` · ${duration(r.seconds)}` : "",
        ` · seed ${r.seed} · ${d.host} (pid ${d.pid}) · code ${d.codeVersion}`,
        r.parent ? h("span", {}, " · trial of ", h("a", { href: `#/sweep/${r.parent}` }, `sweep ${r.parent}`)) : null,
        d.isSweep ? h("span", {}, " · ", h("a", { href: `#/sweep/${r.id}` }, "this run is a sweep: see its trials")) : null,
      ),
      r.message ? h("p", { class: `message ${r.status.toLowerCase()}` }, r.message) : null,
    );
  }

  function renderMetrics(d: RunDetails): void {
    clear(metricsBox);
    add(metricsBox, 
      d.metrics.length
        ? table(["metric", "last", "min", "max", "count", "last step"], d.metrics.map((m) => [m.key, num(m.last), num(m.min), num(m.max), m.count, m.lastStep]), { class: "metrics" })
        : h("p", { class: "muted" }, "No metrics."),
    );
  }

  async function load(): Promise<void> {
    try {
      details = await fetchRun(id);
    } catch (e) {
      clear(root);
      add(root, h("h1", {}, "Run ", id), h("p", { class: "error" }, e instanceof ApiError ? e.message : String(e)));
      return;
    }
    const d = details;
    clear(root);
    renderHeader(d);
    renderMetrics(d);
    const files = d.artifacts.length
      ? table(["path", "kind", "size"], d.artifacts.map((a) => [h("a", { href: a.url, target: "_blank" }, a.path), a.kind, bytes(a.bytes)]))
      : h("p", { class: "muted" }, "No files recorded.");
    const errorLog = d.errorLog ? h("pre", { class: "error-log" }, "loading…") : null;
    add(root, 
      header,
      errorLog ? section("error.log", errorLog) : null,
      section("Curves", curveControls(settings, () => void drawCharts()), chartGrid),
      section("Samples", artifactViews(d.artifacts)),
      section("Metrics", metricsBox),
      h(
        "div",
        { class: "two" },
        section("Params", d.params.length ? table(["param", "value", "type"], d.params.map((p) => [p.key, value(p.value), p.type])) : h("p", { class: "muted" }, "No params.")),
        section("Tags", d.tags.length ? table(["tag", "value"], d.tags.map((t) => [t.key, t.value])) : h("p", { class: "muted" }, "No tags.")),
      ),
      section("Files", files),
      section("Pipeline", h("p", { class: "muted" }, d.pipelinePath), h("pre", { class: "pipeline" }, d.pipelineText)),
    );
    if (errorLog && d.errorLog) text(d.errorLog).then((t) => (errorLog.textContent = t), (e) => (errorLog.textContent = String(e.message)));
    await drawCharts();
    if (d.run.status === "RUNNING") stop = every(2000, refresh);
  }

  /** While RUNNING: new summaries and new points, without reloading the page. */
  async function refresh(): Promise<boolean> {
    const d = await fetchRun(id);
    const keysBefore = details ? curveKeys(details).join("\n") : "";
    details = d;
    renderHeader(d);
    renderMetrics(d);
    if (curveKeys(d).join("\n") !== keysBefore) {
      await drawCharts();
    } else {
      for (const [key, chart] of charts) {
        const s = await series(d.run.id, key, settings.smooth);
        const xs = settings.axis === "step" ? s.steps : s.seconds;
        chart.setData([xs, s.values.map((v) => (typeof v === "number" && (!settings.log || v > 0) ? v : null))] as unknown as uPlot.AlignedData);
      }
      chartGrid.dataset.drawn = String(performance.now());
    }
    return d.run.status === "RUNNING";
  }

  void load();
  return () => {
    stop();
    for (const chart of charts.values()) chart.destroy();
  };
}
