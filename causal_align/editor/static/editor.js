/* causal-align edit: the page. It draws what the Python engine says and sends edits back;
   it never decides d-separation itself. User text only ever reaches the DOM as textContent. */
"use strict";
(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const SVGNS = "http://www.w3.org/2000/svg";
  const UNFINISHED = new Set(["E_EMPTY_FILE", "E_EMPTY_SET", "E_MISSING_KEY"]);
  const HEIGHT = 30;
  const DAGRE_LIMIT = 150;       // more nodes than this: the linear-time layering below
  const PNG_SIDE = 16384, PNG_AREA = 1e8;  // the largest PNG drawn (a canvas's limits)

  let state = null;
  let view = "sigma";            // "sigma": G_σ, "g": G
  let selected = null;           // a node name
  let selectedEdge = null;       // {tail, head, bidirected, undirected, added}
  let connecting = null;         // {from, arrow}: arrow "->", "<->" or "--"
  let computed = {};             // positions from the layout library, for nodes the file leaves out
  let routes = {};               // dagre's edge routes by edge key: {tail, head, from, to, points}
  let orientPreview = null;      // {tail, head}: a -- edge drawn as tail -> head while previewed
  let routesTried = false;       // routes looked for on the first picture
  let edgeTurn = null;           // {node, index}: the edge E selected last, among node's edges
  let zoom = {x: 40, y: 40, k: 1};
  let textTimer = null;
  let messageTimer = null;
  let diskWarned = false;
  let fitted = false;
  window.editorTimings = [];

  // -- talking to the server ---------------------------------------------------------------

  async function api(method, route, body) {
    const response = await fetch(route, {
      method, cache: "no-store",
      headers: {"Content-Type": "application/json", "X-Causal-Align-Token": token},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (error) { data = {message: String(error)}; }
    return {ok: response.ok, status: response.status, data};
  }

  async function post(route, body, what) {
    const started = performance.now();
    const {ok, status, data} = await api("POST", route, body || {});
    if (!ok) { refused(status, data); return null; }
    if (data.text !== undefined) setState(data);
    window.editorTimings.push({what: what || route, ms: performance.now() - started, render: window.editorRender,
                               nodes: state && state.picture ? state.picture.nodes.length : 0});
    return data;
  }

  function act(action) { return post("/api/action", {action}, action.op); }

  function refused(status, data) {
    if (data.error === "E_EDIT_CONFLICT") { showConflict(data.message); return; }
    let text = data.message || `request failed (${status})`;
    if (data.problems && data.problems.length) {
      text = data.problems.map((p) => `${p.message} [${p.code}]`).join("\n");
    }
    say(text, false, data.problems && data.problems.length ? data.problems[0].code : data.error);
  }

  function say(text, ok, code) {
    const box = $("message");
    box.textContent = text;
    box.className = ok ? "ok" : "";
    box.dataset.code = code || "";
    box.hidden = false;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => { box.hidden = true; }, ok ? 2500 : 9000);
  }

  // -- state -------------------------------------------------------------------------------

  function setState(data) {
    const started = performance.now();
    state = data;
    orientPreview = null;
    const picture = state.picture;
    byName = new Map(picture ? picture.nodes.map((n) => [n.name, n]) : []);
    $("graph-name").textContent = picture ? picture.name : state.path;
    document.title = `${picture ? picture.name : "new diagram"}${state.dirty ? " •" : ""} — causal-align edit`;
    $("dirty").hidden = !state.dirty;
    $("undo").disabled = !state.can_undo;
    $("redo").disabled = !state.can_redo;
    if (document.activeElement !== $("text") && $("text").value !== state.text) $("text").value = state.text;
    drawProblems();
    drawVerdict();
    if (picture) {
      if (selected && !byName.has(selected)) selected = null;
      placeNodes();
      draw();
    }
    drawSide();
    if (!fitted && picture && picture.nodes.length) fit();
    fitted = true;  // only the diagram first opened is fitted: later edits keep the view
    document.body.dataset.version = String(state.version);
    window.editorRender = performance.now() - started;
  }

  let byName = new Map();
  function node(name) { return byName.get(name); }
  function has(name, role) { const n = node(name); return !!n && n.roles.includes(role); }
  function verdict() { return state && state.picture ? state.picture.verdict : null; }
  function uncertain() { return state && state.picture ? state.picture.uncertain : null; }
  function uncertainEdges() { return state && state.picture ? state.picture.uncertain_edges : null; }
  function picked(e) {
    return {tail: e.tail, head: e.head, bidirected: e.bidirected, undirected: !!e.undirected, added: !!e.added,
            uncertain: !!e.uncertain, shift: !!e.shift};
  }
  function chance(p) { return String(Math.round(p * 1000) / 1000); }

  // -- layout ------------------------------------------------------------------------------

  function width(name) { return Math.max(44, 8.2 * name.length + 22); }

  function placeNodes() {
    const nodes = state.picture.nodes;
    const missing = nodes.filter((n) => !n.position && !computed[n.name]);
    if (missing.length) layOut(false);
    else if (!routesTried && nodes.length && nodes.length <= DAGRE_LIMIT) {
      // every node placed by the file: where it is dagre's own layout (written by Layout and
      // saved), dagre's routes apply again
      routes = dagreLayout(state.picture).drawn;
    }
    routesTried = true;
  }

  function layOut(all) {
    const picture = state.picture;
    const big = picture.nodes.length > DAGRE_LIMIT;
    const {placed, drawn} = big ? {placed: layered(picture), drawn: {}} : dagreLayout(picture);
    if (all) { routes = drawn; return placed; }
    // nodes the file places stay put; the others go where the layout puts them, moved clear
    const fixed = picture.nodes.filter((n) => n.position);
    let dx = 0;
    if (fixed.length) {
      const right = Math.max(...fixed.map((n) => n.position[0] + width(n.name) / 2));
      const left = Math.min(...Object.values(placed).map((p) => p.x));
      dx = right + 60 - left;
    }
    const fresh = new Set();
    for (const n of picture.nodes) {
      if (!n.position && !computed[n.name]) {
        computed[n.name] = {x: placed[n.name].x + dx, y: placed[n.name].y};
        fresh.add(n.name);
      }
    }
    // a route holds while both its ends are where this layout put them (checked when drawn)
    for (const [key, route] of Object.entries(drawn)) {
      if (fresh.has(route.tail) && fresh.has(route.head)) routes[key] = shifted(route, dx);
    }
    return placed;
  }

  function shifted(route, dx) {
    const move = (p) => ({x: p.x + dx, y: p.y});
    return {...route, from: move(route.from), to: move(route.to), points: route.points.map(move)};
  }

  function dagreLayout(picture) {
    const graph = new dagre.graphlib.Graph();
    graph.setGraph({rankdir: "TB", nodesep: 28, ranksep: 55, marginx: 10, marginy: 10});
    graph.setDefaultEdgeLabel(() => ({}));
    for (const n of picture.nodes) graph.setNode(n.name, {width: width(n.name), height: HEIGHT});
    const laid = [];  // -> edges, and -- edges the way they are known to point (else as drawn)
    for (const e of picture.edges) {
      if (e.bidirected) continue;
      const [tail, head] = e.undirected && e.oriented ? e.oriented : [e.tail, e.head];
      if (graph.hasEdge(tail, head) || graph.hasEdge(head, tail)) continue;
      graph.setEdge(tail, head);
      laid.push({key: edgeKey(e.tail, e.head, arrowOf(e)), tail, head});
    }
    dagre.layout(graph);
    const placed = {};
    for (const n of picture.nodes) {
      const spot = graph.node(n.name);
      placed[n.name] = {x: Math.round(spot.x), y: Math.round(spot.y)};
    }
    const drawn = {};
    for (const {key, tail, head} of laid) {
      const points = (graph.edge(tail, head) || {}).points;
      if (points && points.length >= 2 && points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) {
        drawn[key] = {tail, head, from: placed[tail], to: placed[head], points: points.map((p) => ({x: p.x, y: p.y}))};
      }
    }
    return {placed, drawn};
  }

  function layered(picture) {
    // big diagrams: dagre's crossing reduction grows too fast, so a linear-time layering —
    // longest path from a source gives the row, two barycentre sweeps the order in each row
    const parents = new Map(picture.nodes.map((n) => [n.name, []]));
    const children = new Map(picture.nodes.map((n) => [n.name, []]));
    for (const e of picture.edges) if (!e.bidirected && !e.undirected) { children.get(e.tail).push(e.head); parents.get(e.head).push(e.tail); }
    const waiting = new Map(picture.nodes.map((n) => [n.name, parents.get(n.name).length]));
    const queue = picture.nodes.filter((n) => !waiting.get(n.name)).map((n) => n.name);
    const rank = new Map(queue.map((name) => [name, 0]));
    for (let i = 0; i < queue.length; i++) {
      for (const child of children.get(queue[i])) {
        rank.set(child, Math.max(rank.get(child) || 0, rank.get(queue[i]) + 1));
        waiting.set(child, waiting.get(child) - 1);
        if (!waiting.get(child)) queue.push(child);
      }
    }
    const rows = [];
    for (const n of picture.nodes) { const r = rank.get(n.name) || 0; (rows[r] = rows[r] || []).push(n.name); }
    const place = new Map();
    const share = (name) => place.get(name) / Math.max(1, rows[rank.get(name) || 0].length);
    rows.forEach((row) => row.forEach((name, i) => place.set(name, i)));
    for (let sweep = 0; sweep < 2; sweep++) {
      for (const row of rows.slice(1)) {
        if (!row) continue;
        const centre = new Map(row.map((name) => {
          const above = parents.get(name);
          return [name, above.length ? above.reduce((sum, p) => sum + share(p), 0) / above.length : share(name)];
        }));
        row.sort((a, b) => centre.get(a) - centre.get(b));
        row.forEach((name, i) => place.set(name, i));
      }
    }
    const placed = {};
    rows.forEach((row, r) => {
      if (!row) return;
      let x = 0;
      const widths = row.map((name) => width(name) + 24);
      const total = widths.reduce((a, b) => a + b, 0);
      row.forEach((name, i) => { placed[name] = {x: Math.round(x - total / 2 + widths[i] / 2), y: r * 90}; x += widths[i]; });
    });
    return placed;
  }

  function where(name) {
    const n = node(name);
    if (n && n.position) return {x: n.position[0], y: n.position[1]};
    return computed[name] || {x: 0, y: 0};
  }

  // -- drawing -----------------------------------------------------------------------------

  function el(tag, attributes, parent) {
    const made = document.createElementNS(SVGNS, tag);
    for (const [key, value] of Object.entries(attributes || {})) made.setAttribute(key, value);
    if (parent) parent.appendChild(made);
    return made;
  }

  function arrowOf(e) { return e.undirected ? "--" : e.bidirected ? "<->" : "->"; }

  function edgeKey(tail, head, arrow) {
    return arrow === "->" ? `${tail}->${head}` : [tail, head].sort().join(arrow);
  }

  function near(p, q) { return Math.abs(p.x - q.x) < 0.5 && Math.abs(p.y - q.y) < 0.5; }

  function routeFor(key, tail, head) {
    // dagre's route for the edge, from tail to head, while both ends are where dagre put them;
    // null once either end has been moved (the edge is then drawn straight)
    const route = routes[key];
    if (!route || !near(route.from, where(route.tail)) || !near(route.to, where(route.head))) return null;
    if (route.tail === tail && route.head === head) return route.points;
    if (route.tail === head && route.head === tail) return route.points.slice().reverse();
    return null;
  }

  function routePath(points) {
    // a smooth curve through dagre's bend points, ending on the last segment's direction
    let d = `M${points[0].x},${points[0].y}`;
    for (let i = 1; i < points.length - 1; i++) {
      const next = points[i + 1];
      const to = i === points.length - 2 ? next : {x: (points[i].x + next.x) / 2, y: (points[i].y + next.y) / 2};
      d += ` Q${points[i].x},${points[i].y} ${to.x},${to.y}`;
    }
    if (points.length === 2) d += ` L${points[1].x},${points[1].y}`;
    return d;
  }

  function border(from, to, name) {
    // where the segment from the centre `from` towards `to` leaves the node's box
    const w = width(name) / 2 + 2, h = HEIGHT / 2 + 2;
    const dx = to.x - from.x, dy = to.y - from.y;
    if (!dx && !dy) return from;
    const scale = Math.min(dx ? w / Math.abs(dx) : Infinity, dy ? h / Math.abs(dy) : Infinity);
    return {x: from.x + dx * Math.min(scale, 1), y: from.y + dy * Math.min(scale, 1)};
  }

  function viewEdges() {
    const picture = state.picture;
    if (view === "g") return picture.edges.map((e) => ({...e, added: false}));
    const edges = picture.sigma_graph.edges.slice();
    for (const text of picture.sigma_graph.removed) {
      const latent = text.includes("<->");
      const [tail, head] = text.split(latent ? " <-> " : " -> ");
      edges.push({tail, head, bidirected: latent, added: false, removed: true});
    }
    return edges;
  }

  function draw() {
    if (!state || !state.picture) return;
    const picture = state.picture;
    const edgeLayer = $("edges"), nodeLayer = $("nodes");
    edgeLayer.replaceChildren();
    nodeLayer.replaceChildren();
    const reasons = verdict() ? verdict().node_reasons : {};
    const onPath = new Set();
    if (verdict()) for (const p of verdict().open_paths) for (const n of p.nodes) onPath.add(n);
    for (const e of viewEdges()) {
      const arrow = arrowOf(e), key = edgeKey(e.tail, e.head, arrow);
      const previewed = e.undirected && orientPreview && key === edgeKey(orientPreview.tail, orientPreview.head, "--");
      const tail = previewed ? orientPreview.tail : e.tail, head = previewed ? orientPreview.head : e.head;
      const a = where(tail), b = where(head);
      const start = border(a, b, tail), end = border(b, a, head);
      const classes = ["edge"];
      if (e.bidirected) classes.push("latent");
      if (e.undirected) classes.push("undirected");
      if (e.uncertain) classes.push("uncertain");
      if (previewed) classes.push("previewed");
      if (e.added) classes.push("added");
      if (e.removed) classes.push("removed");
      if (selectedEdge && edgeKey(selectedEdge.tail, selectedEdge.head, arrowOf(selectedEdge)) === key) classes.push("selected");
      const group = el("g", {class: classes.join(" "), "data-key": key}, edgeLayer);
      const route = e.bidirected ? null : routeFor(key, tail, head);
      let d = `M${start.x},${start.y} L${end.x},${end.y}`;
      if (route) {
        d = routePath(route);
        group.classList.add("routed");
      } else if (e.bidirected) {
        const mx = (start.x + end.x) / 2, my = (start.y + end.y) / 2;
        const nx = -(end.y - start.y), ny = end.x - start.x, len = Math.hypot(nx, ny) || 1;
        d = `M${start.x},${start.y} Q${mx + 40 * nx / len},${my + 40 * ny / len} ${end.x},${end.y}`;
      }
      const line = el("path", {d}, group);
      el("path", {d, class: "hit"}, group);
      const title = el("title", {}, group);
      title.textContent = `${e.tail} ${arrow} ${e.head}` + (e.undirected ? " (direction unknown" +
        (e.oriented ? `; background knowledge and Meek's rules give ${e.oriented[0]} -> ${e.oriented[1]}` : "") + ")" : "") +
        (previewed ? ` (previewed as ${tail} -> ${head})` : "") +
        (e.added ? " (added by σ: the policy reads it)" : "") + (e.removed ? " (removed by σ)" : "") +
        (e.uncertain ? (e.shift ? ` (uncertain: shares the shift rate, prior mean ${chance(e.probability)})`
                                : ` (uncertain: probability ${chance(e.probability)})`) : "");
      if (e.uncertain) {  // its probability in words, beside the middle of the edge as drawn
        const mid = line.getPointAtLength(line.getTotalLength() / 2);
        const label = el("text", {x: mid.x + 6, y: mid.y + 4, class: "probability"}, group);
        label.textContent = e.shift ? `θ ${chance(e.probability)}` : `p ${chance(e.probability)}`;
      }
      if (e.added) {
        const label = el("text", {x: (start.x + end.x) / 2 + 4, y: (start.y + end.y) / 2 - 4}, group);
        label.textContent = "σ";
      }
      if (!e.removed) {
        group.addEventListener("pointerdown", (event) => { event.stopPropagation(); });
        group.addEventListener("click", (event) => {
          event.stopPropagation();
          selectedEdge = picked(e);
          selected = null; draw(); drawSide();
        });
      }
    }
    for (const n of picture.nodes) {
      const at = where(n.name), w = width(n.name);
      const classes = ["node", ...n.roles];
      if (n.name === selected) classes.push("selected");
      if (onPath.has(n.name)) classes.push("on-path");
      const group = el("g", {class: classes.join(" "), "data-name": n.name,
                             transform: `translate(${at.x},${at.y})`}, nodeLayer);
      el("rect", {x: -w / 2, y: -HEIGHT / 2, width: w, height: HEIGHT, rx: n.roles.includes("regime") ? 0 : 8}, group);
      const text = el("text", {x: 0, y: 0}, group);
      text.textContent = n.name;
      const tags = [];
      if (n.roles.includes("regime")) tags.push("regime");
      if (n.roles.includes("base")) tags.push("Y_b");
      if (n.roles.includes("mesa")) tags.push("Y_m");
      if (n.roles.includes("sigma")) tags.push("σ");
      if (n.roles.includes("unobserved")) tags.push("unobserved");
      if (tags.length) {  // roles in words too, beside the node (arrows mostly run top to bottom)
        const tag = el("text", {x: w / 2 + (n.roles.includes("sigma") ? 12 : 4), y: 0, class: "role-tag"}, group);
        tag.textContent = tags.join(", ");
      }
      if (n.roles.includes("sigma")) {
        el("path", {d: `M${w / 2},${-HEIGHT / 2 - 8} l8,8 l-8,8 l-8,-8 z`, class: "sigma-mark"}, group);
      }
      const title = el("title", {}, group);
      const why = (reasons[n.name] || []).map((r) => `path ${r.path + 1}: ${r.reason}`);
      title.textContent = [n.label ? `${n.name}: ${n.label}` : n.name,
                           n.roles.length ? `roles: ${n.roles.join(", ")}` : "", ...why].filter(Boolean).join("\n");
      group.addEventListener("pointerdown", (event) => startDrag(event, n.name));
    }
    $("canvas").classList.toggle("connecting", !!connecting);
    applyZoom();
  }

  function highlight(index) {
    for (const item of $("paths").children) item.classList.toggle("active", Number(item.dataset.index) === index);
    const v = verdict();
    highlightPath(index === null || !v ? null : v.open_paths[index]);
  }

  function highlightPath(path) {
    // a path's nodes and edges lit, the rest dimmed; an edge a member orients may be a -- edge
    const svg = $("canvas");
    if (!state || !state.picture) return;
    for (const item of svg.querySelectorAll(".node.hl, .edge.hl")) item.classList.remove("hl");
    if (!path) { svg.classList.remove("highlighting"); return; }
    svg.classList.add("highlighting");
    for (const name of path.nodes) {
      const found = svg.querySelector(`.node[data-name="${CSS.escape(name)}"]`);
      if (found) found.classList.add("hl");
    }
    path.arrows.forEach((arrow, i) => {
      const left = path.nodes[i], right = path.nodes[i + 1];
      const key = arrow === "<->" ? edgeKey(left, right, "<->") : arrow === "->" ? edgeKey(left, right, "->") : edgeKey(right, left, "->");
      const found = svg.querySelector(`.edge[data-key="${CSS.escape(key)}"]`) ||
        (arrow === "<->" ? null : svg.querySelector(`.edge[data-key="${CSS.escape(edgeKey(left, right, "--"))}"]`));
      if (found) found.classList.add("hl");
    });
  }

  // -- panels ------------------------------------------------------------------------------

  function drawProblems() {
    const list = $("problems");
    list.replaceChildren();
    const bad = new Map();
    for (const p of state.problems) {
      const item = document.createElement("li");
      item.textContent = `${p.line ? `line ${p.line}: ` : ""}${p.location ? p.location + ": " : ""}${p.message} [${p.code}]`;
      if (UNFINISHED.has(p.code)) item.className = "unfinished";
      item.addEventListener("click", () => goToLine(p.line));
      list.appendChild(item);
      if (p.line) bad.set(p.line, (bad.get(p.line) || []).concat(`${p.message} [${p.code}]`));
    }
    drawGutter(bad);
    $("text-status").textContent = state.valid ? "valid" : state.problems.every((p) => UNFINISHED.has(p.code)) ? "unfinished" : `${state.problems.length} problem(s)`;
  }

  function drawGutter(bad) {
    // runs of good lines are one text node each; a line with a problem is a marked span
    const gutter = $("gutter");
    const lines = $("text").value.split("\n").length;
    const parts = [];
    let run = [];
    for (let line = 1; line <= lines; line++) {
      if (bad && bad.has(line)) {
        if (run.length) { parts.push(document.createTextNode(run.join(""))); run = []; }
        const span = document.createElement("span");
        span.textContent = `${line}\n`;
        span.className = "bad"; span.title = bad.get(line).join("\n"); span.dataset.line = String(line);
        parts.push(span);
      } else {
        run.push(`${line}\n`);
      }
    }
    if (run.length) parts.push(document.createTextNode(run.join("")));
    gutter.replaceChildren(...parts);
    gutter.scrollTop = $("text").scrollTop;
  }

  function goToLine(line) {
    if (!line) return;
    const area = $("text"), lines = area.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
    area.scrollTop = Math.max(0, (line - 3) * 16);
  }

  function drawVerdict() {
    const badge = $("verdict");
    const v = verdict(), u = uncertain(), ue = uncertainEdges();
    badge.className = "verdict";
    badge.title = "";
    $("uncertain-box").hidden = !u;
    $("edges-box").hidden = !ue;
    $("standard-box").hidden = !!u || !!ue;
    if (!state.valid && state.problems.some((p) => !UNFINISHED.has(p.code))) {
      badge.classList.add("invalid"); badge.textContent = "INVALID";
      badge.title = "the text has problems; the picture shows the last valid diagram";
    } else if (ue) {
      badge.classList.add(ue.verdict.replace(" ", "-"));
      badge.textContent = ue.verdict.toUpperCase();
      badge.title = `over the uncertain edges: P(aligned) = ${chance(ue.p_aligned)}`;
    } else if (u) {
      badge.classList.add(u.verdict.replace(" ", "-"));
      badge.textContent = u.verdict.toUpperCase();
      badge.title = `over every orientation of the -- edges (${u.count} member${u.count === 1 ? "" : "s"})`;
    } else if (!v) {
      badge.classList.add("unfinished"); badge.textContent = "UNFINISHED";
      badge.title = state.picture ? state.picture.unfinished : "add nodes and mark a regime node";
    } else {
      badge.classList.add(v.aligned ? "aligned" : "not-aligned");
      badge.textContent = v.aligned ? "ALIGNED" : "NOT ALIGNED";
    }
    const paths = $("paths");
    paths.replaceChildren();
    $("repairs").replaceChildren();
    $("preview").textContent = "";
    const q = v ? v.query : u ? u.query : ue ? ue.query : null;
    $("query").textContent = q ? `query: (${q.base.join(", ")} ⊥ ${q.regime.join(", ")} | ${q.mesa.join(", ") || "∅"}) in G_σ` +
      (u ? ", in every consistent orientation of the -- edges" : ue ? ", with or without each uncertain edge" : "") :
      (state.picture ? state.picture.unfinished : "");
    if (u) drawUncertain(u);
    if (ue) drawUncertainEdges(ue);
    $("conjecture").textContent = v ? conjectureText(v.conjecture) : "";
    $("incentives").textContent = v ? (v.incentives || "declare utility: (the reward the base optimizer trains on) to see the agent's incentives") : "";
    if (!v) { $("sigma-edges").textContent = ""; return; }
    v.open_paths.forEach((p, index) => {
      const item = document.createElement("li");
      item.tabIndex = 0;
      item.dataset.index = String(index);
      const head = document.createElement("span");
      head.className = "path";
      head.textContent = p.path;
      item.appendChild(head);
      if (p.sigma_edges.length) {
        const tag = document.createElement("span");
        tag.className = "sigma-tag";
        tag.textContent = `σ-created: ${p.sigma_edges.join(", ")}`;
        item.append(" ", tag);
      }
      const why = document.createElement("ul");
      for (const sentence of p.explain) {
        const line = document.createElement("li");
        line.textContent = sentence;
        why.appendChild(line);
      }
      item.appendChild(why);
      item.addEventListener("mouseenter", () => highlight(index));
      item.addEventListener("focus", () => highlight(index));
      item.addEventListener("mouseleave", () => highlight(null));
      item.addEventListener("blur", () => highlight(null));
      paths.appendChild(item);
    });
    if (v.aligned) {
      const item = document.createElement("li");
      item.textContent = "none: every path from the regime to Y_b is blocked given Y_m";
      paths.appendChild(item);
    } else if (v.truncated) {
      const item = document.createElement("li");
      item.textContent = `… more (the first ${v.limit} are listed)`;
      paths.appendChild(item);
    }
    drawRepairs(v);
    const sigma = state.picture.sigma_graph;
    $("sigma-edges").textContent = `added by σ: ${sigma.added.join(", ") || "none"}; removed: ${sigma.removed.join(", ") || "none"}`;
  }

  function drawUncertain(u) {
    // the verdict over every consistent orientation, from the uncertainty layer
    const counts = u.counts;
    $("uncertain-summary").textContent = `${u.verdict.toUpperCase()} over ${u.count} member${u.count === 1 ? "" : "s"}` +
      ` (possible parent sets of ${u.pivots.join(", ") || "no node"}): ${counts["aligned"]} aligned, ${counts["not aligned"]} not aligned` +
      (u.truncated ? "; not every member was checked" : "") +
      `. Still undirected after background knowledge and Meek's rules: ${u.undirected.join(", ") || "none"}.`;
    const members = $("members");
    members.replaceChildren();
    for (const m of u.members) {
      const item = document.createElement("li");
      item.tabIndex = 0;
      item.dataset.aligned = String(m.aligned);
      item.textContent = `${m.text}: ${m.aligned ? "aligned" : "NOT ALIGNED"}` + (m.witness ? `, ${m.witness.path} is open` : "");
      if (m.witness) {
        item.title = m.witness.explain.join("\n");
        item.addEventListener("mouseenter", () => highlightPath(m.witness));
        item.addEventListener("focus", () => highlightPath(m.witness));
        item.addEventListener("mouseleave", () => highlightPath(null));
        item.addEventListener("blur", () => highlightPath(null));
      }
      members.appendChild(item);
    }
    if (u.count > u.members.length) {
      const item = document.createElement("li");
      item.textContent = `… and ${u.count - u.members.length} more`;
      members.appendChild(item);
    }
    const box = $("settling");
    box.replaceChildren();
    $("uncertain-preview").textContent = "";
    delete $("uncertain-preview").dataset.verdict;
    for (const item of u.settling) {
      const made = document.createElement("button");
      made.textContent = `${item.tail} -> ${item.head}: ${item.verdict}`;
      made.dataset.edge = `${item.tail} -> ${item.head}`;
      made.addEventListener("click", () => previewOrientation(item.tail, item.head));
      made.addEventListener("mouseenter", () => previewOrientation(item.tail, item.head));
      const apply = document.createElement("button");
      apply.textContent = "↳ orient it";
      apply.title = `replace the -- edge by ${item.tail} -> ${item.head} in the file`;
      apply.addEventListener("click", () => act({op: "orient", tail: item.tail, head: item.head}));
      box.append(made, apply);
    }
    if (!u.settling.length) {
      box.textContent = u.verdict === "undetermined" ? "no single direction settles it" : "every orientation agrees: nothing to settle";
    }
  }

  function drawUncertainEdges(ue) {
    // P(aligned) over the uncertain edges and the value of learning each, from the uncertainty layer
    const how = ue.exact ? `exact, over ${ue.relevant.length} relevant uncertain edge${ue.relevant.length === 1 ? "" : "s"}`
      : `sampled: ${ue.samples.toLocaleString("en")} draws, standard error ${ue.standard_error.toPrecision(2)}`;
    $("p-aligned").textContent = `P(aligned) = ${chance(ue.p_aligned)} (${how})`;
    $("p-aligned").dataset.p = String(ue.p_aligned);
    $("edges-summary").textContent = ue.verdict === "undetermined"
      ? "UNDETERMINED: aligned with some of the uncertain edges, not with others (defer)"
      : `${ue.verdict.toUpperCase()} whichever uncertain edges exist` +
        (ue.pruned.length ? `; cannot matter: ${ue.pruned.join(", ")}` : "");
    const list = $("edge-values");
    list.replaceChildren();
    for (const item of ue.values) {
      const line = document.createElement("li");
      line.dataset.edge = item.edge;
      line.textContent = `${item.edge} (prior ${chance(item.prior)}): P(aligned) ${chance(item.p_if_present)} if present, ` +
        `${chance(item.p_if_absent)} if absent; value ${Number(item.value.toPrecision(3))}`;
      list.appendChild(line);
    }
  }

  async function previewOrientation(tail, head) {
    const {ok, status, data} = await api("POST", "/api/preview", {repair: {kind: "orient", tail, head}});
    if (!ok) { refused(status, data); return; }
    const box = $("uncertain-preview");
    box.textContent = `knowing ${tail} -> ${head}: ${data.verdict.toUpperCase()} (${data.count} member${data.count === 1 ? "" : "s"}: ` +
      `${data.counts["aligned"]} aligned, ${data.counts["not aligned"]} not aligned)`;
    box.dataset.verdict = data.verdict;
    orientPreview = {tail, head};
    draw();
  }

  function conjectureText(c) {
    return `Reber's conjecture (2022): predicts ${c.predicts_aligned ? "ALIGNED" : "NOT ALIGNED"}; it ${c.note}`;
  }

  function drawRepairs(v) {
    const box = $("repairs");
    const r = v.repairs;
    if (v.aligned) { box.textContent = "none needed"; return; }
    const button = (text, repair, apply) => {
      const made = document.createElement("button");
      made.textContent = text;
      made.addEventListener("click", () => preview(repair, text));
      made.addEventListener("mouseenter", () => preview(repair, text));
      box.appendChild(made);
      if (apply) {
        const doIt = document.createElement("button");
        doIt.textContent = "↳ apply";
        doIt.addEventListener("click", apply);
        box.appendChild(doIt);
      }
    };
    if (r.monitor && r.monitor.length) button(`monitor ${r.monitor.join(" and ")}`, {kind: "monitor", nodes: r.monitor});
    for (const item of r.narrow_context) {
      const entry = state.picture.sigma.find((s) => s.target === item.target);
      button(`drop ${item.drop} from ${item.target}'s context`, {kind: "narrow", target: item.target, drop: item.drop},
             entry ? () => act({op: "set_context", target: item.target, context: entry.reads.filter((n) => n !== item.drop)}) : null);
    }
    if (r.impossible.length) {
      const note = document.createElement("p");
      note.textContent = `no conditioning can block: ${r.impossible.join(", ")}`;
      box.appendChild(note);
    }
    if (!box.children.length) box.textContent = "no simple repair found";
  }

  async function preview(repair, text) {
    const {ok, status, data} = await api("POST", "/api/preview", {repair});
    if (!ok) { refused(status, data); return; }
    $("preview").textContent = `with “${text}”: ${data.aligned ? "ALIGNED" : "NOT ALIGNED"} (${data.open_paths.length} open path${data.open_paths.length === 1 ? "" : "s"})`;
    $("preview").dataset.aligned = String(data.aligned);
  }

  function drawSide() {
    const names = $("node-names");
    const known = state.picture ? state.picture.nodes.map((n) => n.name).join("\n") : "";
    if (names.dataset.known !== known) {  // the search list, rebuilt only when names change
      names.dataset.known = known;
      names.replaceChildren(...(state.picture ? state.picture.nodes : []).map((n) => {
        const option = document.createElement("option");
        option.value = n.name;
        return option;
      }));
    }
    const n = selected && state.picture ? node(selected) : null;
    $("node-form").hidden = !n;
    $("no-selection").hidden = !!n;
    const actions = $("edge-actions");
    actions.replaceChildren();
    if (selectedEdge) {
      const e = selectedEdge;
      $("no-selection").textContent = `Edge ${e.tail} ${arrowOf(e)} ${e.head} selected: Delete removes it.`;
      const now = e.uncertain && state.picture ? state.picture.edges.find((x) => x.uncertain && x.tail === e.tail &&
        x.head === e.head && x.bidirected === e.bidirected) : null;
      if (now && now.shift) {
        $("no-selection").textContent = `Uncertain edge ${e.tail} -> ${e.head}: it shares the shift rate θ (prior mean ` +
          `${chance(now.probability)}); change first: or strength: in the text. Delete removes it.`;
      } else if (now) {
        $("no-selection").textContent = `Uncertain edge ${e.tail} ${arrowOf(e)} ${e.head}: Delete removes it.`;
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "number"; input.id = "edge-probability"; input.min = "0"; input.max = "1"; input.step = "0.05";
        input.value = String(now.probability);
        input.addEventListener("change", () => {
          const p = Number(input.value);
          if (input.value === "" || !Number.isFinite(p)) { say("a probability is a number between 0 and 1", false); return; }
          act({op: "set_probability", tail: e.tail, head: e.head, bidirected: e.bidirected, probability: p});
        });
        input.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); input.blur(); } });
        label.append("probability ", input);
        actions.appendChild(label);
      }
      if (e.undirected) {  // a -- edge: say which way it points, once known
        for (const [tail, head] of [[e.tail, e.head], [e.head, e.tail]]) {
          const made = document.createElement("button");
          made.type = "button";
          made.textContent = `Orient ${tail} → ${head}`;
          made.addEventListener("click", () => { selectedEdge = null; act({op: "orient", tail, head}); });
          actions.appendChild(made);
        }
      }
    } else {
      $("no-selection").textContent = "Select a node (click, or find it with /). Double-click the canvas or press N to add one.";
    }
    if (!n) return;
    if (document.activeElement !== $("node-name")) $("node-name").value = n.name;
    if (document.activeElement !== $("node-label")) $("node-label").value = n.label;
    for (const box of document.querySelectorAll("#node-form input[data-role]")) box.checked = n.roles.includes(box.dataset.role);
    const entry = state.picture.sigma.find((s) => s.target === n.name);
    $("context-box").hidden = !entry;
    const context = $("context");
    context.replaceChildren();
    if (entry) {
      $("context-parents").checked = entry.context === null;
      for (const candidate of entry.candidates) {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.dataset.context = candidate;
        box.checked = entry.reads.includes(candidate);
        box.addEventListener("change", () => {
          const reads = entry.reads.filter((name) => name !== candidate);
          if (box.checked) reads.push(candidate);
          act({op: "set_context", target: n.name, context: entry.candidates.filter((name) => reads.includes(name))});
        });
        label.append(box, ` ${candidate}`);
        context.appendChild(label);
      }
    }
    const reasons = $("reasons");
    reasons.replaceChildren();
    const mine = verdict() ? verdict().node_reasons[n.name] || [] : [];
    if (mine.length) {
      const heading = document.createElement("h3");
      heading.textContent = "Why it lets paths through";
      reasons.appendChild(heading);
      for (const r of mine) {
        const line = document.createElement("p");
        line.textContent = `path ${r.path + 1}: ${r.reason}`;
        reasons.appendChild(line);
      }
    }
  }

  // -- pan, zoom, drag ---------------------------------------------------------------------

  function applyZoom() {
    $("viewport").setAttribute("transform", `translate(${zoom.x},${zoom.y}) scale(${zoom.k})`);
  }

  function toDiagram(event) {
    const box = $("canvas").getBoundingClientRect();
    return {x: (event.clientX - box.left - zoom.x) / zoom.k, y: (event.clientY - box.top - zoom.y) / zoom.k};
  }

  function fit(names) {
    if (!state || !state.picture || !state.picture.nodes.length) return;
    const chosen = Array.isArray(names) && names.length ? names : state.picture.nodes.map((n) => n.name);
    const spots = chosen.map((name) => where(name));
    const left = Math.min(...spots.map((p) => p.x)) - 80, right = Math.max(...spots.map((p) => p.x)) + 80;
    const top = Math.min(...spots.map((p) => p.y)) - 50, bottom = Math.max(...spots.map((p) => p.y)) + 50;
    const box = $("canvas").getBoundingClientRect();
    zoom.k = Math.min(2, Math.max(0.05, Math.min(box.width / (right - left), box.height / (bottom - top))));
    zoom.x = (box.width - (right - left) * zoom.k) / 2 - left * zoom.k;
    zoom.y = (box.height - (bottom - top) * zoom.k) / 2 - top * zoom.k;
    applyZoom();
  }

  function centreOn(name) {
    const at = where(name), box = $("canvas").getBoundingClientRect();
    zoom.x = box.width / 2 - at.x * zoom.k;
    zoom.y = box.height / 2 - at.y * zoom.k;
    applyZoom();
  }

  let gesture = null;

  function startDrag(event, name) {
    event.stopPropagation();
    if (event.button !== 0) return;
    const at = where(name);
    gesture = {kind: "node", name, start: toDiagram(event), at, moved: false};
    $("canvas").setPointerCapture(event.pointerId);
  }

  $("canvas").addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    gesture = {kind: "pan", x: event.clientX, y: event.clientY, zoom: {...zoom}, moved: false};
    $("canvas").setPointerCapture(event.pointerId);
  });

  $("canvas").addEventListener("pointermove", (event) => {
    if (!gesture) return;
    if (gesture.kind === "pan") {
      const dx = event.clientX - gesture.x, dy = event.clientY - gesture.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) gesture.moved = true;
      zoom.x = gesture.zoom.x + dx; zoom.y = gesture.zoom.y + dy;
      applyZoom();
    } else {
      const now = toDiagram(event);
      const dx = now.x - gesture.start.x, dy = now.y - gesture.start.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) gesture.moved = true;
      if (gesture.moved) {
        const found = $("canvas").querySelector(`.node[data-name="${CSS.escape(gesture.name)}"]`);
        gesture.to = {x: gesture.at.x + dx, y: gesture.at.y + dy};
        if (found) found.setAttribute("transform", `translate(${gesture.to.x},${gesture.to.y})`);
      }
    }
  });

  $("canvas").addEventListener("pointerup", () => {
    const done = gesture;
    gesture = null;
    if (!done) return;
    if (done.kind === "pan") {
      if (!done.moved) { selected = null; selectedEdge = null; if (connecting) cancelConnect(); draw(); drawSide(); }
      return;
    }
    if (done.moved && done.to) { act({op: "move", positions: {[done.name]: [done.to.x, done.to.y]}}); return; }
    clickNode(done.name);
  });

  $("canvas").addEventListener("dblclick", (event) => {
    if (event.target.closest && event.target.closest(".node")) { renameSelected(); return; }
    openNewNode(toDiagram(event));
  });

  $("canvas").addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = $("canvas").getBoundingClientRect();
    const factor = Math.exp(-event.deltaY * 0.0015);
    zoomAt(factor, event.clientX - box.left, event.clientY - box.top);
  }, {passive: false});

  function zoomAt(factor, px, py) {
    const k = Math.min(4, Math.max(0.03, zoom.k * factor));
    zoom.x = px - (px - zoom.x) * k / zoom.k;
    zoom.y = py - (py - zoom.y) * k / zoom.k;
    zoom.k = k;
    applyZoom();
  }

  // -- editing -----------------------------------------------------------------------------

  function select(name) {
    selected = name; selectedEdge = null; edgeTurn = null;
    draw(); drawSide();
  }

  function cycleEdges() {
    // E: the selected node's edges in turn (all edges when no node is selected), so an edge
    // can be deleted or oriented with the keyboard alone
    if (!state || !state.picture) return;
    const anchor = selected || (edgeTurn ? edgeTurn.node : null);
    const edges = viewEdges().filter((e) => !e.removed && (!anchor || e.tail === anchor || e.head === anchor));
    if (!edges.length) { say(anchor ? `${anchor} has no edge` : "there is no edge", false); return; }
    const index = edgeTurn && edgeTurn.node === anchor ? (edgeTurn.index + 1) % edges.length : 0;
    const e = edges[index];
    selected = null;
    selectedEdge = picked(e);
    edgeTurn = {node: anchor, index};
    draw(); drawSide();
  }

  function clickNode(name) {
    if (connecting) { finishConnect(name); return; }
    select(name);
  }

  function startConnect(arrow) {
    if (!selected) { say("select the node to connect from first", false); return; }
    connecting = {from: selected, arrow};
    $("mode").hidden = false;
    $("mode").textContent = `connect ${selected} ${arrow} … click the other node or find it (/ then Enter); Esc cancels`;
    draw();
    $("search").focus();
  }

  function cancelConnect() {
    connecting = null;
    $("mode").hidden = true;
    draw();
  }

  async function finishConnect(name) {
    const from = connecting;
    cancelConnect();
    if (from.arrow === "?->") {  // an uncertain edge, at even odds until its probability is set
      if (await act({op: "add_uncertain", tail: from.from, head: name, probability: 0.5})) {
        selected = null;
        selectedEdge = {tail: from.from, head: name, bidirected: false, undirected: false, added: false, uncertain: true, shift: false};
        draw(); drawSide();
        return;
      }
      $("canvas").focus();
      return;
    }
    const kind = from.arrow === "<->" ? {bidirected: true} : from.arrow === "--" ? {undirected: true} : {};
    await act({op: "connect", tail: from.from, head: name, ...kind});
    $("canvas").focus();
  }

  let newAt = null;
  function freeSpot(at) {
    // the view's centre, or below it until no node is in the way
    const taken = state && state.picture ? state.picture.nodes.map((n) => where(n.name)) : [];
    const spot = {x: Math.round(at.x), y: Math.round(at.y)};
    for (let tries = 0; tries < 500 && taken.some((p) => Math.abs(p.x - spot.x) < 90 && Math.abs(p.y - spot.y) < 40); tries++) spot.y += 45;
    return spot;
  }
  function openNewNode(at) {
    const box = $("canvas").getBoundingClientRect();
    newAt = at || freeSpot({x: (box.width / 2 - zoom.x) / zoom.k, y: (box.height / 2 - zoom.y) / zoom.k});
    $("new-node").hidden = false;
    $("new-name").value = ""; $("new-label").value = "";
    $("new-name").focus();
  }

  $("new-node").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("new-name").value.trim();
    const done = await act({op: "add_node", name, label: $("new-label").value, position: [newAt.x, newAt.y]});
    if (done) { $("new-node").hidden = true; select(name); $("canvas").focus(); }
  });
  $("new-cancel").addEventListener("click", () => { $("new-node").hidden = true; $("canvas").focus(); });

  function renameSelected() {
    if (!selected) return;
    $("node-name").focus();
    $("node-name").select();
  }

  $("node-name").addEventListener("change", async () => {
    const to = $("node-name").value.trim();
    if (!selected || to === selected) return;
    const from = selected;
    if (await act({op: "rename_node", node: from, to})) select(to);
    else $("node-name").value = from;
  });
  $("node-name").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); $("node-name").blur(); $("canvas").focus(); } });
  $("node-label").addEventListener("change", () => { if (selected) act({op: "set_label", node: selected, label: $("node-label").value}); });
  $("node-label").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); $("node-label").blur(); } });
  for (const box of document.querySelectorAll("#node-form input[data-role]")) {
    box.addEventListener("change", () => toggleRole(box.dataset.role, box.checked));
  }
  $("context-parents").addEventListener("change", () => {
    const entry = state.picture.sigma.find((s) => s.target === selected);
    if (entry) act({op: "set_context", target: selected, context: $("context-parents").checked ? null : entry.reads});
  });

  function toggleRole(role, on) {
    if (!selected) return;
    if (on === undefined) on = !has(selected, role);
    if (role === "unobserved") act({op: "set_role", node: selected, role: "observed", on: !on});
    else act({op: "set_role", node: selected, role, on});
  }

  function deleteSelection() {
    if (selected) { const name = selected; selected = null; act({op: "delete_node", node: name}); return; }
    if (selectedEdge) {
      if (selectedEdge.added) { say("this edge exists because σ's context reads it: change the context instead", false); return; }
      const e = selectedEdge; selectedEdge = null;
      if (e.uncertain) { act({op: "remove_uncertain", tail: e.tail, head: e.head, bidirected: e.bidirected}); return; }
      act({op: "disconnect", tail: e.tail, head: e.head, ...(e.undirected ? {undirected: true} : {bidirected: e.bidirected})});
    }
  }

  $("connect").addEventListener("click", () => startConnect("->"));
  $("connect-latent").addEventListener("click", () => startConnect("<->"));
  $("connect-undirected").addEventListener("click", () => startConnect("--"));
  $("connect-uncertain").addEventListener("click", () => startConnect("?->"));
  $("delete").addEventListener("click", deleteSelection);
  $("undo").addEventListener("click", () => post("/api/undo", {}, "undo"));
  $("redo").addEventListener("click", () => post("/api/redo", {}, "redo"));
  $("save").addEventListener("click", () => save(false, false));
  $("view").addEventListener("click", toggleView);
  $("fit").addEventListener("click", () => fit());
  $("focus").addEventListener("click", focusPaths);

  function focusPaths() {
    // the focus view: just the nodes of the open paths, the first path highlighted
    const v = verdict();
    if (!v || !v.open_paths.length) { say("no open path to focus on", true); return; }
    fit([...new Set(v.open_paths.flatMap((p) => p.nodes))]);
    highlight(0);
  }
  $("layout").addEventListener("click", relayout);
  $("help").addEventListener("click", () => showHelp(true));
  $("help-close").addEventListener("click", () => showHelp(false));

  function toggleView() {
    view = view === "sigma" ? "g" : "sigma";
    $("view").textContent = view === "sigma" ? "G_σ" : "G";
    $("view").setAttribute("aria-pressed", String(view === "sigma"));
    $("canvas").dataset.view = view;
    if (state && state.picture) draw();
  }

  function relayout() {
    if (!state || !state.picture) return;
    const placed = layOut(true);
    const positions = {};
    for (const [name, at] of Object.entries(placed)) positions[name] = [at.x, at.y];
    act({op: "move", positions}).then(() => fit());
  }

  function showHelp(open) { $("help-box").hidden = !open; if (open) $("help-close").focus(); else $("canvas").focus(); }

  async function save(overwrite, draft) {
    const {ok, status, data} = await api("POST", "/api/save", {overwrite, draft});
    if (ok) { setState(data); $("banner").hidden = true; diskWarned = false; say(`saved ${data.path}`, true, "saved"); return; }
    if (status === 422) {
      banner("The text has problems, so the file would not load. ", [["Save as a draft anyway", () => save(overwrite, true)]]);
      refused(status, data);
      return;
    }
    refused(status, data);
  }

  function showConflict(message) {
    banner(`${message}. `, [["Reload from disk", async () => { await post("/api/reload", {}, "reload"); $("banner").hidden = true; }],
                           ["Keep mine and save over it", () => save(true, false)]]);
  }

  function banner(text, buttons) {
    const box = $("banner");
    box.replaceChildren(text);
    for (const [label, run] of buttons) {
      const made = document.createElement("button");
      made.textContent = label;
      made.addEventListener("click", run);
      box.append(made, " ");
    }
    box.hidden = false;
  }

  setInterval(async () => {
    const {ok, data} = await api("GET", "/api/disk");
    if (ok && data.changed && !diskWarned) { diskWarned = true; showConflict("The file changed on disk since it was opened"); }
  }, 2000);

  // -- the text pane -----------------------------------------------------------------------

  $("text").addEventListener("input", () => {
    drawGutter(null);
    clearTimeout(textTimer);
    textTimer = setTimeout(sendText, 700);
  });
  $("text").addEventListener("scroll", () => { $("gutter").scrollTop = $("text").scrollTop; });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); sendText(); }
    if (event.key === "Escape") $("canvas").focus();
  });
  $("text").addEventListener("blur", () => { if (textTimer) sendText(); });

  function sendText() {
    clearTimeout(textTimer);
    textTimer = null;
    if (state && $("text").value !== state.text) post("/api/text", {text: $("text").value}, "text");
  }

  // -- search ------------------------------------------------------------------------------

  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { $("search").value = ""; if (connecting) cancelConnect(); $("canvas").focus(); return; }
    if (event.key !== "Enter") return;
    event.preventDefault();
    const wanted = $("search").value.trim().toLowerCase();
    if (!wanted || !state.picture) return;
    const names = state.picture.nodes.map((n) => n.name);
    const name = names.find((n) => n.toLowerCase() === wanted) || names.find((n) => n.toLowerCase().startsWith(wanted)) || names.find((n) => n.toLowerCase().includes(wanted));
    if (!name) { say(`no node matches “${$("search").value}”`, false); return; }
    $("search").value = "";
    if (connecting) { finishConnect(name); return; }
    select(name);
    centreOn(name);
    $("canvas").focus();
  });

  // -- keys --------------------------------------------------------------------------------

  function cycle(step) {
    if (!state || !state.picture || !state.picture.nodes.length) return;
    const names = state.picture.nodes.map((n) => n.name);
    const index = selected ? names.indexOf(selected) : -1;
    const next = names[(index + step + names.length) % names.length];
    if (connecting) { selected = next; draw(); return; }
    select(next);
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    const control = event.ctrlKey || event.metaKey;
    if (control && event.key.toLowerCase() === "s") { event.preventDefault(); save(false, false); return; }
    if (event.key === "Escape") {
      if (!$("help-box").hidden) { showHelp(false); return; }
      if (!$("new-node").hidden) { $("new-node").hidden = true; $("canvas").focus(); return; }
      if (connecting) { cancelConnect(); return; }
      if (!typing) { selected = null; selectedEdge = null; edgeTurn = null; highlight(null); if (state && state.picture) { draw(); drawSide(); } }
      return;
    }
    if (typing) return;
    if (control && event.key.toLowerCase() === "z") { event.preventDefault(); post(event.shiftKey ? "/api/redo" : "/api/undo", {}, event.shiftKey ? "redo" : "undo"); return; }
    if (control && event.key.toLowerCase() === "y") { event.preventDefault(); post("/api/redo", {}, "redo"); return; }
    if (control || event.altKey) return;
    const key = event.key;
    if (event.target.closest && event.target.closest("button, a, summary") && (key === "Enter" || key === " ")) return;
    const handled = () => event.preventDefault();
    if (connecting && key === "Enter" && selected && selected !== connecting.from) { handled(); finishConnect(selected); return; }
    switch (key) {
      case "?": handled(); showHelp($("help-box").hidden); return;
      case "n": case "N": handled(); openNewNode(null); return;
      case "/": handled(); $("search").focus(); return;
      case "c": case "C": handled(); startConnect("->"); return;
      case "x": case "X": handled(); startConnect("<->"); return;
      case "l": case "L": handled(); startConnect("--"); return;
      case "q": case "Q": handled(); startConnect("?->"); return;
      case "e": case "E": handled(); cycleEdges(); return;
      case "Delete": case "Backspace": handled(); deleteSelection(); return;
      case "F2": case "Enter": if (selected) { handled(); renameSelected(); } return;
      case "r": case "R": handled(); toggleRole("regime"); return;
      case "t": case "T": handled(); toggleRole("sigma"); return;
      case "b": case "B": handled(); toggleRole("base"); return;
      case "m": case "M": handled(); toggleRole("mesa"); return;
      case "u": case "U": handled(); toggleRole("unobserved"); return;
      case "g": case "G": handled(); toggleView(); return;
      case "f": case "F": handled(); fit(); return;
      case "p": case "P": handled(); focusPaths(); return;
      case "a": case "A": handled(); relayout(); return;
      case "+": case "=": handled(); zoomAt(1.2, $("canvas").clientWidth / 2, $("canvas").clientHeight / 2); return;
      case "-": handled(); zoomAt(1 / 1.2, $("canvas").clientWidth / 2, $("canvas").clientHeight / 2); return;
      case "0": handled(); zoom = {x: 40, y: 40, k: 1}; applyZoom(); return;
      case "]": handled(); cycle(1); return;
      case "[": handled(); cycle(-1); return;
      default: break;
    }
    if (key.startsWith("Arrow") && selected) {
      handled();
      const step = event.shiftKey ? 50 : 10, at = where(selected);
      const delta = {ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step]}[key];
      act({op: "move", positions: {[selected]: [at.x + delta[0], at.y + delta[1]]}});
    }
  });

  // -- export ------------------------------------------------------------------------------

  function download(name, blob) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  async function svgText() {
    const clone = $("canvas").cloneNode(true);
    const spots = state.picture.nodes.map((n) => where(n.name));
    const left = Math.min(...spots.map((p) => p.x)) - 90, top = Math.min(...spots.map((p) => p.y)) - 50;
    const right = Math.max(...spots.map((p) => p.x)) + 90, bottom = Math.max(...spots.map((p) => p.y)) + 50;
    clone.setAttribute("viewBox", `${left} ${top} ${right - left} ${bottom - top}`);
    clone.setAttribute("width", String(Math.round(right - left)));
    clone.setAttribute("height", String(Math.round(bottom - top)));
    clone.querySelector("#viewport").removeAttribute("transform");
    const style = document.createElementNS(SVGNS, "style");
    style.textContent = await (await fetch("/static/editor.css")).text();
    clone.insertBefore(style, clone.firstChild);
    return new XMLSerializer().serializeToString(clone);
  }

  $("export-svg").addEventListener("click", async () => {
    if (state && state.picture) download(`${state.picture.name}.svg`, new Blob([await svgText()], {type: "image/svg+xml"}));
  });
  $("export-png").addEventListener("click", async () => {
    if (!state || !state.picture) return;
    const image = new Image();
    image.onerror = () => say("the picture could not be drawn as PNG (try SVG)", false);
    image.onload = () => {
      // twice the SVG's size, less where that passes what a canvas can hold (16,384 pixels a
      // side, 100 million in all, within every browser's limits)
      const scale = Math.min(2, PNG_SIDE / image.width, PNG_SIDE / image.height,
                             Math.sqrt(PNG_AREA / (image.width * image.height)));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.floor(image.width * scale));
      canvas.height = Math.max(1, Math.floor(image.height * scale));
      const context = canvas.getContext("2d");
      context.fillStyle = "#fff"; context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => {
        if (blob) download(`${state.picture.name}.png`, blob);
        else say("the picture could not be drawn as PNG (try SVG)", false);
      }, "image/png");
    };
    image.src = URL.createObjectURL(new Blob([await svgText()], {type: "image/svg+xml"}));
  });
  $("export-json").addEventListener("click", () => {
    if (state && state.picture) download(`${state.picture.name}.json`, new Blob([JSON.stringify(state.picture, null, 2)], {type: "application/json"}));
  });
  $("export-html").addEventListener("click", async () => {
    const response = await fetch("/api/report?format=html", {headers: {"X-Causal-Align-Token": token}});
    if (!response.ok) { refused(response.status, await response.json()); return; }
    download(`${state.picture.name}.html`, new Blob([await response.text()], {type: "text/html"}));
  });

  // -- start -------------------------------------------------------------------------------

  (async () => {
    const {ok, status, data} = await api("GET", "/api/state");
    if (!ok) { refused(status, data); return; }
    setState(data);
    $("canvas").focus();
    document.body.dataset.ready = "true";
  })();
})();
