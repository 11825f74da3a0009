// A read-only page per instance: where it is (highlighted on its state graph), each step's
// input, output and error, its approvals, and its history a page at a time.
"use strict";

(() => {
  const { api, el, render, when } = Covenant;
  const $ = (id) => document.getElementById(id);
  const id = new URLSearchParams(location.search).get("id") || "";
  let cursor = null;

  function show(section) { $(section).classList.remove("hidden"); }

  // The graph, with the states the instance is at marked on it (drawn as an image: its labels
  // are the definition's, not the page's text).
  async function graph(workflow, at) {
    const text = await api("GET", `/v1/definitions/${encodeURIComponent(workflow)}/graph.svg`);
    const doc = new DOMParser().parseFromString(text, "image/svg+xml");
    const current = new Set(at.map((f) => f.state));
    for (const node of doc.querySelectorAll("g.node")) {
      const title = node.querySelector("title");
      if (!title || !current.has(title.textContent)) continue;
      node.querySelectorAll("polygon, ellipse, path").forEach((shape) => {
        shape.setAttribute("stroke", "#b45309");
        shape.setAttribute("stroke-width", "4");
      });
    }
    const marked = doc.documentElement.nodeName === "svg" ? new XMLSerializer().serializeToString(doc) : text;
    const where = current.size ? ` (now at ${[...current].join(", ")}, outlined)` : "";
    const img = el("img", { alt: `state graph of ${workflow}${where}`, id: "graph-image" });
    img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(marked)));
    $("graph").replaceChildren(img);
    show("graph-card");
  }

  // A value shown on demand: inputs and results can be large.
  function folded(title, value) {
    return el("details", {}, el("summary", {}, title), el("div", { class: "scroll" }, render(value)));
  }

  function attempt(a) {
    const head = `#${a.attempt} ${when(a.at)} `;
    return a.ok
      ? el("div", { class: "attempt ok" }, folded(head + "ok", a.result))
      : el("div", { class: "attempt failed error" }, head + `${a.error.code}: ${a.error.message}`);
  }

  async function steps() {
    const page = await api("GET", `/v1/instances/${encodeURIComponent(id)}/steps`);
    if (!page.items.length) return;
    $("steps").querySelector("tbody").replaceChildren(...page.items.map((s) => el("tr", { class: "step" },
      el("td", {}, s.state || "(compensation)"), el("td", {}, s.activity), el("td", {}, folded("input", s.input)),
      el("td", {}, ...(s.attempts.length ? s.attempts.map(attempt) : [el("span", { class: "meta" }, "running")])))));
    show("steps-card");
  }

  function summary(x) {
    $("title").textContent = `${x.business_key || x.id} — ${x.workflow}`;
    $("meta").textContent = `status ${x.status}${x.error ? " (" + x.error + ")" : ""} · started ${when(x.created)} by ${x.started_by} · ${x.events} events`;
    $("where").replaceChildren(x.at.length
      ? render(x.at.map((f) => ({ state: f.state, status: f.status, frame: f.frame })))
      : el("p", { class: "meta" }, "not in any state (finished)"));
    show("summary-card");
  }

  async function approvals() {
    const page = await api("GET", `/v1/instances/${encodeURIComponent(id)}/approvals`);
    if (!page.items.length) return;
    $("approvals").replaceChildren(...page.items.map((a) => el("div", { class: "approval" },
      el("h3", {}, `${a.state}: ${a.status}`),
      el("div", { class: "meta" }, `opened ${when(a.opened_at)} · digest `, el("span", { class: "digest" }, a.digest)),
      a.decisions.length ? render(a.decisions.map((d) => ({
        who: d.recorded_as || d.approver, role: d.role, decision: d.approve ? "approve" : "reject", comment: d.comment,
      }))) : el("p", { class: "meta" }, "no decisions yet"))));
    show("approvals-card");
  }

  async function history() {
    const page = await api("GET", `/v1/instances/${encodeURIComponent(id)}/history?limit=100` + (cursor ? "&cursor=" + cursor : ""));
    const body = $("history").querySelector("tbody");
    for (const e of page.items)
      body.append(el("tr", { class: "event" }, el("td", {}, e.seq), el("td", {}, when(e.at)), el("td", {}, e.type),
        el("td", {}, e.state || "—"), el("td", {}, render(e.payload))));
    cursor = page.next_cursor;
    $("more").classList.toggle("hidden", !cursor);
    show("history-card");
  }

  async function load() {
    $("error").textContent = "";
    try {
      const x = await api("GET", `/v1/instances/${encodeURIComponent(id)}`);
      summary(x);
      await Promise.allSettled([graph(x.workflow, x.at), steps(), approvals().catch(() => {})]);
      await history();
    } catch (e) {
      if (e.status === 401) { Covenant.forget(); show("login-card"); }
      $("error").textContent = e.message;
    }
  }

  $("more").addEventListener("click", history);
  $("login").addEventListener("submit", (ev) => { ev.preventDefault(); Covenant.setToken($("token").value); $("login-card").classList.add("hidden"); load(); });
  if (!Covenant.token()) show("login-card"); else load();
})();
