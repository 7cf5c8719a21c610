/** Parallel coordinates of a sweep's trials: one axis per hyperparameter and one for the objective, drawn on a canvas. */
import { Trial } from "./api";

interface Axis {
  name: string;
  position: (t: Trial) => number | null; // 0 (bottom) .. 1 (top)
  ticks: { at: number; label: string }[];
}

function shortName(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

function numericAxis(name: string, read: (t: Trial) => number | null, trials: Trial[]): Axis {
  const values = trials.map(read).filter((v): v is number => v !== null && Number.isFinite(v));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const log = values.length > 0 && min > 0 && max / min >= 100;
  const f = (v: number) => (log ? Math.log10(v) : v);
  const span = f(max) - f(min) || 1;
  const fmt = (v: number) => (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5 ? v.toExponential(2) : String(Number(v.toPrecision(4))));
  return {
    name: shortName(name) + (log ? " (log)" : ""),
    position: (t) => {
      const v = read(t);
      return v === null || !Number.isFinite(v) ? null : values.length === 1 ? 0.5 : (f(v) - f(min)) / span;
    },
    ticks: values.length ? [{ at: 0, label: fmt(min) }, { at: 1, label: fmt(max) }] : [],
  };
}

export function parallelCoordinates(canvas: HTMLCanvasElement, trials: Trial[], objective: string, maximize: boolean): void {
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.point)))];
  const axes: Axis[] = keys.map((key) => {
    const texts = trials.map((t) => t.point[key]).filter((v) => v !== undefined);
    if (texts.every((v) => v !== "" && Number.isFinite(Number(v)))) {
      return numericAxis(key, (t) => (t.point[key] === undefined ? null : Number(t.point[key])), trials);
    }
    const categories = [...new Set(texts)].sort();
    return {
      name: shortName(key),
      position: (t) => (t.point[key] === undefined ? null : categories.length === 1 ? 0.5 : categories.indexOf(t.point[key]) / (categories.length - 1)),
      ticks: categories.map((c, i) => ({ at: categories.length === 1 ? 0.5 : i / (categories.length - 1), label: c })),
    };
  });
  axes.push(numericAxis(objective, (t) => t.value, trials));

  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 900;
  const height = 320;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.style.height = `${height}px`;
  const g = canvas.getContext("2d")!;
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const top = 40, bottom = height - 30, left = 60, right = width - 60;
  const x = (i: number) => (axes.length === 1 ? (left + right) / 2 : left + ((right - left) * i) / (axes.length - 1));
  const y = (p: number) => bottom - (bottom - top) * p;

  const objectiveAxis = axes[axes.length - 1];
  const colour = (t: Trial) => {
    const p = objectiveAxis.position(t);
    if (p === null) return "rgba(120,120,120,0.6)";
    const good = maximize ? p : 1 - p; // 1 = best
    const hue = 10 + 120 * good;
    return `hsla(${hue}, 70%, 42%, 0.85)`;
  };

  // Lines: pruned and failed trials dashed and grey, below the others.
  const ordered = [...trials].sort((a, b) => Number(a.state === "COMPLETED") - Number(b.state === "COMPLETED"));
  for (const t of ordered) {
    if (t.state === "PENDING" || t.state === "RUNNING") continue;
    g.beginPath();
    g.setLineDash(t.state === "COMPLETED" ? [] : [4, 4]);
    g.strokeStyle = t.state === "COMPLETED" ? colour(t) : "rgba(150,150,150,0.7)";
    g.lineWidth = t.state === "COMPLETED" ? 1.6 : 1;
    let started = false;
    axes.forEach((axis, i) => {
      const p = axis.position(t);
      if (p === null) {
        started = false;
        return;
      }
      if (started) g.lineTo(x(i), y(p));
      else g.moveTo(x(i), y(p));
      started = true;
    });
    g.stroke();
  }
  g.setLineDash([]);

  // Axes with their names and end labels.
  g.font = "12px system-ui, sans-serif";
  g.textAlign = "center";
  axes.forEach((axis, i) => {
    g.strokeStyle = "#334155";
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(x(i), top);
    g.lineTo(x(i), bottom);
    g.stroke();
    g.fillStyle = "#0f172a";
    g.fillText(i === axes.length - 1 ? `${shortName(objective)} (${maximize ? "max" : "min"})` : axis.name, x(i), top - 16);
    g.fillStyle = "#475569";
    for (const tick of axis.ticks) g.fillText(tick.label, x(i), tick.at === 0 ? bottom + 16 : tick.at === 1 ? top - 3 : y(tick.at) - 3);
  });
}
