extension DashboardAssets {
    /// `/assets/sweeps.js`: the sweeps page: every sweep, one sweep's live progress (polled
    /// every two seconds while it is pending or running: runs stored, ETA, each unit of work's
    /// state, the failure message), and the forms that start and cancel sweeps (with the token).
    static let sweepsScript = #"""
"use strict";
const S = { timer: null, id: null, pollMs: 2000 };

S.init = async function () {
  VM.$("start-form").addEventListener("submit", (e) => { e.preventDefault(); S.start(); });
  await S.list();
  const id = Number(VM.param("id"));
  if (id) S.select(id);
};

S.bar = function (done, total, status) {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const colour = { running: "#3465a4", complete: "#2e8540", failed: "#c0392b", cancelled: "#888" }[status] || "#bbb";
  return VM.el("div", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": done,
                        "aria-label": `${done} of ${total} runs stored` },
    VM.el("span", { style: `width:${(100 * f).toFixed(1)}%;background:${colour}` }), VM.el("b", {}, `${done}/${total}`));
};

S.list = async function () {
  try {
    const data = await VM.api("GET", "/v1/sweeps");
    const rows = data.sweeps.map((p) => {
      const tr = VM.el("tr", { class: "clickable" + (p.sweep_id === S.id ? " selected" : ""), tabindex: 0, "data-id": p.sweep_id },
        VM.el("td", { class: "num" }, p.sweep_id), VM.el("td", {}, p.name), VM.el("td", {}, p.label),
        VM.el("td", {}, VM.el("span", { class: "state " + p.status }, p.status)), VM.el("td", {}, S.bar(p.completed_runs, p.total_runs, p.status)));
      tr.addEventListener("click", () => S.select(p.sweep_id));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") S.select(p.sweep_id); });
      return tr;
    });
    VM.clear(VM.$("sweep-list")).append(rows.length ? VM.table(["id", "name", "source", "status", "runs stored"], rows, { id: "sweeps" })
                                                     : VM.el("p", { class: "note" }, "No sweep yet."));
  } catch (e) { VM.clear(VM.$("sweep-list")).append(VM.el("p", { class: "status error", role: "alert" }, e.message)); }
};

S.select = function (id) {
  S.id = id;
  VM.setParams({ id });
  for (const tr of document.querySelectorAll("#sweeps tbody tr")) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
  clearTimeout(S.timer);
  S.poll();
};

S.poll = async function () {
  const id = S.id, box = VM.$("sweep-detail");
  try {
    const [p, u] = await Promise.all([VM.api("GET", "/v1/sweeps/" + id), VM.api("GET", `/v1/sweeps/${id}/units`)]);
    if (id !== S.id) return;
    S.draw(p, u);
    const live = p.status === "running" || p.status === "pending";
    if (live) S.timer = setTimeout(S.poll, S.pollMs);
    else S.list();
  } catch (e) {
    if (id !== S.id) return;
    VM.clear(box).append(VM.el("p", { class: "status error", role: "alert" }, e.message));
  }
};

S.draw = function (p, u) {
  const box = VM.clear(VM.$("sweep-detail"));
  box.dataset.status = p.status;
  box.append(VM.el("h3", {}, `${p.name} `, VM.el("span", { class: "state " + p.status, id: "sweep-status" }, p.status)));
  box.append(S.bar(p.completed_runs, p.total_runs, p.status));
  const dl = VM.el("dl", { class: "kv", style: "margin-top:8px" });
  const fact = (k, v, id) => dl.append(VM.el("dt", {}, k), VM.el("dd", { id }, v));
  fact("source", p.label);
  fact("runs stored", `${p.completed_runs} of ${p.total_runs}`, "sweep-runs");
  if (p.status === "running" || p.status === "pending") fact("elapsed", VM.duration(p.elapsed_seconds), "sweep-elapsed");
  fact("time left", p.eta_seconds === null || p.eta_seconds === undefined ? (p.status === "running" ? "estimated once a unit finishes" : "—") : "about " + VM.duration(p.eta_seconds), "sweep-eta");
  const counts = Object.entries(u.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(" · ");
  fact("units", counts || "none", "sweep-counts");
  fact("updated", new Date().toLocaleTimeString());
  box.append(dl);
  if (p.message) box.append(VM.el("p", { class: p.status === "failed" ? "status error" : "note", role: p.status === "failed" ? "alert" : null, id: "sweep-message" }, p.message));
  if (p.status === "running" || p.status === "pending") {
    box.append(VM.el("p", {}, VM.el("button", { type: "button", class: "secondary", id: "cancel", onclick: () => S.cancel(p.sweep_id) }, "Cancel this sweep")));
  }
  const rows = u.units.map((x) => VM.el("tr", { "data-state": x.state },
    VM.el("td", { class: "num" }, x.unit), VM.el("td", {}, VM.el("span", { class: "state " + x.state }, x.state)),
    VM.el("td", { class: "num" }, x.runs.length), VM.el("td", { class: "num" }, x.worker ?? "—"), VM.el("td", { class: "num" }, VM.duration(x.seconds)),
    VM.el("td", {}, x.key)));
  box.append(VM.el("h3", {}, "Units of work"), VM.el("p", { class: "note" }, "A unit is one pre-training and the runs (checkpoints, adaptations) that share it."),
             VM.table(["unit", "state", "runs", "worker", "took", "pre-training"], rows, { id: "units" }));
};

S.start = async function () {
  const status = VM.$("start-status"), preset = VM.$("preset").value, specText = VM.$("spec").value.trim();
  let body;
  try {
    body = preset ? { preset } : { spec: JSON.parse(specText) };
  } catch (e) { VM.status(status, "the spec is not JSON: " + e.message, true); return; }
  VM.status(status, "starting…");
  try {
    const p = await VM.api("POST", "/v1/sweeps", body);
    VM.status(status, `sweep ${p.sweep_id} (${p.name}) started`);
    await S.list();
    S.select(p.sweep_id);
  } catch (e) { VM.status(status, e.message, true); }
};

S.cancel = async function (id) {
  try { await VM.api("DELETE", "/v1/sweeps/" + id); } catch (e) { VM.status(VM.$("start-status"), e.message, true); }
  clearTimeout(S.timer);
  S.poll();
  S.list();
};

document.addEventListener("DOMContentLoaded", S.init);
"""#
}
