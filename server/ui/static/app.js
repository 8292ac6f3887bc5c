// The run inspector: definitions (graph, input schema, recent runs, start form) and runs (graph with the
// run's path, saga timeline, waits, input, outcome, actions), live while a run is open. Hash routes:
// #/ · #/definitions/NAME · #/runs/WORKFLOW_ID

import { api, ApiError, idPath, seg } from "./api.js";
import { drawGraph, STATE_MARKS } from "./graph.js";
import { schemaForm } from "./forms.js";

const POLL_MS = 1000;
const main = document.getElementById("main");
const live = document.getElementById("live");

let generation = 0; // bumped on every navigation: a stale poll stops itself

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

const json = (value) => h("pre", { class: "json" }, JSON.stringify(value, null, 2));
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
const runHref = (id) => `#/runs/${encodeURIComponent(id)}`;

function badge(status) {
  const icons = { COMPLETED: "✓", RUNNING: "●", FAILED: "✗", CANCELED: "⊘", TERMINATED: "■", TIMED_OUT: "⏱" };
  return h("span", { class: `badge s-${status}`, "data-status": status }, `${icons[status] || "•"} ${status}`);
}

function stateWord(state) {
  if (!state) return h("span", { class: "muted" }, "not reached");
  const [icon, word] = STATE_MARKS[state] || ["•", state];
  return h("span", { class: `state-word st-${state}` }, `${icon} ${word}`);
}

function legend() {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    ...Object.keys(STATE_MARKS).map((s) => h("li", {}, stateWord(s))));
}

function errorBox(err) {
  const record = err instanceof ApiError ? err.record : { message: String(err) };
  return h("p", { class: "error-text", role: "alert" }, `${record.type ? `${record.type}: ` : ""}${record.message || err}`);
}

function meta(pairs) {
  const list = h("dl", { class: "meta" });
  for (const [key, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(h("dt", {}, key), h("dd", {}, value));
  }
  return list;
}

// ----------------------------------------------------------------------------------------------- navigation
async function loadDefinitions() {
  const list = document.getElementById("definition-list");
  try {
    const { definitions, invalid } = await api("/definitions");
    list.replaceChildren(...definitions.map((d) =>
      h("li", {}, h("a", { href: `#/definitions/${encodeURIComponent(d.name)}`, "data-definition": d.name }, d.name),
        d.kind === "code" ? h("span", { class: "muted" }, " (code)") : null)));
    for (const bad of invalid) list.append(h("li", { class: "error-text" }, `✗ ${bad.file} (invalid)`));
    markCurrent();
    return definitions;
  } catch (err) {
    list.replaceChildren(h("li", {}, errorBox(err)));
    return [];
  }
}

function markCurrent() {
  const name = decodeURIComponent((location.hash.match(/^#\/definitions\/([^/]+)/) || [])[1] || "");
  document.querySelectorAll("#definition-list a").forEach((a) => {
    if (a.dataset.definition === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

async function route() {
  const mine = ++generation;
  live.textContent = "";
  markCurrent();
  const hash = location.hash || "#/";
  let match;
  try {
    if ((match = hash.match(/^#\/definitions\/(.+)$/))) await showDefinition(decodeURIComponent(match[1]), mine);
    else if ((match = hash.match(/^#\/runs\/(.+)$/))) await showRun(decodeURIComponent(match[1]), mine);
    else await showHome(mine);
  } catch (err) {
    if (mine === generation) main.replaceChildren(errorBox(err));
  }
}

// ----------------------------------------------------------------------------------------------- home
async function showHome(mine) {
  const { runs } = await api("/runs?limit=20");
  if (mine !== generation) return;
  main.replaceChildren(
    h("h2", {}, "Recent runs"),
    runs.length ? runTable(runs) : h("p", { class: "muted" }, "No runs yet. Pick a definition to start one."),
  );
  document.title = "Temporal DSL inspector";
}

function runTable(runs) {
  return h("table", { class: "runs" },
    h("thead", {}, h("tr", {}, h("th", {}, "Run"), h("th", {}, "Definition"), h("th", {}, "Status"), h("th", {}, "Started"))),
    h("tbody", {}, ...runs.map((r) => h("tr", {},
      h("td", {}, h("a", { href: runHref(r.workflow_id), class: "mono" }, r.workflow_id)),
      h("td", {}, r.workflow_type), h("td", {}, badge(r.status)), h("td", {}, when(r.start_time))))));
}

// ----------------------------------------------------------------------------------------------- definition
async function showDefinition(name, mine) {
  const detail = await api(`/definitions/${seg(name)}`);
  if (mine !== generation) return;
  document.title = `${name} — Temporal DSL inspector`;
  const graphBox = h("div", { class: "graph-box", id: "graph" }, "Drawing…");
  const runsBox = h("div", { id: "recent-runs" }, "Loading…");
  const mermaid = h("pre", { class: "mermaid-text" });
  main.replaceChildren(
    h("h2", {}, name),
    detail.description ? h("p", {}, detail.description) : null,
    meta([
      ["kind", detail.kind], ["version", detail.version], ["file", detail.file], ["sha256", detail.sha256],
      ["commit", detail.commit], ["id template", detail.id_template],
    ]),
    h("h3", {}, "Graph"), legend(), graphBox,
    h("details", {}, h("summary", {}, "Mermaid text (tdsl graph)"), mermaid),
    h("div", { class: "columns" },
      h("section", { "aria-labelledby": "recent-title" }, h("h3", { id: "recent-title" }, "Recent runs"), runsBox),
      h("section", { "aria-labelledby": "start-title" }, h("h3", { id: "start-title" }, "Start a run"), startForm(name, detail))),
    h("h3", {}, "Input schema"), detail.input_schema ? json(detail.input_schema) : h("p", { class: "muted" }, "None (any input)."),
  );
  const [graph, recent] = await Promise.allSettled([
    detail.kind === "yaml" ? api(`/inspector/definitions/${seg(name)}/graph`) : Promise.resolve(null),
    api(`/runs?definition=${encodeURIComponent(name)}&limit=15`),
  ]);
  if (mine !== generation) return;
  if (graph.status === "fulfilled" && graph.value) {
    drawGraph(graphBox, graph.value, {
      titleOf: (node) => `${node.lines.join(" — ")}${node.line ? ` (${graph.value.file || name}:${node.line})` : ""}`,
    });
    mermaid.textContent = graph.value.mermaid;
  } else {
    graphBox.replaceChildren(graph.status === "rejected" ? errorBox(graph.reason) : h("p", { class: "muted" }, "Code workflows have no graph."));
  }
  if (recent.status === "fulfilled") {
    runsBox.replaceChildren(recent.value.runs.length ? runTable(recent.value.runs) : h("p", { class: "muted" }, "No runs yet."));
  } else runsBox.replaceChildren(errorBox(recent.reason));
}

function startForm(name, detail) {
  const form = schemaForm(detail.input_schema || null);
  const status = h("div", { class: "answer", "aria-live": "polite" });
  const idInput = h("input", { id: "start-workflow-id", autocomplete: "off" });
  return h("form", {
    class: "action start-form", novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      form.clear();
      status.textContent = "Starting…";
      const body = { input: form.value() ?? null };
      if (idInput.value.trim()) body.workflow_id = idInput.value.trim();
      try {
        const started = await api(`/definitions/${seg(name)}/runs`, { method: "POST", body });
        location.hash = runHref(started.workflow_id);
      } catch (err) {
        status.textContent = "";
        const violations = err instanceof ApiError ? err.violations.map((v) => ({ ...v, path: v.path.replace(/^\$\.input(?=$|[.[])/, "$") })) : [];
        form.showErrors(violations, err.message);
      }
    },
  },
  form.element,
  h("div", { class: "field" }, h("label", { for: "start-workflow-id" }, "Workflow id (optional)"), idInput),
  h("button", { type: "submit", class: "primary" }, "Start run"), status);
}

// ----------------------------------------------------------------------------------------------- run
async function showRun(id, mine) {
  const view = await api(`/inspector/runs/${idPath(id)}`);
  if (mine !== generation) return;
  document.title = `${id} — Temporal DSL inspector`;
  const parts = {
    header: h("div", { id: "run-header" }),
    graph: h("div", { class: "graph-box", id: "graph" }),
    step: h("div", { class: "panel", id: "step-panel", "aria-live": "polite" },
      h("p", { class: "muted" }, "Choose a step (click, or Tab and Enter) to see its calls, attempts and errors.")),
    outcome: h("section", { id: "outcome", "aria-labelledby": "outcome-title" }),
    waits: h("section", { id: "waits" }),
    saga: h("section", { id: "saga" }),
    input: h("section", { id: "input" }),
    actions: h("section", { id: "actions", "aria-labelledby": "actions-title" }),
  };
  main.replaceChildren(
    parts.header,
    h("div", { class: "columns" },
      h("div", {}, legend(), parts.graph),
      h("div", {}, parts.step, parts.outcome, parts.waits, parts.saga)),
    parts.actions, parts.input);
  let selected = null;
  const state = { view };
  const render = () => {
    renderRun(state.view, parts, selected, (node) => { selected = node.path; renderStep(state.view, node.path, parts.step); mark(); });
    mark();
  };
  const mark = () => parts.graph.querySelectorAll(".node").forEach((n) => n.classList.toggle("selected", n.dataset.path === selected));
  render();
  renderActions(view, parts.actions, async () => {
    state.view = await api(`/inspector/runs/${idPath(id)}`);
    if (mine !== generation) return;
    render();
    toggleActions(parts.actions, state.view.status === "RUNNING");
  });
  // Live: poll while the run is open (one last time after it closes).
  while (mine === generation && state.view.status === "RUNNING") {
    live.textContent = "● live";
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (mine !== generation) return;
    try {
      state.view = await api(`/inspector/runs/${idPath(id)}`);
    } catch (err) {
      continue;
    }
    if (mine !== generation) return;
    render();
    if (selected) renderStep(state.view, selected, parts.step);
  }
  if (mine !== generation) return;
  live.textContent = "";
  toggleActions(parts.actions, false);
}

/** Node states for the drawing: a running step that a pending wait belongs to is "waiting". */
function nodeStates(view) {
  const states = { ...(view.graph?.states || {}) };
  const waiting = new Set((view.waits || []).map((w) => String(w.step || "").replace(/\[\d+\]/g, "")));
  for (const node of view.graph?.nodes || []) {
    if (node.path && waiting.has(node.path) && (!states[node.id] || states[node.id] === "running")) states[node.id] = "waiting";
  }
  return states;
}

function renderRun(view, parts, selected, onSelect) {
  const where = view.file && view.outcome?.error?.line ? `${view.outcome.error.file || view.file}:${view.outcome.error.line}` : null;
  parts.header.replaceChildren(
    h("h2", {}, h("span", { class: "mono" }, view.workflow_id), " ", badge(view.status)),
    meta([
      ["definition", view.definition ? h("a", { href: `#/definitions/${encodeURIComponent(view.definition)}` }, view.definition) : view.workflow_type],
      ["version", view.version], ["sha256", view.sha256], ["commit", view.commit], ["file", view.file],
      ["started", when(view.start_time)], ["closed", view.close_time ? when(view.close_time) : null],
      ["history", view.history_length != null ? `${view.history_length} events` : null],
      ["Temporal", h("a", { href: view.temporal_ui, target: "_blank", rel: "noopener noreferrer", id: "temporal-link" }, "Open in Temporal Web UI ↗")],
    ]));
  if (view.graph) {
    const states = nodeStates(view);
    drawGraph(parts.graph, view.graph, {
      states,
      onSelect,
      titleOf: (node, state) => stepTitle(view, node, state),
    });
  } else parts.graph.replaceChildren(h("p", { class: "muted" }, "A code workflow: no graph."));
  // Outcome.
  const outcome = view.outcome || {};
  const body = [h("h3", { id: "outcome-title" }, "Outcome")];
  if (outcome.status === "RUNNING") body.push(h("p", { class: "muted" }, "Still running."));
  else if (outcome.status === "COMPLETED") body.push(h("p", {}, badge("COMPLETED"), " result:"), json(outcome.result));
  if (outcome.error) {
    const e = outcome.error;
    body.push(h("div", { class: "failure", role: "status" },
      h("p", {}, badge(outcome.status), " ", h("strong", {}, e.type), `: ${e.message}`),
      meta([["step", e.step], ["at", where || (e.line ? `${e.file}:${e.line}` : null)]])));
  }
  // The steps that failed, with their place in the file (also when failure_output turned the failure
  // into a result).
  for (const node of view.graph?.nodes || []) {
    if (node.path && view.graph.states[node.id] === "failed") {
      const step = view.steps?.[node.path] || {};
      const last = (step.calls || []).filter((c) => c.error).pop();
      body.push(h("p", { class: "failed-step", "data-step": node.path }, stateWord("failed"), " ", h("strong", {}, node.path),
        step.line ? h("span", { class: "mono" }, ` at ${view.file || "?"}:${step.line}`) : "",
        last ? h("span", { class: "error-text" }, ` — ${last.error}`) : ""));
    }
  }
  parts.outcome.replaceChildren(...body);
  // Pending waits.
  const waits = view.waits || [];
  parts.waits.replaceChildren(h("h3", {}, "Pending waits"), waits.length
    ? h("ul", { class: "waits" }, ...waits.map((w) => h("li", { "data-step": w.step },
      h("strong", {}, w.step), w.kind === "signal" ? ` waits for ${(w.signals || []).join(" | ")}` : ` ${w.kind || "timer"}`,
      w.until ? ` until ${when(w.until)}` : " (no deadline)")))
    : h("p", { class: "muted" }, "None."));
  // Saga timeline.
  const saga = view.saga || [];
  parts.saga.replaceChildren(h("h3", {}, "Compensations"), saga.length
    ? h("ol", { class: "saga" }, ...saga.map((c) => h("li", { "data-step": c.step, "data-status": c.status },
      h("strong", {}, c.step), ` → ${c.activity || "?"}: `, stateWord(c.status === "completed" ? "compensated" : c.status === "running" ? "running" : "failed"),
      c.attempt > 1 ? ` after ${c.attempt} attempts` : "", c.error ? h("span", { class: "error-text" }, ` ${c.error}`) : "",
      c.closed ? h("span", { class: "muted" }, ` (${when(c.closed)})`) : "")))
    : h("p", { class: "muted" }, "None ran."));
  parts.input.replaceChildren(h("h3", {}, "Input"), json(view.input ?? null));
}

function stepTitle(view, node, state) {
  const step = view.steps?.[node.path];
  if (!node.path) return `${node.lines.join(" — ")}${state ? ` (${state})` : ""}`;
  const calls = step?.calls || [];
  const last = calls[calls.length - 1];
  const bits = [node.lines.join(" — "), `state: ${state || "not reached"}`];
  if (step?.line) bits.push(`at ${view.file || ""}:${step.line}`);
  if (last) bits.push(`${last.what}: ${last.outcome}, attempt ${last.attempt}`);
  if (last?.error) bits.push(`error: ${last.error}`);
  return bits.join("\n");
}

function renderStep(view, path, panel) {
  const step = view.steps?.[path];
  const node = view.graph?.nodes.find((n) => n.path === path);
  const states = nodeStates(view);
  const calls = step?.calls || [];
  panel.replaceChildren(
    h("h3", {}, path),
    h("p", {}, stateWord(node ? states[node.id] : step?.state), step?.line ? h("span", { class: "mono" }, ` ${view.file || ""}:${step.line}`) : ""),
    calls.length ? h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "call"), h("th", {}, "outcome"), h("th", {}, "attempt"), h("th", {}, "error"))),
      h("tbody", {}, ...calls.map((c) => h("tr", {},
        h("td", { class: "mono" }, c.summary), h("td", {}, c.outcome), h("td", {}, String(c.attempt)),
        h("td", { class: "error-text" }, c.error || "")))))
      : h("p", { class: "muted" }, "No activity, timer or child run recorded for this step."));
}

// ----------------------------------------------------------------------------------------------- actions
function toggleActions(section, open) {
  section.querySelectorAll("[data-needs-open] button, [data-needs-open] input, [data-needs-open] select, [data-needs-open] textarea")
    .forEach((el) => { el.disabled = !open; });
}

function confirmAction(title, message, extra = null) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("#confirm-title").textContent = title;
  dialog.querySelector(".confirm-message").textContent = message;
  dialog.querySelector(".confirm-extra").replaceChildren(...(extra ? [extra] : []));
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

function payloadAction(kind, name, decl, id, refresh) {
  const form = schemaForm(decl.schema || null);
  const answer = h("div", { class: "answer", "aria-live": "polite" });
  const route = kind === "signal" ? "signals" : "updates";
  return h("form", {
    class: "action", "data-needs-open": "", "data-action": `${kind}:${name}`, novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      form.clear();
      answer.textContent = "Sending…";
      const value = form.value();
      try {
        const result = await api(`/runs/${idPath(id)}/${route}/${seg(name)}`, { method: "POST", body: value === undefined ? null : value });
        answer.replaceChildren(kind === "signal" ? h("span", {}, `✓ signal ${name} sent`) : h("div", {}, `✓ update ${name} answered:`, json(result.result)));
        await refresh();
      } catch (err) {
        answer.textContent = "";
        form.showErrors(err instanceof ApiError ? err.violations : [], `${err.record?.type ? `${err.record.type}: ` : ""}${err.message}`);
      }
    },
  },
  h("h4", {}, `${kind} `, h("code", {}, name)), decl.description ? h("p", { class: "field-help" }, decl.description) : null,
  form.element, h("button", { type: "submit", class: "primary" }, `Send ${name}`), answer);
}

function renderActions(view, section, refresh) {
  const id = view.workflow_id;
  const handlers = view.handlers || { signals: {}, queries: {}, updates: {} };
  const open = view.status === "RUNNING";
  const queries = Object.entries(handlers.queries || {});
  const reason = h("input", { id: "terminate-reason", autocomplete: "off" });
  const message = h("div", { class: "answer", "aria-live": "polite" });
  section.replaceChildren(...[
    h("h3", { id: "actions-title" }, "Act on the run"),
    ...Object.entries(handlers.signals || {}).map(([name, decl]) => payloadAction("signal", name, decl, id, refresh)),
    ...Object.entries(handlers.updates || {}).map(([name, decl]) => payloadAction("update", name, decl, id, refresh)),
    queries.length ? h("div", { class: "action" }, h("h4", {}, "Queries"),
      ...queries.map(([name, decl]) => {
        const out = h("span", { class: "answer mono", "aria-live": "polite", "data-query-answer": name });
        return h("div", { class: "field" },
          h("button", { type: "button", "data-query": name, title: decl.description || "", onclick: async () => {
            out.textContent = "…";
            try { out.textContent = ` = ${JSON.stringify((await api(`/runs/${idPath(id)}/queries/${seg(name)}`)).result)}`; }
            catch (err) { out.textContent = ` ${err.message}`; }
          } }, `Ask ${name}`), out);
      })) : null,
    h("div", { class: "action", "data-needs-open": "" }, h("h4", {}, "Stop the run"),
      h("button", { type: "button", class: "danger", id: "cancel-run", onclick: async () => {
        if (!(await confirmAction("Cancel this run?", `${id} compensates what it did, then ends CANCELED.`))) return;
        try { await api(`/runs/${idPath(id)}/cancel`, { method: "POST" }); message.textContent = "Cancellation requested."; await refresh(); }
        catch (err) { message.textContent = err.message; }
      } }, "Cancel…"), " ",
      h("button", { type: "button", class: "danger", id: "terminate-run", onclick: async () => {
        const extra = h("div", { class: "field" }, h("label", { for: "terminate-reason" }, "Reason (optional)"), reason);
        if (!(await confirmAction("Terminate this run?", `${id} ends at once, without compensation.`, extra))) return;
        try { await api(`/runs/${idPath(id)}/terminate`, { method: "POST", body: reason.value ? { reason: reason.value } : {} }); message.textContent = "Terminated."; await refresh(); }
        catch (err) { message.textContent = err.message; }
      } }, "Terminate…"), message),
  ].filter(Boolean));
  toggleActions(section, open);
}

// ----------------------------------------------------------------------------------------------- start
document.getElementById("open-run").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = event.target.elements.id.value.trim();
  if (id) location.hash = runHref(id);
});
window.addEventListener("hashchange", () => { route(); main.focus(); });
loadDefinitions().then(() => route());

