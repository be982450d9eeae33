extension DashboardAssets {
    /// `/assets/runs.js`: the runs page: filters from `GET /v1/sources/{label}` (the sizes,
    /// budgets and mixtures the runs take), a page of `GET /v1/runs`, and one run's detail.
    static let runsScript = #"""
"use strict";
const R = { limit: 25, offset: 0, total: 0, preferred: ["vqa_avg", "text_acc", "general", "ppl"] };

R.init = async function () {
  const status = VM.$("runs-status");
  try {
    const sources = await VM.fillSources(VM.$("source"), false);
    if (!sources.length) { VM.status(status, "The store holds no runs yet: import some with visionmix runs import FILE --source LABEL.", true); return; }
    VM.$("source").addEventListener("change", async () => { R.offset = 0; await R.loadFacets(); R.load(); });
    for (const id of ["f-params", "f-tokens", "f-mix"]) VM.$(id).addEventListener("change", () => { R.offset = 0; R.load(); });
    VM.$("prev").addEventListener("click", () => { R.offset = Math.max(0, R.offset - R.limit); R.load(); });
    VM.$("next").addEventListener("click", () => { R.offset += R.limit; R.load(); });
    R.offset = Number(VM.param("offset") || 0);
    await R.loadFacets(true);
    await R.load();
    if (VM.param("id")) R.show(Number(VM.param("id")));
  } catch (e) { VM.status(status, e.message, true); }
};

R.fill = function (select, values, label, wanted) {
  VM.clear(select).append(VM.el("option", { value: "" }, "any " + label));
  for (const v of values) select.append(VM.el("option", { value: v.value }, v.text));
  if (wanted && values.some((v) => v.value === wanted)) select.value = wanted;
};

R.loadFacets = async function (fromURL) {
  const s = await VM.api("GET", "/v1/sources/" + encodeURIComponent(VM.$("source").value));
  const f = s.facets;
  R.fill(VM.$("f-params"), f.params.map((v) => ({ value: VM.qtyExact(v.value), text: `${VM.qty(v.value)} (${v.runs})` })), "size", fromURL && VM.param("params"));
  R.fill(VM.$("f-tokens"), f.tokens.map((v) => ({ value: VM.qtyExact(v.value) || "0", text: `${VM.qty(v.value)} (${v.runs})` })), "budget", fromURL && VM.param("tokens"));
  R.fill(VM.$("f-mix"), f.mixtures.map((v) => ({ value: v.spec, text: `reasoning ${VM.pct(v.reasoning_share)} · visual ${VM.pct(v.visual_share)} (${v.runs})`, })), "mixture", fromURL && VM.param("mix"));
  if (f.mixtures_total > f.mixtures.length) VM.$("f-mix").append(VM.el("option", { disabled: true }, `… ${f.mixtures_total - f.mixtures.length} rarer mixtures not listed`));
};

R.filters = () => ({ source: VM.$("source").value, params: VM.$("f-params").value, tokens: VM.$("f-tokens").value, mix: VM.$("f-mix").value });

R.load = async function () {
  const status = VM.$("runs-status"), f = R.filters();
  VM.setParams(Object.assign({}, f, { offset: R.offset || null }));
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  q.set("limit", R.limit); q.set("offset", R.offset);
  try {
    const page = await VM.api("GET", "/v1/runs?" + q.toString());
    R.total = page.total;
    R.draw(page.runs);
    VM.status(status, page.total ? `runs ${page.offset + 1}–${page.offset + page.runs.length} of ${page.total}` : "no run matches these filters");
    VM.$("prev").disabled = R.offset === 0;
    VM.$("next").disabled = R.offset + R.limit >= R.total;
  } catch (e) { VM.status(status, e.message, true); }
};

R.draw = function (runs) {
  const present = new Set(runs.flatMap((r) => Object.keys(r.scores)));
  const cols = R.preferred.filter((c) => present.has(c));
  for (const c of [...present].sort()) if (cols.length < 4 && !cols.includes(c)) cols.push(c);
  const rows = runs.map((r) => {
    const tr = VM.el("tr", { class: "clickable", tabindex: 0, "data-id": r.id },
      VM.el("td", { class: "num" }, r.id), VM.el("td", { class: "name", title: r.name || "" }, r.name || "—"), VM.el("td", { class: "num" }, VM.qty(r.params)),
      VM.el("td", { class: "num" }, r.tokens === 0 ? "0" : VM.qty(r.tokens)), VM.el("td", { class: "num" }, r.seed ?? "—"),
      VM.el("td", { class: "num" }, VM.pct(r.reasoning_share)), VM.el("td", { class: "num" }, VM.pct(r.visual_share)),
      ...cols.map((c) => VM.el("td", { class: "num" }, r.scores[c] === undefined ? "—" : VM.num(r.scores[c]) +
        (r.chance && r.chance[c] !== undefined ? ` (${VM.num(r.chance[c], 0)})` : ""))));
    tr.addEventListener("click", () => R.show(r.id));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") R.show(r.id); });
    return tr;
  });
  const heads = ["id", "name", "size", "tokens", "seed", "reasoning", "visual", ...cols.map((c) => `${c} (chance)`)];
  VM.clear(VM.$("runs-table")).append(VM.table(heads, rows, { id: "runs" }));
};

R.show = async function (id) {
  const box = VM.$("run-detail");
  VM.setParams({ id });
  for (const tr of document.querySelectorAll("#runs tbody tr")) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
  try {
    const r = await VM.api("GET", "/v1/runs/" + id);
    VM.clear(box);
    const dl = VM.el("dl", { class: "kv" });
    const fact = (k, v) => dl.append(VM.el("dt", {}, k), VM.el("dd", {}, v));
    fact("id", r.id); fact("source", r.source); fact("origin", r.origin); fact("name", r.name || "—");
    fact("size", `${VM.qty(r.params)} parameters`); fact("tokens", r.tokens === 0 ? "0" : VM.qty(r.tokens)); fact("seed", r.seed ?? "—");
    fact("status", r.status); fact("duration", VM.duration(r.duration_seconds));
    fact("shares", `reasoning ${VM.pct(r.reasoning_share)} · visual ${VM.pct(r.visual_share)}`);
    if (r.mixture) fact("mixture", Object.entries(r.mixture).filter(([, w]) => w > 0).map(([s, w]) => `${s} ${VM.pct(w)}`).join(" · "));
    box.append(dl);
    const scores = Object.keys(r.scores).sort().map((c) => [c, VM.num(r.scores[c]), r.chance[c] === undefined ? "not recorded" : VM.num(r.chance[c]), VM.unit(c)]);
    box.append(VM.el("h3", {}, "Scores"), VM.table(["score", "value", "chance", "unit"], scores, { id: "run-scores" }));
    box.append(VM.el("h3", {}, "Provenance"), VM.el("pre", {}, JSON.stringify(r.provenance, null, 2)));
  } catch (e) { VM.clear(box).append(VM.el("p", { class: "status error", role: "alert" }, e.message)); }
};

document.addEventListener("DOMContentLoaded", R.init);
"""#
}
