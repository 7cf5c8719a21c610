/** Metric curves on uPlot: one chart per metric, one series per run, with smoothing, log scale and step or time axis. */
import uPlot from "uplot";
import { h } from "./dom";
import { plotValue, Series } from "./api";

export const palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#65a30d", "#4f46e5", "#a16207"];

export interface CurveSettings {
  smooth: number;
  log: boolean;
  axis: "step" | "time";
}

/** The controls above a set of curves; `changed` is called with the new settings. */
export function curveControls(settings: CurveSettings, changed: () => void): HTMLElement {
  const shown = h("span", { class: "smooth-value" }, settings.smooth.toFixed(2));
  const slider = h("input", { type: "range", min: "0", max: "0.99", step: "0.01", value: String(settings.smooth), "aria-label": "smoothing" });
  let timer = 0;
  slider.addEventListener("input", () => {
    settings.smooth = Number(slider.value);
    shown.textContent = settings.smooth.toFixed(2);
    window.clearTimeout(timer);
    timer = window.setTimeout(changed, 150);
  });
  const log = h("input", { type: "checkbox", checked: settings.log, class: "log-scale" });
  log.addEventListener("change", () => {
    settings.log = log.checked;
    changed();
  });
  const axis = h(
    "select",
    { class: "x-axis" },
    h("option", { value: "step", selected: settings.axis === "step" }, "step"),
    h("option", { value: "time", selected: settings.axis === "time" }, "time (s)"),
  );
  axis.addEventListener("change", () => {
    settings.axis = axis.value as CurveSettings["axis"];
    changed();
  });
  return h(
    "div",
    { class: "controls" },
    h("label", {}, "smoothing ", slider, " ", shown),
    h("label", {}, log, " log scale"),
    h("label", {}, "x axis ", axis),
  );
}

/** One chart: the curves of `lines` (label, colour, series) overlaid. Returns the uPlot, or null when nothing to draw. */
export function curveChart(
  target: HTMLElement,
  title: string,
  lines: { label: string; color: string; series: Series }[],
  settings: CurveSettings,
): uPlot | null {
  const tables: uPlot.AlignedData[] = lines.map(({ series }) => {
    const xs = settings.axis === "step" ? series.steps : series.seconds;
    const ys = series.values.map((v) => {
      const y = plotValue(v);
      return settings.log && y !== null && y <= 0 ? null : y;
    });
    return [Float64Array.from(xs), ys] as unknown as uPlot.AlignedData;
  });
  if (tables.length === 0) return null;
  const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
  const width = Math.max(280, Math.floor(target.clientWidth || 460) - 8);
  const options: uPlot.Options = {
    title,
    width,
    height: 240,
    scales: { x: { time: false }, y: { distr: settings.log ? 3 : 1 } },
    axes: [{ label: settings.axis === "step" ? "step" : "seconds since start" }, { size: 60 }],
    series: [
      { label: settings.axis },
      ...lines.map((line) => ({ label: line.label, stroke: line.color, width: 1.5, spanGaps: true, points: { show: false } })),
    ],
    legend: { show: lines.length > 1 },
    cursor: { drag: { x: true, y: false } },
  };
  return new uPlot(options, data, target);
}
