/** The dashboard's entry: a hash router over the runs, run, compare, sweeps and sweep pages. */
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { get } from "./api";
import { clear } from "./dom";
import { comparePage } from "./compare";
import { runPage } from "./run";
import { runsPage } from "./runs";
import { sweepPage, sweepsPage } from "./sweeps";

let leave: () => void = () => {};

function route(): void {
  const page = document.getElementById("page")!;
  leave();
  clear(page);
  delete page.dataset.drawn;
  const hash = location.hash.replace(/^#/, "") || "/runs";
  const [path, query = ""] = hash.split("?", 2);
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const name = parts[0] ?? "runs";
  document.querySelectorAll<HTMLAnchorElement>("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === (name.startsWith("sweep") ? "sweeps" : "runs")));
  page.className = `page-${name}`;
  if (name === "run" && parts[1]) leave = runPage(page, parts[1]);
  else if (name === "compare") leave = comparePage(page, params);
  else if (name === "sweeps") leave = sweepsPage(page);
  else if (name === "sweep" && parts[1]) leave = sweepPage(page, parts[1]);
  else leave = runsPage(page, params);
  document.title = `Diffusion · ${name}`;
}

window.addEventListener("hashchange", route);
route();
get<{ location: string }>("/api/info").then(
  (info) => (document.getElementById("store")!.textContent = info.location),
  () => {},
);
