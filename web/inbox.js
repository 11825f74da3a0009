// The approver inbox: pending approvals with their subjects as tables, the digest, and
// approve/reject with a comment. A callback token (cbt_…) shows just its one approval.
"use strict";

(() => {
  const { api, el, render, when } = Covenant;
  const $ = (id) => document.getElementById(id);

  function decisionId() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).toString();
  }

  function card(a) {
    const comment = el("textarea", { "aria-label": "comment", placeholder: "Comment (kept in the history)" });
    const result = el("p", { class: "result" });
    const id = decisionId();  // one per card: a double click counts once
    const decide = async (verdict) => {
      result.textContent = "Sending…";
      result.className = "result";
      try {
        const answer = await api("POST", `/v1/approvals/${a.id}/decisions`,
          { decision: verdict, digest: a.digest, comment: comment.value, decision_id: id });
        result.textContent = verdict === "approve"
          ? `Approved. The gate is now ${answer.status}.` : `Rejected. The gate is now ${answer.status}.`;
        for (const b of node.querySelectorAll("button")) b.disabled = true;
      } catch (e) {
        result.textContent = e.message;
        result.className = "result error";
      }
    };
    const decided = (a.decisions || []).map((d) =>
      `${d.recorded_as || d.approver} ${d.approve ? "approved" : "rejected"}`).join(", ");
    const node = el("article", { class: "card approval", "data-approval": a.id },
      el("h2", {}, `${a.business_key || a.instance_id} — ${a.workflow}: ${a.state}`),
      el("div", { class: "meta" },
        `Opened ${when(a.opened_at)} · deadline ${when(a.deadline)} · needs ${a.quorum} of `,
        a.approvers.map((r) => `${r.role}×${r.count}`).join(", "),
        decided ? ` · so far: ${decided}` : "",
        " · ", el("a", { href: `instance.html?id=${encodeURIComponent(a.instance_id)}` }, "instance")),
      el("div", { class: "subject" }, render(a.subject)),
      el("p", { class: "meta" }, "You approve exactly this data. Its digest: ",
        el("span", { class: "digest" }, a.digest)),
      comment,
      el("div", { class: "actions" },
        el("button", { class: "approve", type: "button", onclick: () => decide("approve") }, "Approve"),
        el("button", { class: "reject", type: "button", onclick: () => decide("reject") }, "Reject")),
      result);
    return node;
  }

  async function load() {
    const list = $("approvals");
    list.replaceChildren();
    let items;
    const t = Covenant.token();
    if (t.startsWith("cbt_")) {
      const id = new URLSearchParams(location.search).get("approval");
      if (!id) throw new Error("this callback token needs its approval: open the link from the message");
      items = [await api("GET", `/v1/approvals/${encodeURIComponent(id)}`)];
      $("who").textContent = "signed in with a callback token";
    } else {
      items = [];
      let cursor = null;
      do {
        const page = await api("GET", "/v1/approvals?limit=100" + (cursor ? "&cursor=" + cursor : ""));
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      $("who").textContent = "signed in";
    }
    $("summary").textContent = items.length ? `${items.length} pending approval(s)` : "";
    if (!items.length) list.append(el("p", { class: "empty" }, "Nothing waits for you."));
    for (const a of items) list.append(card(a));
  }

  async function show() {
    try {
      await load();
      $("login-card").classList.add("hidden");
      $("inbox").classList.remove("hidden");
      $("logout").classList.remove("hidden");
    } catch (e) {
      Covenant.forget();
      $("login-error").textContent = e.status === 401 ? "That token is not valid." : e.message;
    }
  }

  $("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    Covenant.setToken($("token").value);
    show();
  });
  $("logout").addEventListener("click", () => { Covenant.forget(); location.reload(); });
  if (Covenant.token()) show();
})();
