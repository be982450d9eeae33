extension DashboardAssets {
    /// `/assets/planner.js`: the planner page. Sliders hold the mixture in tenths of a percent
    /// that always sum to 100%; every change asks `POST /v1/predict` with the strings the API
    /// reads (the mixture spec, `3B`, `50B`), and the recommend form asks `POST /v1/recommend`
    /// with `export: true`, so the copy buttons hold the server's own exports.
    static let plannerScript = #"""
"use strict";
const P = { summary: null, values: [], names: [], space: null, seq: 0, recipe: null, lastReport: null };

P.init = async function () {
  const status = VM.$("planner-status");
  try {
    const sources = await VM.fillSources(VM.$("source"), true);
    if (!sources.length) { VM.status(status, "No source has fitted laws yet: import runs and fit them (visionmix fit --source LABEL --all).", true); return; }
    VM.$("source").addEventListener("change", () => P.loadSource());
    VM.$("params").addEventListener("input", VM.debounce(P.predict, 250));
    VM.$("tokens").addEventListener("input", VM.debounce(P.predict, 250));
    VM.$("preset").addEventListener("change", () => { P.applyPreset(VM.$("preset").value); P.predict(); });
    VM.$("recommend-form").addEventListener("submit", (e) => { e.preventDefault(); P.recommend(); });
    VM.$("design-form").addEventListener("submit", (e) => { e.preventDefault(); P.design(); });
    VM.$("use-recipe").addEventListener("click", P.useRecipe);
    for (const f of ["yaml", "json", "megatron"]) VM.$("copy-" + f).addEventListener("click", () => P.copyExport(f));
    await P.loadSource();
  } catch (e) { VM.status(status, e.message, true); }
};

P.loadSource = async function () {
  const source = VM.$("source").value, status = VM.$("planner-status");
  VM.setParams({ source });
  try {
    P.summary = await VM.api("GET", "/v1/laws?source=" + encodeURIComponent(source));
  } catch (e) { VM.status(status, e.message, true); return; }
  const s = P.summary;
  P.space = s.space;
  VM.$("params").value = VM.param("params") || VM.qtyExact(s.default_params || P.largest("params"));
  VM.$("tokens").value = VM.param("tokens") || VM.qtyExact(s.default_tokens || P.largest("tokens"));
  const dl = VM.clear(VM.$("categories"));
  for (const c of s.categories) dl.append(VM.el("option", { value: c.category }));
  const objective = VM.$("objective");
  if (!s.categories.some((c) => c.category === objective.value)) {
    const vision = ["vqa_avg", "general", "vision_centric"].find((n) => s.categories.some((c) => c.category === n));
    objective.value = vision || s.categories[0].category;
  }
  const preset = VM.clear(VM.$("preset")), baseline = VM.clear(VM.$("baseline"));
  for (const p of s.presets) {
    preset.append(VM.el("option", { value: p.name }, `${p.name} — ${p.about}`));
    baseline.append(VM.el("option", { value: p.name }, p.name));
  }
  baseline.append(VM.el("option", { value: "__sliders" }, "the mixture in the sliders"));
  preset.value = s.presets.some((p) => p.name === "balanced") ? "balanced" : s.presets[0].name;
  baseline.value = "language_favorable";
  P.buildSliders();
  P.applyPreset(preset.value);
  await P.predict();
};

P.largest = (axis) => Math.max(...P.summary.categories.map((c) => (c[axis] || [0, 0])[1]));

/** Six source sliders for laws of per-source weights, two share sliders (and the rest) for laws of shares. */
P.buildSliders = function () {
  const box = VM.clear(VM.$("sliders"));
  VM.$("mixture").hidden = P.space === null;
  if (P.space === "weights") P.names = P.summary.sources.slice();
  else if (P.space === "shares") P.names = ["reasoning", "visual", "other"];
  else { P.names = []; box.append(VM.el("p", { class: "note" }, "These laws do not read the mixture.")); return; }
  P.values = P.names.map(() => 0);
  P.names.forEach((name, i) => {
    const id = "mix-" + name, fixed = P.space === "shares" && name === "other";
    const input = VM.el("input", { type: "range", id, min: 0, max: 100, step: 0.1, value: 0, disabled: fixed, "aria-describedby": "mix-spec",
                                   "data-source": name });
    input.addEventListener("input", () => { P.setShare(i, Math.round(Number(input.value) * 10)); P.predictSoon(); });
    box.append(VM.el("div", { class: "slider" },
      VM.el("label", { for: id }, name === "other" ? "other (rest)" : name.replace("_", " ") + (P.space === "shares" ? " share" : "")),
      input, VM.el("output", { id: id + "-out", for: id }, "0%")));
  });
};
P.predictSoon = VM.debounce(() => P.predict(), 120);

/** Sets component i to `tenths` and rescales the others (in proportion) so all sum to 1000 tenths. */
P.setShare = function (i, tenths) {
  const n = P.values.length, v = P.values.slice();
  tenths = Math.max(0, Math.min(1000, tenths));
  if (P.space === "shares") {
    // reasoning + visual + other = 100%: the other share slider gives way, then the moved one is capped.
    const j = i === 0 ? 1 : 0;
    v[i] = tenths;
    if (v[i] + v[j] > 1000) v[j] = 1000 - v[i];
    v[2] = 1000 - v[0] - v[1];
  } else {
    const others = [...Array(n).keys()].filter((k) => k !== i), rest = 1000 - tenths;
    const sum = others.reduce((a, k) => a + v[k], 0);
    const raw = others.map((k) => sum > 0 ? v[k] * rest / sum : rest / others.length);
    const floor = raw.map(Math.floor);
    let left = rest - floor.reduce((a, b) => a + b, 0);
    const order = raw.map((r, k) => [r - floor[k], k]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, k] of order) { if (left <= 0) break; floor[k] += 1; left -= 1; }
    v[i] = tenths;
    others.forEach((k, idx) => { v[k] = floor[idx]; });
  }
  P.values = v;
  P.showSliders();
};

P.showSliders = function () {
  P.names.forEach((name, i) => {
    VM.$("mix-" + name).value = (P.values[i] / 10).toFixed(1);
    VM.$("mix-" + name + "-out").textContent = (P.values[i] / 10).toFixed(1) + "%";
  });
  VM.$("mix-spec").textContent = P.spec();
};

P.applyPreset = function (name) {
  const p = P.summary.presets.find((x) => x.name === name);
  if (!p || P.space === null) { if (P.space !== null) P.showSliders(); return; }
  let pct = P.space === "weights" ? P.names.map((s) => p.weights[s] || 0)
                                   : [p.reasoning_share * 100, p.visual_share * 100, 100 - (p.reasoning_share + p.visual_share) * 100];
  P.setTenths(pct);
};

/** Sets every component from percentages, rounded to tenths that sum to exactly 100%. */
P.setTenths = function (pct) {
  const raw = pct.map((x) => Math.max(0, x) * 10), total = raw.reduce((a, b) => a + b, 0) || 1;
  const scaled = raw.map((x) => x * 1000 / total), floor = scaled.map(Math.floor);
  let left = 1000 - floor.reduce((a, b) => a + b, 0);
  const order = scaled.map((r, k) => [r - floor[k], k]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, k] of order) { if (left <= 0) break; floor[k] += 1; left -= 1; }
  P.values = floor;
  P.showSliders();
};

/** The mixture as the API reads it: source percentages (zeros left out), or the two shares as fractions. */
P.spec = function () {
  if (P.space === "weights") return P.names.map((s, i) => [s, P.values[i]]).filter(([, t]) => t > 0).map(([s, t]) => `${s}=${(t / 10).toFixed(1)}`).join(",");
  if (P.space === "shares") return `reasoning=${(P.values[0] / 1000).toFixed(3)},visual=${(P.values[1] / 1000).toFixed(3)}`;
  return "balanced";
};

P.query = function () {
  const q = { source: P.summary.source, mix: P.spec() };
  const n = VM.$("params").value.trim(), d = VM.$("tokens").value.trim();
  if (n) q.params = n;
  if (d) q.tokens = d;
  return q;
};

P.predict = async function () {
  const status = VM.$("planner-status"), seq = ++P.seq, q = P.query();
  VM.status(status, "predicting…");
  try {
    const r = await VM.api("POST", "/v1/predict", q);
    if (seq !== P.seq) return;
    P.lastReport = r;
    P.showPrediction(r, q);
    VM.status(status, "");
  } catch (e) { if (seq === P.seq) VM.status(status, e.message, true); }
};

P.categoryInfo = (c) => P.summary.categories.find((x) => x.category === c) || {};

P.showPrediction = function (r, q) {
  VM.$("pred-context").textContent = `${r.source} at ${VM.qty(r.params)} parameters, ${VM.qty(r.tokens)} tokens · reasoning share ${VM.pct(r.reasoning_share)} · visual share ${VM.pct(r.visual_share)}`;
  VM.$("pred-context").dataset.mix = q.mix;
  const cats = Object.keys(r.scores).sort();
  const rows = cats.map((c) => {
    const p = r.scores[c];
    return VM.el("tr", { "data-category": c, class: p.extrapolated ? "extrapolated" : null },
      VM.el("th", { scope: "row" }, c),
      VM.el("td", { class: "num pred-value", "data-value": p.value }, VM.num(p.value)),
      VM.el("td", { class: "num pred-interval", "data-low": p.low, "data-high": p.high }, `${VM.num(p.low)} – ${VM.num(p.high)}`),
      VM.el("td", { class: "num pred-chance" }, p.chance === null || p.chance === undefined ? "not recorded" : VM.num(p.chance)),
      VM.el("td", {}, VM.unit(c)),
      VM.el("td", {}, p.family),
      VM.el("td", {}, p.extrapolated ? VM.el("span", { class: "badge extrapolated", title: "outside the sizes, budgets or mixtures the law was fitted on" }, "extrapolated") : ""));
  });
  VM.clear(VM.$("pred-table")).append(VM.table(["category", "predicted", "90% interval", "chance", "unit", "law", ""], rows, { id: "predictions" }));
  const chart = VM.clear(VM.$("pred-chart"));
  const acc = cats.filter((c) => VM.unit(c) === "accuracy, %");
  if (acc.length) chart.append(P.intervalChart(acc.map((c) => Object.assign({ category: c }, r.scores[c]))));
};

/** One row per category: the 90% interval as a bar, the prediction as a dot (hollow where it extrapolates), chance as a red tick. */
P.intervalChart = function (rows) {
  const W = 620, rowH = 26, m = { l: 130, r: 16, t: 8, b: 58 }, H = m.t + rows.length * rowH + m.b;
  const vals = rows.flatMap((r) => [r.low, r.high, r.value, r.chance]).filter((x) => x !== null && x !== undefined && isFinite(x));
  let lo = Math.min(...vals), hi = Math.max(...vals);
  const pad = (hi - lo) * 0.08 || 1; lo -= pad; hi += pad;
  const sx = (x) => m.l + (x - lo) / (hi - lo) * (W - m.l - m.r);
  const svg = VM.svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", class: "chart", id: "prediction-chart", style: `max-width:${Math.round(W * 1.2)}px`,
                              "aria-label": "predicted score of each category with its 90% interval and the chance level" });
  const B = m.t + rows.length * rowH;
  for (const v of VM.niceTicks(lo, hi, 6)) {
    svg.append(VM.svg("line", { x1: sx(v), x2: sx(v), y1: m.t, y2: B, class: "grid" }));
    svg.append(VM.svg("text", { x: sx(v), y: B + 14, class: "tick", "text-anchor": "middle" }, String(v)));
  }
  svg.append(VM.svg("line", { x1: m.l, x2: W - m.r, y1: B, y2: B, class: "axis" }));
  svg.append(VM.svg("text", { x: (m.l + W - m.r) / 2, y: B + 32, class: "axis-label", "text-anchor": "middle" }, "predicted score (accuracy, %)"));
  rows.forEach((r, i) => {
    const y = m.t + i * rowH + rowH / 2, colour = r.extrapolated ? "#c4501b" : "#3465a4";
    svg.append(VM.svg("text", { x: m.l - 8, y: y + 4, class: "tick", "text-anchor": "end" }, r.category));
    svg.append(VM.svg("line", { x1: sx(r.low), x2: sx(r.high), y1: y, y2: y, stroke: colour, "stroke-width": 6, "stroke-linecap": "round", opacity: 0.35 }));
    if (r.chance !== null && r.chance !== undefined) {
      svg.append(VM.svg("line", { x1: sx(r.chance), x2: sx(r.chance), y1: y - 9, y2: y + 9, class: "chance" }));
    }
    const dot = VM.marker(r.extrapolated ? "ring" : "circle", sx(r.value), y, 4, colour);
    dot.setAttribute("data-category", r.category);
    dot.append(VM.svg("title", {}, `${r.category}: ${VM.num(r.value)} (90% ${VM.num(r.low)}–${VM.num(r.high)})` + (r.extrapolated ? ", extrapolated" : "")));
    svg.append(dot);
  });
  const ly = B + 48;
  svg.append(VM.marker("circle", m.l, ly, 4, "#3465a4"), VM.svg("text", { x: m.l + 8, y: ly + 4, class: "legend" }, "prediction, 90% interval"));
  svg.append(VM.marker("ring", m.l + 170, ly, 4, "#c4501b"), VM.svg("text", { x: m.l + 178, y: ly + 4, class: "legend" }, "extrapolated"));
  svg.append(VM.svg("line", { x1: m.l + 270, x2: m.l + 290, y1: ly, y2: ly, class: "chance" }),
             VM.svg("text", { x: m.l + 296, y: ly + 4, class: "legend" }, "chance level (where recorded)"));
  return svg;
};

P.splitList = (text) => text.split(/[;\n,]+/).map((x) => x.trim()).filter(Boolean);

P.recommendRequest = function () {
  const q = P.query(), body = { source: q.source, objective: VM.$("objective").value.trim(), export: true };
  if (q.params) body.params = q.params;
  if (q.tokens) body.tokens = q.tokens;
  const constraints = P.splitList(VM.$("constraints").value);
  if (constraints.length) body.constraints = constraints;
  const bounds = VM.$("bounds").value.trim(), available = VM.$("available").value.trim();
  if (bounds) body.bounds = bounds;
  if (available) body.available = available;
  const epochs = Number(VM.$("max-epochs").value);
  if (VM.$("max-epochs").value !== "" && epochs !== 4) body.max_epochs = epochs;
  const base = VM.$("baseline").value;
  body.baseline = base === "__sliders" ? P.spec() : base;
  if (VM.$("candidates").value !== "") body.candidates = Number(VM.$("candidates").value);
  if (VM.$("extrapolate").checked) body.allow_extrapolation = true;
  if (VM.$("refit-near").checked) body.local_bandwidth = Number(VM.$("refit-near").dataset.bandwidth);
  return body;
};

P.recommend = async function () {
  const status = VM.$("rec-status"), button = VM.$("recommend"), body = P.recommendRequest();
  VM.status(status, "searching…");
  button.disabled = true;
  try {
    const recipe = await VM.api("POST", "/v1/recommend", body);
    P.recipe = recipe;
    VM.$("rec-request").textContent = JSON.stringify(body, null, 2);
    await P.showRecipe(recipe, body);
    VM.status(status, `done: ${recipe.candidates_feasible} of ${recipe.candidates_evaluated} candidates in range met every constraint`);
  } catch (e) { VM.status(status, e.message, true); }
  button.disabled = false;
};

/** The next runs for the form's recommendation: `POST /v1/design` with the recommend request. */
P.design = async function () {
  const status = VM.$("design-status"), button = VM.$("design"), body = P.recommendRequest();
  // The design reads the stored laws, a refit made by the recommendation among them.
  delete body.export;
  delete body.local_bandwidth;
  body.runs = Number(VM.$("design-runs").value);
  body.strategy = VM.$("design-strategy").value;
  VM.status(status, "designing…");
  button.disabled = true;
  try {
    const d = await VM.api("POST", "/v1/design", body);
    VM.$("design-request").textContent = JSON.stringify(body, null, 2);
    P.showDesign(d);
    VM.status(status, `done: ${d.runs.length} run(s) placed by ${d.strategy}`);
  } catch (e) { VM.status(status, e.message, true); }
  button.disabled = false;
};

P.showDesign = function (d) {
  const place = (m) => m.weights
    ? Object.entries(m.weights).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([s, w]) => `${s} ${VM.pct(w)}`).join(" · ")
    : `reasoning ${VM.pct(m.reasoning_share)} · visual ${VM.pct(m.visual_share)}`;
  const box = VM.clear(VM.$("design-result"));
  box.append(VM.el("p", { id: "design-summary" },
    `Recipe ${place(d.recipe)}: of ${d.replicates} bootstrap refits, ${VM.pct(d.probability_not_best, 0)} put their own optimum more than one seed SD (${VM.num(d.noise)}) above it; ` +
    `expected regret ${VM.num(d.expected_regret)} points, ${VM.num(d.expected_regret_after)} once these runs are measured.`));
  const rows = d.runs.map((r, i) => [String(i + 1), r.size, VM.qty(r.tokens), place(r.mixture), r.role.replace("_", " "),
                                     VM.num(r.predicted), VM.num(r.disagreement), `${VM.num(r.expected_regret_before)} → ${VM.num(r.expected_regret_after)}`]);
  box.append(VM.table(["#", "size", "tokens", "mixture (largest parts)", "role", "predicted", "refits' 90% range", "expected regret"], rows, { id: "design-table" }));
  const reasons = VM.el("ol", { id: "design-reasons", class: "note" });
  for (const r of d.runs) reasons.append(VM.el("li", {}, r.reason));
  box.append(reasons);
};

P.showRecipe = async function (r, body) {
  VM.$("recipe").hidden = false;
  const dl = VM.el("dl", { class: "kv", id: "recipe-facts" });
  const fact = (k, v, id) => dl.append(VM.el("dt", {}, k), VM.el("dd", { id }, v));
  fact("objective", `${r.objective} = ${VM.num(r.objective_value)}`, "recipe-objective");
  fact("at", `${VM.qty(r.params)} parameters, ${VM.qty(r.tokens)} tokens`);
  fact("shares", `reasoning ${VM.pct(r.reasoning_share)} · visual ${VM.pct(r.visual_share)}`, "recipe-shares");
  const b = r.baseline;
  fact("against " + b.name, `${VM.num(b.objective)} → ${VM.num(r.objective_value)}: margin ${b.margin >= 0 ? "+" : ""}${VM.num(b.margin, 3)}`, "recipe-margin");
  fact("probability better", b.probability_better === null || b.probability_better === undefined ? "unknown (no bootstrap)" : VM.pct(b.probability_better, 0) + " of the bootstrap refits", "recipe-probability");
  fact("binding constraints", r.binding.length ? r.binding.join(", ") : "none", "recipe-binding");
  if (r.nearest_measured) fact("nearest measured", `${(r.nearest_measured.distance * 100).toFixed(1)} share points away`);
  const box = VM.clear(VM.$("recipe-summary"));
  box.append(dl);
  if (r.weights) {
    const rows = P.summary.sources.map((s) => VM.el("tr", { "data-source": s },
      VM.el("th", { scope: "row" }, s), VM.el("td", { class: "num recipe-weight", "data-weight": r.weights[s] || 0 }, VM.num(100 * (r.weights[s] || 0)) + "%")));
    box.append(VM.table(["source", "weight"], rows, { id: "recipe-weights" }));
  } else {
    box.append(VM.el("p", { class: "note" }, "These laws know mixtures only by their shares: the recipe is the pair of shares above."));
  }
  const scoreRows = Object.keys(r.scores).sort().map((c) => {
    const p = r.scores[c];
    return [c, VM.num(p.value), `${VM.num(p.low)} – ${VM.num(p.high)}`, p.chance === null || p.chance === undefined ? "not recorded" : VM.num(p.chance),
            p.extrapolated ? VM.el("span", { class: "badge extrapolated" }, "extrapolated") : ""];
  });
  box.append(VM.table(["category", "predicted", "90% interval", "chance", ""], scoreRows));
  VM.$("export-text").textContent = r.exports.yaml;
  const mega = VM.$("copy-megatron");
  mega.disabled = !r.exports.megatron;
  mega.title = r.exports.megatron ? "" : (r.export_refusals.megatron || "");
  VM.status(VM.$("copy-status"), r.exports.megatron ? "" : r.export_refusals.megatron || "");
  await P.drawPareto(r, body);
};

/** The front of objective against the language category, with the recipe (star) and the baseline (square). */
P.drawPareto = async function (r, body) {
  const box = VM.clear(VM.$("pareto"));
  const lang = r.language_category;
  if (!lang || !r.pareto.length) { box.append(VM.el("p", { class: "note" }, "No front: the laws need a language category (text_acc) that reads the mixture.")); return; }
  let baseX = null;
  try {
    const base = await VM.api("POST", "/v1/predict", { source: r.source, mix: body.baseline, params: r.params, tokens: r.tokens });
    baseX = base.scores[lang] ? base.scores[lang].value : null;
  } catch (e) { baseX = null; }
  const objInfo = P.categoryInfo(r.objective), langInfo = P.categoryInfo(lang);
  const points = r.pareto.map((p) => ({ x: p.language, y: p.objective, color: "#3465a4", r: 3, cls: "pareto-point",
                                        title: `${lang} ${VM.num(p.language)}, ${r.objective} ${VM.num(p.objective)}` }));
  const recX = r.scores[lang] ? r.scores[lang].value : null;
  if (recX !== null) points.push({ x: recX, y: r.objective_value, shape: "star", color: "#f1c40f", r: 4, cls: "pareto-recipe", title: "recipe" });
  if (baseX !== null) points.push({ x: baseX, y: r.baseline.objective, shape: "square", color: "#c4501b", r: 5, cls: "pareto-baseline", title: "baseline " + r.baseline.name });
  box.append(VM.el("figure", {}, VM.chart({
    width: 520, height: 340, title: "vision–language Pareto front",
    x: { label: VM.axisLabel(`${lang} predicted`, langInfo.chance) }, y: { label: VM.axisLabel(`${r.objective} predicted`, objInfo.chance) },
    chance: objInfo.chance, chanceX: langInfo.chance, chanceIfInView: true, chanceXIfInView: true, points,
    legend: [{ label: "Pareto front", color: "#3465a4" }, { label: "recipe", shape: "star", color: "#f1c40f" }, { label: "baseline", shape: "square", color: "#c4501b" },
             { label: "chance", line: true, color: "#c0392b", dash: "6 4" }],
  }), VM.el("figcaption", {}, `The front of the sampled candidates (each best on one axis for its value on the other); the recipe is refined from the best feasible sample, so it can lie past them. Baseline: ${r.baseline.name}. Chance levels are drawn when they fall inside the axes.`)));
};

P.copyExport = async function (format) {
  if (!P.recipe) return;
  const text = P.recipe.exports[format];
  VM.$("export-text").textContent = text || P.recipe.export_refusals[format] || "";
  const ok = text ? await VM.copy(text) : false;
  VM.status(VM.$("copy-status"), ok ? `copied the ${format} export` : (text ? "the browser refused the clipboard: copy it from Exports below" : P.recipe.export_refusals[format]), !ok);
};

P.useRecipe = function () {
  const r = P.recipe;
  if (!r) return;
  if (P.space === "weights" && r.weights) P.setTenths(P.names.map((s) => 100 * (r.weights[s] || 0)));
  else if (P.space === "shares") P.setTenths([100 * r.reasoning_share, 100 * r.visual_share, 100 * (1 - r.reasoning_share - r.visual_share)]);
  VM.$("params").value = VM.qtyExact(r.params);
  VM.$("tokens").value = VM.qtyExact(r.tokens);
  P.predict();
};

document.addEventListener("DOMContentLoaded", P.init);
"""#
}
