// A read-only page per instance: where it is, its state graph, its approvals, and its
// history a page at a time.
"use strict";

(() => {
  const { api, el, render, when } = Covenant;
  const $ = (id) => document.getElementById(id);
  const id = new URLSearchParams(location.search).get("id") || "";
  let cursor = null;

  function show(section) { $(section).classList.remove("hidden"); }

  async function graph(workflow) {
    const svg = await api("GET", `/v1/definitions/${encodeURIComponent(workflow)}/graph.svg`);
    const img = el("img", { alt: `state graph of ${workflow}`, id: "graph-image" });
    img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(svg)));
    $("graph").replaceChildren(img);
    show("graph-card");
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
      await Promise.allSettled([graph(x.workflow), approvals().catch(() => {})]);
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
