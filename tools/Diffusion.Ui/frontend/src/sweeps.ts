/** The sweeps list and one sweep: trials table, objective against trial with the best so far, parallel coordinates. */
import uPlot from "uplot";
import { ApiError, SweepDetails, Trial, sweep as fetchSweep, sweeps as fetchSweeps } from "./api";
import { add, badge, clear, every, h, num, section, table } from "./dom";
import { parallelCoordinates } from "./parallel";

export function sweepsPage(root: HTMLElement): () => void {
  add(root, h("h1", {}, "Sweeps"));
  const box = h("div", {}, h("p", { class: "muted" }, "loading…"));
  add(root, box);
  fetchSweeps().then(
    (list) => {
      clear(box);
      if (!list.length) {
        add(box, h("p", { class: "muted" }, "No sweeps recorded. Start one with 'diffusion sweep FILE --workers N' (docs/tracking.md#sweeps)."));
        return;
      }
      add(box, 
        table(
          ["sweep", "pipeline", "method", "objective", "state", "trials done", "pruned", "failed", "best"],
          list.map((s) => [
            h("a", { href: `#/sweep/${s.id}`, class: "mono" }, s.id),
            s.pipelinePath.split("/").pop() ?? s.pipelinePath,
            s.method,
            `${s.objective} (${s.direction})`,
            badge(s.state),
            `${(s.counts.COMPLETED ?? 0) + (s.counts.PRUNED ?? 0) + (s.counts.FAILED ?? 0)} / ${s.budget}`,
            s.counts.PRUNED ?? 0,
            s.counts.FAILED ?? 0,
            s.best ? `${num(s.best.value)} (trial ${s.best.number})` : "",
          ]),
          { class: "sweeps" },
        ),
      );
      box.dataset.drawn = String(performance.now());
    },
    (e) => {
      clear(box);
      add(box, h("p", { class: "error" }, String(e.message)));
    },
  );
  return () => {};
}

/** The best objective value among the completed trials up to each trial (null before the first). */
export function bestSoFar(trials: Trial[], maximize: boolean): (number | null)[] {
  let best: number | null = null;
  return trials.map((t) => {
    if (t.state === "COMPLETED" && t.value !== null && (best === null || (maximize ? t.value > best : t.value < best))) best = t.value;
    return best;
  });
}

export function sweepPage(root: HTMLElement, id: string): () => void {
  let chart: uPlot | null = null;
  let stop = () => {};

  function render(d: SweepDetails): void {
    clear(root);
    chart?.destroy();
    const s = d.sweep;
    const keys = [...new Set(d.trials.flatMap((t) => Object.keys(t.point)))];
    const plotBox = h("div", { class: "chart objective" });
    const canvas = h("canvas", { class: "parallel" });
    add(root, 
      h("h1", {}, "Sweep ", h("span", { class: "mono muted" }, s.id), " ", badge(s.state)),
      h(
        "p",
        { class: "facts" },
        `${s.pipelinePath} · ${s.method} · ${s.objective} (${s.direction}) · budget ${s.budget}`,
        d.overrides.length ? ` · --set ${d.overrides.join(" ")}` : "",
        " · ",
        h("a", { href: `#/run/${s.id}` }, "parent run"),
        " · ",
        h("a", { href: `#/runs?filter=${encodeURIComponent(`parent = '${s.id}'`)}` }, "trial runs"),
      ),
      s.message ? h("p", { class: "message" }, s.message) : null,
      s.best ? h("p", {}, "Best: ", h("strong", {}, num(s.best.value)), ` at trial ${s.best.number} `, s.best.runId ? h("a", { href: `#/run/${s.best.runId}` }, `(run ${s.best.runId})`) : null) : null,
      section("Objective by trial", plotBox),
      section("Hyperparameters (parallel coordinates)", h("p", { class: "muted" }, "One line per trial, coloured from worst (red) to best (green); pruned and failed trials dashed grey."), canvas),
      section(
        "Trials",
        table(
          ["#", "state", s.objective, ...keys.map((k) => k), "run", "attempts", "message"],
          d.trials.map((t) => [
            t.number,
            badge(t.state),
            t.value === null ? "" : num(t.value),
            ...keys.map((k) => t.point[k] ?? ""),
            t.runId ? h("a", { href: `#/run/${t.runId}`, class: "mono" }, t.runId) : "",
            t.attempts,
            t.message ?? "",
          ]),
          { class: "trials" },
        ),
      ),
    );

    const numbers = d.trials.map((t) => t.number);
    const completed = d.trials.map((t) => (t.state === "COMPLETED" ? t.value : null));
    const best = bestSoFar(d.trials, s.direction === "maximize");
    // Pruned trials have no objective value: marked on the best-so-far line where they stopped.
    const pruned = d.trials.map((t, i) => (t.state === "PRUNED" ? best[i] ?? completed.find((v) => v !== null) ?? null : null));
    const failed = d.trials.map((t, i) => (t.state === "FAILED" ? best[i] ?? null : null));
    chart = new uPlot(
      {
        width: Math.max(320, (plotBox.clientWidth || 800) - 8),
        height: 260,
        scales: { x: { time: false } },
        axes: [{ label: "trial", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, { label: s.objective, size: 60 }],
        series: [
          { label: "trial" },
          { label: s.objective, stroke: "#2563eb", width: 0, points: { show: true, size: 7, fill: "#2563eb" } },
          { label: "best so far", stroke: "#16a34a", width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false }, spanGaps: true },
          { label: "pruned", stroke: "#9ca3af", width: 0, points: { show: true, size: 9, fill: "#f59e0b", stroke: "#b45309" } },
          { label: "failed", stroke: "#dc2626", width: 0, points: { show: true, size: 9, fill: "#dc2626" } },
        ],
      },
      [numbers, completed, best, pruned, failed] as unknown as uPlot.AlignedData,
      plotBox,
    );
    parallelCoordinates(canvas, d.trials, s.objective, s.direction === "maximize");
    root.dataset.drawn = String(performance.now());
  }

  fetchSweep(id).then(
    (d) => {
      render(d);
      if (d.sweep.state === "RUNNING") {
        stop = every(3000, async () => {
          const next = await fetchSweep(id);
          render(next);
          return next.sweep.state === "RUNNING";
        });
      }
    },
    (e) => {
      clear(root);
      add(root, h("h1", {}, "Sweep ", id), h("p", { class: "error" }, e instanceof ApiError ? e.message : String(e)));
    },
  );
  return () => {
    stop();
    chart?.destroy();
  };
}
