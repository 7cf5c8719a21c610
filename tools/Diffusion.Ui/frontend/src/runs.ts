/** The runs page: the filter language with inline caret errors, sort, chosen columns, status badges, paging. */
import { ApiError, FilterError, RunPage, runs } from "./api";
import { add, badge, clear, duration, h, time, value } from "./dom";

const attributeSorts: Record<string, string> = { name: "name", experiment: "experiment", status: "status", started: "start_time", duration: "duration" };

/** The order-by key for a search column's title (params.lr, metrics.train/loss.min, tags.note). */
export function sortKey(title: string): string {
  const dot = title.indexOf(".");
  const prefix = title.slice(0, dot);
  let key = title.slice(dot + 1);
  let aggregate = "";
  if (prefix === "metrics") {
    const match = /\.(last|min|max|count|step)$/.exec(key);
    if (match) {
      aggregate = match[0];
      key = key.slice(0, -aggregate.length);
    }
  }
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(key) ? `${prefix}.${key}${aggregate}` : `${prefix}.\`${key}\`${aggregate}`;
}

export function runsPage(root: HTMLElement, params: URLSearchParams): () => void {
  const state = {
    filter: params.get("filter") ?? "",
    order: params.get("order") ?? "",
    columns: params.get("columns") ?? "",
    limit: Number(params.get("limit") ?? 50),
    offset: Number(params.get("offset") ?? 0),
  };
  const selected = new Set<string>();

  const filter = h("input", { class: "filter", placeholder: "filter, e.g. params.lr < 1e-3 AND metrics.loss < 0.2 AND status = 'COMPLETED'", value: state.filter, spellcheck: "false" });
  const order = h("input", { class: "order", placeholder: "order by, e.g. metrics.loss ASC", value: state.order, spellcheck: "false" });
  const columns = h("input", { class: "columns", placeholder: "columns, e.g. params.lr, metrics.loss.min", value: state.columns, spellcheck: "false" });
  const error = h("div", { class: "filter-error", hidden: true });
  const results = h("div", { class: "results" });
  const compare = h("button", { class: "compare", disabled: true }, "Compare");
  const form = h(
    "form",
    { class: "search" },
    h("div", { class: "row" }, filter),
    h("div", { class: "row" }, order, columns, h("button", { type: "submit" }, "Apply"), compare),
    error,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    state.filter = filter.value.trim();
    state.order = order.value.trim();
    state.columns = columns.value.trim();
    state.offset = 0;
    navigate();
  });
  compare.addEventListener("click", (e) => {
    e.preventDefault();
    location.hash = `#/compare?ids=${[...selected].join(",")}`;
  });
  add(root, h("h1", {}, "Runs"), form, results);

  function navigate(): void {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v !== "" && !(k === "offset" && v === 0) && !(k === "limit" && v === 50)) query.set(k, String(v));
    const hash = `#/runs${query.size ? "?" + query : ""}`;
    if (location.hash === hash) void load();
    else location.hash = hash;
  }

  function updateCompare(): void {
    compare.disabled = selected.size < 2 || selected.size > 10;
    compare.textContent = `Compare (${selected.size})`;
  }

  function sortBy(key: string): void {
    const current = state.order.trim();
    state.order = current === `${key} ASC` || current === key ? `${key} DESC` : `${key} ASC`;
    order.value = state.order;
    state.offset = 0;
    navigate();
  }

  async function load(): Promise<void> {
    const query = new URLSearchParams();
    if (state.filter) query.set("filter", state.filter);
    if (state.order) query.set("order", state.order);
    if (state.columns) query.set("columns", state.columns);
    query.set("limit", String(state.limit));
    query.set("offset", String(state.offset));
    results.setAttribute("aria-busy", "true");
    try {
      const page = await runs(query);
      error.hidden = true;
      render(page);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && e.body?.expression !== undefined) showFilterError(e.body as FilterError);
      else showError(e);
    } finally {
      results.removeAttribute("aria-busy");
    }
  }

  function showFilterError(problem: FilterError): void {
    clear(error);
    const expression = problem.expression.replace(/\s/g, " ");
    const carets = " ".repeat(problem.start) + "^".repeat(Math.max(1, Math.min(problem.length, expression.length - problem.start)));
    add(error, 
      h("div", { class: "message" }, `--${problem.clause}: ${problem.error}`),
      h("pre", { class: "caret" }, expression + "\n" + carets),
    );
    error.hidden = false;
    const input = problem.clause === "order-by" ? order : problem.clause === "columns" ? columns : filter;
    input.focus();
    input.setSelectionRange(problem.start, problem.start + problem.length);
    clear(results);
  }

  function showError(e: unknown): void {
    clear(error);
    add(error, h("div", { class: "message" }, String((e as Error).message ?? e)));
    error.hidden = false;
  }

  function render(page: RunPage): void {
    clear(results);
    const header = (label: string, key?: string) => {
      const active = key && (state.order === key || state.order.startsWith(key + " "));
      const arrow = active ? (state.order.endsWith("DESC") ? " ▼" : " ▲") : "";
      return key ? h("th", {}, h("a", { href: "#", class: "sort", onclick: (e: Event) => { e.preventDefault(); sortBy(key); } }, label + arrow)) : h("th", {}, label);
    };
    const rows = page.rows.map(({ run, values }) => {
      const box = h("input", { type: "checkbox", checked: selected.has(run.id), "aria-label": `select ${run.id}` });
      box.addEventListener("change", () => {
        if (box.checked) selected.add(run.id);
        else selected.delete(run.id);
        updateCompare();
      });
      return h(
        "tr",
        {},
        h("td", {}, box),
        h("td", { class: "mono" }, h("a", { href: `#/run/${run.id}` }, run.id)),
        h("td", {}, run.name),
        h("td", {}, run.experiment),
        h("td", { title: run.message ?? "" }, badge(run.status)),
        h("td", { class: "nowrap" }, time(run.start)),
        h("td", { class: "num" }, duration(run.seconds)),
        values.map((v) => h("td", { class: "num" }, value(v))),
      );
    });
    const first = page.rows.length ? page.offset + 1 : 0;
    const pager = h(
      "div",
      { class: "pager" },
      h("button", { class: "prev", disabled: page.offset === 0, onclick: () => { state.offset = Math.max(0, page.offset - page.limit); navigate(); } }, "‹ Previous"),
      h("span", { class: "range" }, page.rows.length ? `runs ${first}–${page.offset + page.rows.length}${page.more ? "" : " (last page)"}` : "no runs match"),
      h("button", { class: "next", disabled: !page.more, onclick: () => { state.offset = page.offset + page.limit; navigate(); } }, "Next ›"),
      h(
        "select",
        { class: "page-size", onchange: (e: Event) => { state.limit = Number((e.target as HTMLSelectElement).value); state.offset = 0; navigate(); } },
        [25, 50, 100, 200, 500].map((n) => h("option", { value: String(n), selected: n === state.limit }, `${n} a page`)),
      ),
    );
    add(results, 
      h(
        "table",
        { class: "runs" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, ""),
            h("th", {}, "id"),
            header("name", attributeSorts.name),
            header("experiment", attributeSorts.experiment),
            header("status", attributeSorts.status),
            header("started", attributeSorts.started),
            header("duration", attributeSorts.duration),
            page.columns.map((c) => header(c, sortKey(c))),
          ),
        ),
        h("tbody", {}, rows),
      ),
      pager,
    );
    updateCompare();
    results.dataset.drawn = String(performance.now());
  }

  void load();
  return () => {};
}
