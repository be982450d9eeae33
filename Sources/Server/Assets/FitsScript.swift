extension DashboardAssets {
    /// `/assets/fits.js`: the fits page. It draws what `GET /v1/fits/curves` returns (points,
    /// curves and bands computed by the Laws module) and computes no law itself; its refit
    /// form sends `POST /v1/fits` and redraws from the stored fit.
    static let fitsScript = #"""
"use strict";
const F = { sources: [] };

F.init = async function () {
  const status = VM.$("fits-status");
  try {
    F.sources = await VM.fillSources(VM.$("source"), true);
    if (!F.sources.length) { VM.status(status, "No source has fits yet: fit one with visionmix fit --source LABEL --all.", true); return; }
    VM.$("source").addEventListener("change", () => { F.fillCategories(); F.load(); });
    VM.$("category").addEventListener("change", F.load);
    VM.$("refit-form").addEventListener("submit", (e) => { e.preventDefault(); F.refit(); });
    F.fillCategories(VM.param("category"));
    await F.load();
  } catch (e) { VM.status(status, e.message, true); }
};

F.fillCategories = function (wanted) {
  const src = F.sources.find((s) => s.label === VM.$("source").value), sel = VM.clear(VM.$("category"));
  for (const c of src.fitted) sel.append(VM.el("option", { value: c }, c));
  const prefer = [wanted, "vqa_avg", "general", "text_acc"].find((c) => c && src.fitted.includes(c));
  if (prefer) sel.value = prefer;
};

F.load = async function () {
  const source = VM.$("source").value, category = VM.$("category").value, status = VM.$("fits-status");
  VM.setParams({ source, category });
  VM.status(status, "loading…");
  try {
    const data = await VM.api("GET", `/v1/fits/curves?source=${encodeURIComponent(source)}&category=${encodeURIComponent(category)}`);
    const box = VM.clear(VM.$("fits"));
    for (const f of data.fits) box.append(F.section(data, f));
    VM.status(status, `${data.runs} run(s) with ${category}; ${data.fits.length} kind(s) of law fitted`);
  } catch (e) { VM.status(status, e.message, true); }
};

/** The refit form's request: the page's source and category, the family and solver, and a
 *  mixture with its bandwidth when one is given. */
F.refitRequest = function () {
  const body = { source: VM.$("source").value, category: VM.$("category").value,
                 family: VM.$("refit-family").value, solver: VM.$("refit-solver").value };
  const near = VM.$("refit-near").value.trim();
  if (near) { body.near = near; body.bandwidth = Number(VM.$("refit-bandwidth").value); }
  return body;
};

F.refit = async function () {
  const status = VM.$("refit-status"), button = VM.$("refit"), body = F.refitRequest();
  VM.$("refit-request").textContent = JSON.stringify(body, null, 2);
  button.disabled = true;
  VM.status(status, "fitting…");
  try {
    const out = await VM.api("POST", "/v1/fits", body);
    const fit = out.fits[0];
    await F.load();
    VM.status(status, `done: ${fit.category} fitted by ${fit.family}` + (fit.local ? ` near the mixture, bandwidth ${fit.local.bandwidth}` : "") + "; stored");
  } catch (e) { VM.status(status, e.message, true); }
  finally { button.disabled = false; }
};

F.sizeColours = function (points) {
  const sizes = [...new Set(points.map((p) => p.params))].sort((a, b) => a - b), out = new Map();
  sizes.forEach((n, i) => out.set(n, VM.palette[i % VM.palette.length]));
  return out;
};

/** One fitted law: what it is, how well it fits, the pictures and the family comparison. */
F.section = function (data, entry) {
  const fit = entry.fit, plot = entry.plot, c = data.category;
  const sec = VM.el("section", { class: "panel fit", "data-family": fit.family, style: "margin-top:14px" });
  sec.append(VM.el("h2", {}, `${c}: ${fit.family} `, VM.el("span", { class: "note" }, `(${fit.kind} law)`), " ",
                   entry.plans ? VM.el("span", { class: "badge plans", title: "predict and recommend use this fit" }, "plans with this fit") : ""));
  sec.append(VM.el("p", {}, VM.el("code", {}, fit.formula)));
  const facts = VM.el("dl", { class: "kv" });
  const fact = (k, v) => facts.append(VM.el("dt", {}, k), VM.el("dd", {}, v));
  fact("train", `${fit.train.points} points · RMSE ${VM.num(fit.train.rmse, 3)} · MAE ${VM.num(fit.train.mae, 3)}` + (fit.train.r2 !== null && fit.train.r2 !== undefined ? ` · R² ${VM.num(fit.train.r2, 3)}` : ""));
  if (fit.cv) fact("cross-validated", `${fit.cv.folds}-fold MAE ${VM.num(fit.cv.mae, 3)}`);
  if (fit.holdout) fact("held out", `N = ${VM.qty(fit.holdout.params)} (${fit.holdout.points} points): MAE ${VM.num(fit.holdout.mae, 3)}, RMSE ${VM.num(fit.holdout.rmse, 3)}`);
  const span = (r) => r[0] === r[1] ? VM.qty(r[0]) : `${VM.qty(r[0])}–${VM.qty(r[1])}`;
  fact("fitted on", `N ${span(fit.ranges.params)}, D ${span(fit.ranges.tokens)}`);
  fact("chance level", plot.chance === null || plot.chance === undefined ? "not recorded by these runs" : VM.num(plot.chance));
  fact("status", fit.diagnostics.status);
  for (const n of fit.notes) fact("note", n);
  sec.append(facts);
  const figs = VM.el("div", { class: "grid", style: "margin-top:10px" });
  for (const fig of F.figures(c, plot)) figs.append(fig);
  sec.append(figs);
  const names = Object.keys(fit.parameters).sort();
  sec.append(VM.el("h3", {}, "Parameters"), VM.table(["parameter", "value", "90% bootstrap interval", "standard error"],
    names.map((n) => { const iv = fit.intervals[n] || {}; return [n, VM.num(fit.parameters[n], 4),
      iv.low !== null && iv.low !== undefined ? `${VM.num(iv.low, 4)} – ${VM.num(iv.high, 4)}` : "—", iv.se !== null && iv.se !== undefined ? VM.num(iv.se, 4) : "—"]; })));
  if (fit.selection) {
    const sel = fit.selection;
    sec.append(VM.el("h3", {}, "Families compared"), VM.el("p", { class: "note" }, `chosen by ${sel.criterion.replace("_", " ")}: ${sel.reason}`));
    const rows = sel.candidates.map((k) => VM.el("tr", { class: k.family === fit.family ? "selected" : null, "data-family": k.family },
      VM.el("th", { scope: "row" }, k.family + (k.family === fit.family ? " (chosen)" : "")),
      VM.el("td", { class: "num" }, VM.num(k.train_rmse, 3)), VM.el("td", { class: "num" }, VM.num(k.aic, 1)),
      VM.el("td", { class: "num" }, VM.num(k.cv_mae, 3)), VM.el("td", { class: "num" }, VM.num(k.holdout_mae, 3)),
      VM.el("td", {}, k.error || "")));
    sec.append(VM.table(["family", "train RMSE", "AIC", "CV MAE", "held-out MAE", "error"], rows, { class: "families" }));
  }
  return sec;
};

F.pointStyle = function (p, colours) {
  if (!p.in_fit) return { shape: "circle", color: "#bbb", r: 3 };
  if (p.held_out) return { shape: "diamond", color: colours.get(p.params), r: 4 };
  return { shape: "circle", color: colours.get(p.params), r: 4 };
};

F.pointTitle = (p) => `run ${p.run_id ?? "—"}: N ${VM.qty(p.params)}, D ${VM.qty(p.tokens)}` +
  (p.reasoning_share !== null && p.reasoning_share !== undefined ? `, reasoning ${VM.pct(p.reasoning_share)}, visual ${VM.pct(p.visual_share)}` : "") +
  `: ${VM.num(p.score)} (law ${VM.num(p.predicted)})` + (p.held_out ? ", held out" : "") + (p.in_fit ? "" : ", not in this fit");

F.legend = function (plot, colours, withHoldout) {
  const items = [...colours.entries()].map(([n, col]) => ({ label: "N = " + VM.qty(n), color: col }));
  if (plot.points.some((p) => p.held_out)) items.push({ label: "held-out size", shape: "diamond", color: "#555" });
  if (withHoldout) items.push({ label: "law fitted without it", line: true, color: "#555", dash: "5 3" });
  if (plot.points.some((p) => !p.in_fit)) items.push({ label: "not in this fit", color: "#bbb" });
  items.push({ label: plot.chance === null || plot.chance === undefined ? "chance not recorded" : "chance", line: true, color: "#c0392b", dash: "6 4" });
  return items;
};

/** The pictures of one law: over D, over N, over a share, and the residuals (or observed against predicted). */
F.figures = function (c, plot) {
  const out = [], colours = F.sizeColours(plot.points.filter((p) => p.in_fit));
  const ylabel = VM.axisLabel(c, plot.chance), level = Math.round(plot.interval_level * 100);
  const caption = (text) => VM.el("figcaption", {}, text);
  const byAxis = (a) => plot.curves.filter((k) => k.axis === a);
  const tokenCurves = byAxis("tokens");
  if (tokenCurves.length) {
    const sizes = new Set(tokenCurves.map((k) => k.params));
    const colourOf = (n) => colours.get(n) || "#555";
    out.push(VM.el("figure", { class: "fit-figure", "data-axis": "tokens" }, VM.chart({
      title: `${c} against pre-training tokens`, x: { label: "pre-training tokens", log: true, zeroSlot: true }, y: { label: ylabel }, chance: plot.chance,
      bands: tokenCurves.filter((k) => !k.holdout_fit).map((k) => ({ x: k.x, low: k.low, high: k.high, color: colourOf(k.params) })),
      lines: tokenCurves.map((k) => ({ x: k.x, y: k.value, color: colourOf(k.params), dash: k.holdout_fit ? "5 3" : null })),
      points: plot.points.filter((p) => sizes.has(p.params) || !p.in_fit).map((p) => Object.assign(F.pointStyle(p, colours),
        { x: p.tokens, y: p.score, cls: "run-point", title: F.pointTitle(p), data: { held: p.held_out ? 1 : 0 } })),
      legend: F.legend(plot, colours, tokenCurves.some((k) => k.holdout_fit)),
    }), caption(`Lines: the law at each fitted size; shaded: its ${level}% bootstrap band. Points at D = 0 sit left of the log axis.`)));
  }
  for (const k of byAxis("params")) {
    const at = plot.points.filter((p) => Math.abs(p.tokens - k.tokens) <= 1e-9 * Math.max(1, k.tokens));
    out.push(VM.el("figure", { class: "fit-figure", "data-axis": "params" }, VM.chart({
      title: `${c} against parameters at ${k.label}`, x: { label: "parameters", log: true }, y: { label: ylabel }, chance: plot.chance,
      bands: [{ x: k.x, low: k.low, high: k.high, color: "#3465a4" }], lines: [{ x: k.x, y: k.value, color: "#3465a4" }],
      points: at.map((p) => Object.assign(F.pointStyle(p, colours), { x: p.params, y: p.score, cls: "run-point", title: F.pointTitle(p) })),
      legend: F.legend(plot, colours, false),
    }), caption(`The runs at this budget; line and ${level}% band: the law.`)));
  }
  for (const axis of ["reasoning_share", "visual_share"]) {
    for (const k of byAxis(axis)) {
      out.push(VM.el("figure", { class: "fit-figure", "data-axis": axis }, VM.chart({
        title: `${c} against ${axis.replace("_", " ")} (${k.label})`, x: { label: axis.replace("_", " ") + " (%)" }, y: { label: ylabel }, chance: plot.chance,
        bands: [{ x: k.x.map((x) => 100 * x), low: k.low, high: k.high, color: "#3465a4" }], lines: [{ x: k.x.map((x) => 100 * x), y: k.value, color: "#3465a4" }],
        points: plot.points.filter((p) => p.in_fit && p[axis] !== null && p[axis] !== undefined).map((p) =>
          Object.assign(F.pointStyle(p, colours), { x: 100 * p[axis], y: p.score, cls: "run-point", title: F.pointTitle(p) })),
        legend: F.legend(plot, colours, false),
      }), caption(`Points: every fitted mixture (the other share varies); line: the law through the fitted mixtures' most common point.`)));
    }
  }
  if (!plot.curves.length) {
    const fitted = plot.points.filter((p) => p.in_fit);
    out.push(VM.el("figure", { class: "fit-figure", "data-axis": "observed" }, VM.chart({
      title: `${c}: observed against the law`, x: { label: VM.axisLabel(`${c} predicted by the law`, plot.chance) }, y: { label: "observed " + ylabel }, chance: plot.chance, chanceX: plot.chance,
      diagonal: true, errorBars: fitted.map((p) => ({ x: p.predicted, low: p.low, high: p.high })),
      points: fitted.map((p) => Object.assign(F.pointStyle(p, colours), { x: p.predicted, y: p.score, cls: "run-point", title: F.pointTitle(p) })),
      legend: F.legend(plot, colours, false),
    }), caption(`Each fitted run: observed score against the law's value, with the law's ${level}% interval there; the dashed grey line is observed = predicted.`)));
  }
  const fitted = plot.points.filter((p) => p.in_fit);
  out.push(VM.el("figure", { class: "fit-figure", "data-axis": "residuals" }, VM.chart({
    title: `${c}: residuals`, y: { label: `observed − predicted (${VM.unit(c)} points)` }, hlines: [{ y: 0 }],
    x: { label: VM.axisLabel(`${c} predicted by the law`, plot.chance) },
    chanceX: plot.chance, chanceXIfInView: true,
    points: fitted.map((p) => Object.assign(F.pointStyle(p, colours), { x: p.predicted, y: p.residual, cls: "residual-point", title: F.pointTitle(p) })),
    legend: F.legend(plot, colours, false),
  }), caption("Residuals of the runs the law was fitted on; the vertical dashed line (when in view) is the chance level of the predicted score.")));
  return out;
};

document.addEventListener("DOMContentLoaded", F.init);
"""#
}
