extension DashboardAssets {
    /// `/assets/common.js`: what every dashboard page shares: the API client (with the bearer
    /// token from the page's token field, kept in sessionStorage), DOM helpers, number formats
    /// and the SVG charts the pages draw client-side. Plain ES2020, no libraries.
    static let commonScript = #"""
"use strict";
const VM = {};

VM.tokenKey = "visionmix-token";
VM.token = () => sessionStorage.getItem(VM.tokenKey) || "";

/** Calls the JSON API; mutations (and predict/recommend, which are POSTs) carry the token. */
VM.api = async function (method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = VM.token();
  if (token && method !== "GET") headers["Authorization"] = "Bearer " + token;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) {
    const err = (json && json.error) || { message: text || res.statusText, field: null };
    const e = new Error(err.message + (err.field ? " (field " + err.field + ")" : ""));
    e.status = res.status; e.field = err.field;
    throw e;
  }
  return json;
};

/** Builds an element: VM.el("td", {class: "num"}, "12.3"). */
VM.el = function (tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
};
VM.$ = (id) => document.getElementById(id);
VM.clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };

/** A message in the page's status line; errors are announced (role=alert). */
VM.status = function (node, message, isError) {
  node.textContent = message || "";
  node.className = "status" + (isError ? " error" : "");
  node.setAttribute("role", isError ? "alert" : "status");
};

VM.param = (name) => new URLSearchParams(location.search).get(name);
VM.setParams = function (values) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) { if (v === null || v === undefined || v === "") q.delete(k); else q.set(k, v); }
  const s = q.toString();
  history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
};

VM.debounce = function (fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
};

/** Counts as people write them: 3B, 340M, 50B, 1.5T (as `Quantity.format`). */
VM.qty = function (x) {
  if (x === null || x === undefined || !isFinite(x)) return "—";
  const units = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]];
  for (const [u, s] of units) {
    if (x >= u) { const v = x / u; return (v === Math.round(v) ? v.toFixed(0) : String(Number(v.toPrecision(3)))) + s; }
  }
  return String(Number(x.toPrecision(4)));
};
/** A count in the shortest form the API reads back to the same number: 3B, 1373.6K, 50B. */
VM.qtyExact = function (x) {
  for (const [u, s] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]) {
    const v = x / u, milli = Math.round(v * 1000);
    if (v >= 1 && Math.abs(milli - v * 1000) < 1e-6 * Math.max(1, v)) return String(milli / 1000) + s;
  }
  return String(Math.round(x));
};
VM.num = (x, d = 2) => (x === null || x === undefined || !isFinite(x)) ? "—" : Number(x).toFixed(d);
VM.pct = (x, d = 1) => (x === null || x === undefined || !isFinite(x)) ? "—" : (100 * x).toFixed(d) + "%";
VM.duration = function (s) {
  if (s === null || s === undefined || !isFinite(s)) return "—";
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
};

/** Unit of a score axis, from the category's name (the catalogue's accuracies are percent). */
VM.unit = function (category) {
  if (/(^|_)(ppl|perplexity)($|_)/.test(category)) return "perplexity";
  if (/(^|_)(loss|bpb)($|_)/.test(category)) return "loss";
  return "accuracy, %";
};
VM.axisLabel = (category, chance) =>
  `${category} (${VM.unit(category)}; ` + (chance === null || chance === undefined ? "chance not recorded)" : `chance ${Number(Number(chance).toPrecision(4))})`);

/** Copies text; falls back to a selected textarea where the Clipboard API is unavailable. */
VM.copy = async function (text) {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall through */ }
  const t = VM.el("textarea", { "aria-hidden": "true", style: "position:fixed;left:-9999px" });
  t.value = text; document.body.append(t); t.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  t.remove();
  return ok;
};

/** Wires the token field of the page header: kept for this browser tab only. */
VM.initToken = function () {
  const input = VM.$("api-token"), note = VM.$("token-note");
  if (!input) return;
  input.value = VM.token();
  const show = () => { note.textContent = VM.token() ? "token set for this tab" : "no token: fine for a server without one"; };
  input.addEventListener("input", () => {
    const v = input.value.trim();
    if (v) sessionStorage.setItem(VM.tokenKey, v); else sessionStorage.removeItem(VM.tokenKey);
    show();
  });
  show();
};

/** Sources for a picker: every source, or only those with fits. Fills `select`, keeps `?source=`. */
VM.fillSources = async function (select, onlyFitted) {
  const data = await VM.api("GET", "/v1/sources");
  const sources = data.sources.filter((s) => !onlyFitted || s.fitted.length > 0);
  VM.clear(select);
  for (const s of sources) {
    select.append(VM.el("option", { value: s.label }, `${s.label} (${s.runs} runs${onlyFitted ? ", " + s.fitted.length + " fitted" : ""})`));
  }
  const wanted = VM.param("source");
  if (wanted && sources.some((s) => s.label === wanted)) select.value = wanted;
  return sources;
};

// ---------------------------------------------------------------- SVG charts

VM.NS = "http://www.w3.org/2000/svg";
VM.svg = function (tag, attrs, ...children) {
  const e = document.createElementNS(VM.NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
VM.palette = ["#3465a4", "#c4501b", "#2e8540", "#8e44ad", "#b8860b", "#16a2b8", "#d6336c", "#555"];

VM.niceTicks = function (lo, hi, n = 5) {
  if (!(hi > lo)) { const d = Math.abs(lo) || 1; lo -= d / 2; hi += d / 2; }
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => (hi - lo) / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
};
VM.logTicks = function (lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 3]) { const v = m * Math.pow(10, e); if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v); }
  }
  return out.length >= 2 ? out : [lo, hi];
};

/**
 * A chart as an <svg>: bands (filled between low and high), lines, points (circle, ring,
 * diamond, star, square), error bars, horizontal reference lines, the chance line (always
 * labelled) and a legend. x may be logarithmic; with `zeroSlot`, x = 0 sits left of the log axis.
 */
VM.chart = function (o) {
  const W = o.width || 560, H = o.height || 320, m = { l: 62, r: 14, t: o.title ? 26 : 10, b: 46 };
  const legend = o.legend || [];
  const legendRows = Math.ceil(legend.length / 3);
  const Hs = H + legendRows * 16;
  const xs = [], ys = [];
  const take = (x, y) => { if (isFinite(x) && (!o.x.log || x > 0)) xs.push(x); if (isFinite(y)) ys.push(y); };
  for (const b of o.bands || []) b.x.forEach((x, i) => { take(x, b.low[i]); take(x, b.high[i]); });
  for (const l of o.lines || []) l.x.forEach((x, i) => take(x, l.y[i]));
  for (const p of o.points || []) take(p.x, p.y);
  for (const e of o.errorBars || []) { take(e.x, e.low); take(e.x, e.high); }
  // A chance level widens its axis to show it, unless the chart asks to draw it only when in
  // view (the axis label then still says where it is: VM.axisLabel).
  if (o.chance !== null && o.chance !== undefined && isFinite(o.chance) && !o.chanceIfInView) ys.push(o.chance);
  if (o.chanceX !== null && o.chanceX !== undefined && isFinite(o.chanceX) && !o.chanceXIfInView) xs.push(o.chanceX);
  for (const h of o.hlines || []) ys.push(h.y);
  const hasZero = o.x.log && o.x.zeroSlot && (o.points || []).some((p) => p.x === 0);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [1, 10];
  if (o.x.min !== undefined) x0 = o.x.min;
  if (o.x.max !== undefined) x1 = o.x.max;
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (o.y.min !== undefined) y0 = Math.min(y0, o.y.min);
  if (o.y.max !== undefined) y1 = Math.max(y1, o.y.max);
  const pad = (y1 - y0) * 0.06 || Math.abs(y0) * 0.1 || 1;
  y0 -= pad; y1 += pad;
  if (o.x.log) { if (!(x1 > x0)) { x0 /= 2; x1 *= 2; } x0 /= 1.15; x1 *= 1.15; }
  else { const p = (x1 - x0) * 0.04 || 1; x0 -= p; x1 += p; }
  const zeroW = hasZero ? 28 : 0;
  const L = m.l + zeroW, R = W - m.r, T = m.t, B = H - m.b;
  const sx = (x) => o.x.log ? (x <= 0 ? m.l + zeroW / 2 : L + (Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0)) * (R - L))
                            : L + (x - x0) / (x1 - x0) * (R - L);
  const sy = (y) => B - (y - y0) / (y1 - y0) * (B - T);
  const f = o.x.format || ((v) => o.x.log ? VM.qty(v) : String(Number(v.toPrecision(3))));
  const fy = o.y.format || ((v) => String(Number(v.toPrecision(4))));
  const svg = VM.svg("svg", { viewBox: `0 0 ${W} ${Hs}`, width: "100%", role: "img", class: "chart", style: `max-width:${Math.round(W * 1.2)}px`,
                              "aria-label": o.title || (o.y.label + " against " + o.x.label) });
  if (o.title) svg.append(VM.svg("text", { x: m.l, y: 16, class: "chart-title" }, o.title));
  const g = VM.svg("g", {});
  svg.append(g);
  // Grid and ticks.
  for (const v of VM.niceTicks(y0, y1, 5)) {
    // Tick labels stay left of the D = 0 slot, whose points sit between them and the axis.
    g.append(VM.svg("line", { x1: m.l, x2: R, y1: sy(v), y2: sy(v), class: "grid" }));
    g.append(VM.svg("text", { x: m.l - 6, y: sy(v) + 4, class: "tick", "text-anchor": "end" }, fy(v)));
  }
  const xt = o.x.log ? VM.logTicks(x0 * 1.15, x1 / 1.15) : VM.niceTicks(x0, x1, 6);
  for (const v of xt) {
    g.append(VM.svg("line", { x1: sx(v), x2: sx(v), y1: B, y2: B + 4, class: "axis" }));
    g.append(VM.svg("text", { x: sx(v), y: B + 16, class: "tick", "text-anchor": "middle" }, f(v)));
  }
  if (hasZero) {
    g.append(VM.svg("text", { x: sx(0), y: B + 16, class: "tick", "text-anchor": "middle" }, "0"));
    g.append(VM.svg("line", { x1: L - 4, x2: L - 4, y1: T, y2: B, class: "axis-break" }));
  }
  g.append(VM.svg("line", { x1: L, x2: R, y1: B, y2: B, class: "axis" }));
  g.append(VM.svg("line", { x1: L, x2: L, y1: T, y2: B, class: "axis" }));
  g.append(VM.svg("text", { x: (L + R) / 2, y: H - 10, class: "axis-label", "text-anchor": "middle" }, o.x.label + (o.x.log ? " (log scale)" : "")));
  g.append(VM.svg("text", { x: 14, y: (T + B) / 2, class: "axis-label", "text-anchor": "middle",
                            transform: `rotate(-90 14 ${(T + B) / 2})` }, o.y.label));
  const clip = "clip" + Math.random().toString(36).slice(2);
  svg.append(VM.svg("clipPath", { id: clip }, VM.svg("rect", { x: m.l, y: T, width: R - m.l, height: B - T })));
  const plot = VM.svg("g", { "clip-path": `url(#${clip})` });
  svg.append(plot);
  for (const b of o.bands || []) {
    // Non-finite values ("nan", "inf" in the JSON) leave a gap rather than a broken outline.
    const idx = b.x.map((x, i) => i).filter((i) => isFinite(b.low[i]) && isFinite(b.high[i]) && (!o.x.log || b.x[i] > 0));
    const up = idx.map((i) => `${sx(b.x[i])},${sy(b.high[i])}`), down = idx.map((i) => `${sx(b.x[i])},${sy(b.low[i])}`).reverse();
    plot.append(VM.svg("polygon", { points: up.concat(down).join(" "), fill: b.color, class: "band" }));
  }
  for (const h of o.hlines || []) {
    plot.append(VM.svg("line", { x1: L, x2: R, y1: sy(h.y), y2: sy(h.y), class: h.cls || "ref" }));
  }
  if (o.chance !== null && o.chance !== undefined && isFinite(o.chance) && o.chance >= y0 && o.chance <= y1) {
    plot.append(VM.svg("line", { x1: L, x2: R, y1: sy(o.chance), y2: sy(o.chance), class: "chance" }));
    plot.append(VM.svg("text", { x: R - 4, y: sy(o.chance) - 4, class: "chance-label", "text-anchor": "end" }, `chance ${fy(o.chance)}`));
  }
  if (o.chanceX !== null && o.chanceX !== undefined && isFinite(o.chanceX) && o.chanceX >= x0 && o.chanceX <= x1) {
    plot.append(VM.svg("line", { x1: sx(o.chanceX), x2: sx(o.chanceX), y1: T, y2: B, class: "chance" }));
    plot.append(VM.svg("text", { x: sx(o.chanceX) + 4, y: B - 6, class: "chance-label" }, `chance ${f(o.chanceX)}`));
  }
  if (o.diagonal) {
    const lo = Math.max(x0, y0), hi = Math.min(x1, y1);
    plot.append(VM.svg("line", { x1: sx(lo), y1: sy(lo), x2: sx(hi), y2: sy(hi), class: "ref" }));
  }
  for (const l of o.lines || []) {
    const pts = l.x.map((x, i) => [x, l.y[i]]).filter(([x, y]) => isFinite(y) && (!o.x.log || x > 0));
    plot.append(VM.svg("polyline", { points: pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" "), fill: "none",
                                     stroke: l.color, "stroke-width": l.width || 2, "stroke-dasharray": l.dash || null, class: "curve" }));
  }
  for (const e of o.errorBars || []) {
    plot.append(VM.svg("line", { x1: sx(e.x), x2: sx(e.x), y1: sy(e.low), y2: sy(e.high), stroke: e.color || "#999", class: "errbar" }));
  }
  for (const p of o.points || []) {
    if (!isFinite(p.y) || (o.x.log && p.x < 0)) continue;
    const node = VM.marker(p.shape || "circle", sx(p.x), sy(p.y), p.r || 4, p.color || "#333");
    if (p.cls) node.setAttribute("class", p.cls);
    for (const [k, v] of Object.entries(p.data || {})) node.setAttribute("data-" + k, v);
    if (p.title) node.append(VM.svg("title", {}, p.title));
    plot.append(node);
  }
  legend.forEach((it, i) => {
    const x = m.l + (i % 3) * ((W - m.l) / 3), y = H + 4 + Math.floor(i / 3) * 16;
    const sw = it.line ? VM.svg("line", { x1: x, x2: x + 18, y1: y, y2: y, stroke: it.color, "stroke-width": 2, "stroke-dasharray": it.dash || null })
                       : VM.marker(it.shape || "circle", x + 9, y, 4, it.color);
    svg.append(sw, VM.svg("text", { x: x + 24, y: y + 4, class: "legend" }, it.label));
  });
  return svg;
};

VM.marker = function (shape, x, y, r, color) {
  switch (shape) {
    case "ring": return VM.svg("circle", { cx: x, cy: y, r: r + 1, fill: "#fff", stroke: color, "stroke-width": 2 });
    case "diamond": return VM.svg("polygon", { points: `${x},${y - r - 2} ${x + r + 2},${y} ${x},${y + r + 2} ${x - r - 2},${y}`, fill: color, stroke: "#fff" });
    case "square": return VM.svg("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: color, stroke: "#fff" });
    case "star": {
      const pts = [];
      for (let i = 0; i < 10; i++) { const a = Math.PI / 5 * i - Math.PI / 2, rr = i % 2 ? r : 2.2 * r; pts.push(`${x + rr * Math.cos(a)},${y + rr * Math.sin(a)}`); }
      return VM.svg("polygon", { points: pts.join(" "), fill: color, stroke: "#222", "stroke-width": 0.8 });
    }
    default: return VM.svg("circle", { cx: x, cy: y, r, fill: color, stroke: "#fff", "stroke-width": 0.8 });
  }
};

/** A table from rows of cells; numbers are right-aligned. */
VM.table = function (headers, rows, attrs) {
  const t = VM.el("table", attrs || {});
  t.append(VM.el("thead", {}, VM.el("tr", {}, headers.map((h) => VM.el("th", { scope: "col" }, h)))));
  const body = VM.el("tbody", {});
  for (const r of rows) {
    const tr = r instanceof Node ? r : VM.el("tr", {}, r.map((c) => c instanceof Node ? c : VM.el("td", { class: typeof c === "number" ? "num" : null }, c)));
    body.append(tr);
  }
  t.append(body);
  return VM.el("div", { class: "table-wrap" }, t);
};

document.addEventListener("DOMContentLoaded", VM.initToken);
"""#
}
