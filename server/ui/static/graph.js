// Draw a definition's graph (the JSON of GET /inspector/definitions/{name}/graph or a run's `graph`) as SVG:
// a layered top-to-bottom layout, compensation nodes beside their step, run states as colour AND icon + word.

const SVG = "http://www.w3.org/2000/svg";
const LINE_HEIGHT = 16;
const CHAR_WIDTH = 7.6; // a bold 12px character, generously
const MAX_WIDTH = 360;
const MAX_CHARS = Math.floor((MAX_WIDTH - 2 * 12) / CHAR_WIDTH) - 3; // room for the state icon
const PAD_X = 12;
const PAD_Y = 8;
const GAP_X = 28;
const GAP_Y = 44;

/** The icon and word of each run state (never colour alone). */
export const STATE_MARKS = {
  completed: ["✓", "completed"],
  running: ["●", "running"],
  waiting: ["‖", "waiting"],
  failed: ["✗", "failed"],
  skipped: ["–", "skipped"],
  compensated: ["↺", "compensated"],
};

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

/** Edges that close a loop (found by a depth-first walk from the start in document order). */
function backEdges(graph) {
  const out = new Map(graph.nodes.map((n) => [n.id, []]));
  graph.edges.forEach((e, i) => out.get(e.source)?.push([e.target, i]));
  const state = new Map();
  const back = new Set();
  const visit = (id) => {
    state.set(id, 1);
    for (const [target, index] of out.get(id) || []) {
      if (state.get(target) === 1) back.add(index);
      else if (!state.has(target)) visit(target);
    }
    state.set(id, 2);
  };
  for (const node of graph.nodes) if (!state.has(node.id)) visit(node.id);
  return back;
}

/** A label line as drawn: long lines end in "…" (the node's tooltip has them whole). */
const clip = (line) => (line.length > MAX_CHARS ? `${line.slice(0, MAX_CHARS - 1)}…` : line);

function size(node) {
  const longest = Math.max(...node.lines.map((l) => clip(l).length), 4) + 3; // room for the state icon
  let width = Math.min(Math.max(longest * CHAR_WIDTH + 2 * PAD_X, 60), MAX_WIDTH);
  let height = node.lines.length * LINE_HEIGHT + 2 * PAD_Y;
  if (node.shape === "circle") { width = Math.max(width, 56); height = Math.max(height, 40); }
  if (node.shape === "diamond") { width += 40; height += 22; }
  if (node.shape === "hexagon") width += 24;
  return { width, height };
}

/** Positions of every node: {id: {x, y, width, height}} (x, y the centre) and the drawing's size. */
export function layout(graph) {
  const back = backEdges(graph);
  const side = new Set(graph.nodes.filter((n) => n.role === "compensate").map((n) => n.id));
  const owner = new Map();
  graph.edges.forEach((e) => { if (side.has(e.target) && e.style === "dashed") owner.set(e.target, e.source); });
  const incoming = new Map(graph.nodes.map((n) => [n.id, []]));
  graph.edges.forEach((e, i) => {
    if (!back.has(i) && !side.has(e.target) && !side.has(e.source)) incoming.get(e.target)?.push(e.source);
  });
  // Longest path from the sources: a node sits one layer below its lowest predecessor.
  const layer = new Map();
  const depth = (id, seen = new Set()) => {
    if (layer.has(id)) return layer.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const preds = incoming.get(id) || [];
    const value = preds.length ? Math.max(...preds.map((p) => depth(p, seen))) + 1 : 0;
    layer.set(id, value);
    return value;
  };
  graph.nodes.forEach((n) => { if (!side.has(n.id)) depth(n.id); });
  // The end is drawn last, below everything.
  const bottom = Math.max(0, ...layer.values());
  graph.nodes.forEach((n) => { if ((n.role === "end" || n.role === "failed") && (incoming.get(n.id) || []).length) layer.set(n.id, bottom + 1); });
  const layers = [];
  graph.nodes.forEach((n) => {
    if (side.has(n.id)) return;
    const index = layer.get(n.id);
    (layers[index] ||= []).push(n);
  });
  const sizes = new Map(graph.nodes.map((n) => [n.id, size(n)]));
  const pos = {};
  // Order each layer by the mean position of its predecessors (one pass keeps branches apart).
  let y = 20;
  let widest = 0;
  const rows = [];
  for (const row of layers.filter(Boolean)) {
    const order = row.map((n, i) => {
      const preds = (incoming.get(n.id) || []).filter((p) => pos[p]);
      const mean = preds.length ? preds.reduce((s, p) => s + pos[p].x, 0) / preds.length : i;
      return [mean, i, n];
    }).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((t) => t[2]);
    const height = Math.max(...order.map((n) => sizes.get(n.id).height));
    const width = order.reduce((s, n) => s + sizes.get(n.id).width, 0) + GAP_X * (order.length - 1);
    let x = -width / 2;
    for (const n of order) {
      const s = sizes.get(n.id);
      pos[n.id] = { x: x + s.width / 2, y: y + height / 2, ...s };
      x += s.width + GAP_X;
    }
    rows.push(order);
    widest = Math.max(widest, width);
    y += height + GAP_Y;
  }
  // Compensation nodes: to the right of their step.
  let right = widest / 2;
  for (const id of side) {
    const base = pos[owner.get(id)];
    const s = sizes.get(id);
    if (!base) continue;
    pos[id] = { x: base.x + base.width / 2 + GAP_X * 3.5 + s.width / 2, y: base.y, ...s };
    right = Math.max(right, pos[id].x + s.width / 2);
  }
  const left = Math.min(-widest / 2, ...Object.values(pos).map((p) => p.x - p.width / 2));
  return { pos, back, left: left - 40, right: right + 20, height: y };
}

function shape(node, box, group) {
  const { x, y, width: w, height: h } = box;
  const cls = "shape";
  switch (node.shape) {
    case "diamond":
      return el("polygon", { class: cls, points: `${x},${y - h / 2} ${x + w / 2},${y} ${x},${y + h / 2} ${x - w / 2},${y}` }, group);
    case "hexagon": {
      const d = 12;
      return el("polygon", { class: cls, points: `${x - w / 2 + d},${y - h / 2} ${x + w / 2 - d},${y - h / 2} ${x + w / 2},${y} ${x + w / 2 - d},${y + h / 2} ${x - w / 2 + d},${y + h / 2} ${x - w / 2},${y}` }, group);
    }
    case "lean": {
      const d = 10;
      return el("polygon", { class: cls, points: `${x - w / 2 + d},${y - h / 2} ${x + w / 2},${y - h / 2} ${x + w / 2 - d},${y + h / 2} ${x - w / 2},${y + h / 2}` }, group);
    }
    case "circle":
      return el("ellipse", { class: cls, cx: x, cy: y, rx: w / 2, ry: h / 2 }, group);
    default: {
      const radius = { round: 8, stadium: h / 2 }[node.shape] || 2;
      const rect = el("rect", { class: cls, x: x - w / 2, y: y - h / 2, width: w, height: h, rx: radius }, group);
      if (node.shape === "subroutine") {
        el("line", { class: "shape-inner", x1: x - w / 2 + 6, y1: y - h / 2, x2: x - w / 2 + 6, y2: y + h / 2 }, group);
        el("line", { class: "shape-inner", x1: x + w / 2 - 6, y1: y - h / 2, x2: x + w / 2 - 6, y2: y + h / 2 }, group);
      }
      return rect;
    }
  }
}

function edgePath(edge, a, b, isBack, left) {
  if (edge.style === "dashed" && Math.abs(a.y - b.y) < 1) {
    return { d: `M${a.x + a.width / 2},${a.y} L${b.x - b.width / 2},${b.y}`, lx: (a.x + a.width / 2 + b.x - b.width / 2) / 2, ly: a.y - 6 };
  }
  if (isBack) {
    const x = Math.min(left + 20, a.x - a.width / 2 - 24, b.x - b.width / 2 - 24);
    const d = `M${a.x - a.width / 2},${a.y} C${x},${a.y} ${x},${b.y} ${b.x - b.width / 2},${b.y}`;
    return { d, lx: x + 4, ly: (a.y + b.y) / 2 };
  }
  const y1 = a.y + a.height / 2;
  const y2 = b.y - b.height / 2;
  const mid = (y1 + y2) / 2;
  return { d: `M${a.x},${y1} C${a.x},${mid} ${b.x},${mid} ${b.x},${y2}`, lx: (a.x + b.x) / 2, ly: mid };
}

/**
 * Draw `graph` into `container` (replacing its content). `states` maps node ids to run states; `onSelect`
 * is called with a step node when it is clicked or chosen with Enter/Space (step nodes are focusable).
 */
export function drawGraph(container, graph, { states = {}, onSelect = null, titleOf = null } = {}) {
  const { pos, back, left, right, height } = layout(graph);
  const width = right - left;
  const svg = el("svg", {
    viewBox: `${left} 0 ${width} ${height}`, width, height, role: "group",
    "aria-label": `Graph of ${graph.name}`, class: "graph",
  });
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }, marker);
  const edges = el("g", { class: "edges" }, svg);
  graph.edges.forEach((edge, i) => {
    const a = pos[edge.source];
    const b = pos[edge.target];
    if (!a || !b) return;
    const p = edgePath(edge, a, b, back.has(i), left);
    el("path", { d: p.d, class: `edge edge-${edge.style}`, "marker-end": "url(#arrow)" }, edges);
    if (edge.label) {
      const text = el("text", { x: p.lx, y: p.ly, class: "edge-label", "text-anchor": "middle" }, edges);
      text.textContent = edge.label;
    }
  });
  const nodes = el("g", { class: "nodes" }, svg);
  for (const node of graph.nodes) {
    const box = pos[node.id];
    if (!box) continue;
    const state = states[node.id] || null;
    const group = el("g", {
      class: `node role-${node.role}${state ? ` st-${state}` : ""}`,
      "data-node": node.id,
      "data-state": state || "",
    }, nodes);
    if (node.path) group.setAttribute("data-path", node.path);
    shape(node, box, group);
    const mark = state ? STATE_MARKS[state] : null;
    const top = box.y - (node.lines.length * LINE_HEIGHT) / 2 + LINE_HEIGHT - 4;
    node.lines.forEach((line, i) => {
      const text = el("text", { x: box.x, y: top + i * LINE_HEIGHT, "text-anchor": "middle", class: i ? "node-sub" : "node-title" }, group);
      text.textContent = i === 0 && mark ? `${mark[0]} ${clip(line)}` : clip(line);
    });
    const title = el("title", {}, group);
    const label = `${node.lines.join(" — ")}${mark ? ` (${mark[1]})` : ""}`;
    title.textContent = titleOf ? titleOf(node, state) || label : label;
    if (node.path && onSelect) {
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("aria-label", label);
      group.addEventListener("click", () => onSelect(node));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onSelect(node); }
      });
    }
  }
  container.replaceChildren(svg);
  return svg;
}
