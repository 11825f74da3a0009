// The approver's desk: each pending approval as a decision page. The gate's summary comes
// first — its title, the key figures, the comparisons with each difference flagged, and what
// approving writes where — then the decision (approve, or reject with a reason) right under
// it, the contract's terms with their evidence, and the full subject folded below. A callback
// token (cbt_…) shows just its one approval.
"use strict";

(() => {
  const { api, el, render, when, figure, money } = Covenant;
  const $ = (id) => document.getElementById(id);

  function decisionId() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).toString();
  }

  // A wide table scrolls inside its card; the region takes the keyboard focus so that it can
  // be scrolled without a mouse.
  const scroll = (label, child) =>
    el("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": label }, child);

  // One figure: its label above, its value (or, when it could not be shown, why) below.
  function figureBox(f) {
    const value = f.problem
      ? el("div", { class: "value problem" }, f.problem === "missing" ? "missing" : f.problem)
      : el("div", { class: "value " + f.type }, figure(f.type, f.value));
    return el("div", { class: "figure", "data-figure": f.label },
      el("div", { class: "label" }, f.label), value,
      f.detail ? el("div", { class: "detail" }, f.detail) : null);
  }

  function comparisons(list) {
    if (!list.length) return null;
    return scroll("Checks", el("table", { class: "comparisons" },
      el("caption", {}, "Checks"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "what"), el("th", { scope: "col" }, "this plan"),
        el("th", { scope: "col" }, "against"), el("th", { scope: "col" }, "result"))),
      el("tbody", {}, ...list.map((c) => {
        const verdict = c.matches === true ? "matches" : c.matches === false ? "differs" : "cannot compare";
        return el("tr", { class: c.matches === true ? "ok" : "flag", "data-comparison": c.label },
          el("th", { scope: "row" }, c.label),
          el("td", { class: c.type }, c.value === null ? "missing" : figure(c.type, c.value)),
          el("td", { class: c.type }, c.against === null ? "missing" : figure(c.type, c.against),
            el("div", { class: "detail" }, c.against_label)),
          el("td", { class: "verdict" }, verdict === "matches" ? "✓ matches" : "⚠ " + verdict,
            c.problem ? el("div", { class: "detail" }, c.problem) : null));
      }))));
  }

  // What approving authorizes: each financial activity, with the amount it writes when the
  // summary says so.
  function writes(summary) {
    const amounts = new Map((summary?.writes || []).map((w) => [w.activity, w]));
    const names = [...amounts.keys()];
    if (!names.length) return null;
    return el("div", { class: "writes" }, el("h3", {}, "Approving allows these writes, once each"),
      el("ul", {}, ...names.map((n) => {
        const w = amounts.get(n);
        return el("li", { "data-write": n }, el("code", {}, n),
          w.problem ? el("span", { class: "problem" }, " — " + w.problem)
            : w.amount ? el("span", { class: "money" }, " — " + money(w.amount.amount_minor, w.amount.currency))
              : null);
      })));
  }

  // The contract's terms behind the plan, each with its evidence and a link to the passage.
  function terms(a) {
    const fields = a.subject && a.subject.terms;
    if (!fields || typeof fields !== "object" || Array.isArray(fields)) return null;
    const rows = Object.entries(fields).filter(([, t]) => t && typeof t === "object" && "value" in t);
    if (!rows.length) return null;
    const link = (name) => `audit.html?id=${encodeURIComponent(a.instance_id)}#term-${encodeURIComponent(name)}`;
    return el("details", { class: "terms" }, el("summary", {}, `Contract terms (${rows.length}) with their evidence`),
      scroll("Contract terms", el("table", {},
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "term"), el("th", { scope: "col" }, "value"),
          el("th", { scope: "col" }, "confidence"), el("th", { scope: "col" }, "evidence"))),
        el("tbody", {}, ...rows.sort(([x], [y]) => x.localeCompare(y)).map(([name, t]) => {
          const ev = t.evidence && typeof t.evidence.text === "string" ? t.evidence : null;
          return el("tr", { "data-term": name },
            el("th", { scope: "row" }, name.replace(/_/g, " ")),
            el("td", {}, render(t.value)),
            el("td", { class: "number" }, typeof t.confidence === "number" ? t.confidence.toFixed(2) : "—"),
            el("td", {}, ev ? el("blockquote", { class: "evidence" }, "“" + ev.text.trim() + "”") : "no evidence",
              el("a", { href: link(name) }, "show in the contract")));
        })))));
  }

  function card(a) {
    const s = a.summary || null;
    const comment = el("textarea", { id: "comment-" + a.id, placeholder: a.changes_to
      ? "Why — required to reject or to ask for changes; kept in the history"
      : "Why — required to reject; kept in the history" });
    const result = el("p", { class: "result", role: "status" });
    const id = decisionId();  // one per card: a double click counts once
    const decide = async (verdict) => {
      if (verdict !== "approve" && !comment.value.trim()) {
        result.textContent = verdict === "reject"
          ? "Say why you reject: the reason goes back to RevOps and into the history."
          : "Say what to change: your comment goes back to RevOps and into the history.";
        result.className = "result error";
        comment.focus();
        return;
      }
      result.textContent = "Sending…";
      result.className = "result";
      try {
        const answer = await api("POST", `/v1/approvals/${a.id}/decisions`,
          { decision: verdict, digest: a.digest, comment: comment.value, decision_id: id });
        result.textContent = verdict === "approve" ? `Approved. The gate is now ${answer.status}.`
          : verdict === "reject" ? `Rejected. The gate is now ${answer.status}.`
            : `Sent back for changes (to ${a.changes_to.replace(/_/g, " ")}). The gate is now closed; ` +
              "it opens again with the changed data.";
        for (const b of node.querySelectorAll("button")) b.disabled = true;
      } catch (e) {
        result.textContent = e.message;
        result.className = "result error";
      }
    };
    const decided = (a.decisions || []).map((d) =>
      `${d.recorded_as || d.approver} ${d.approve ? "approved" : d.request_changes ? "asked for changes" : "rejected"}`).join(", ");
    const title = (s && s.title) || `${a.business_key || a.instance_id}: ${a.state.replace(/_/g, " ")}`;
    const problems = s && s.problems && s.problems.length
      ? el("div", { class: "problems", role: "note" }, el("strong", {}, "Could not be shown: "),
        s.problems.join("; ") + ". Check the full subject below before you decide.")
      : null;
    const node = el("article", { class: "card approval", "data-approval": a.id, "aria-labelledby": "title-" + a.id },
      el("h2", { id: "title-" + a.id }, title),
      el("div", { class: "meta" },
        `${a.workflow} · contract ${a.business_key || "—"} · opened ${when(a.opened_at)}`,
        a.deadline ? ` · decide by ${when(a.deadline)}` : "",
        ` · needs ${a.quorum} of `, a.approvers.map((r) => `${r.role}×${r.count}`).join(", "),
        decided ? ` · so far: ${decided}` : ""),
      el("div", { class: "desk" },
        el("div", { class: "facts" },
          s ? el("div", { class: "figures" }, ...s.figures.map(figureBox)) : null,
          s ? comparisons(s.comparisons || []) : null,
          problems),
        el("div", { class: "decision" },
          writes(s),
        el("label", { for: "comment-" + a.id }, "Comment"),
        comment,
        el("div", { class: "actions" },
          el("button", { class: "approve", type: "button", onclick: () => decide("approve") }, "Approve"),
          el("button", { class: "reject", type: "button", onclick: () => decide("reject") }, "Reject"),
          a.changes_to ? el("button", { class: "changes", type: "button", onclick: () => decide("request_changes"),
            title: `Send it back to ${a.changes_to.replace(/_/g, " ")} with your comment` }, "Request changes") : null),
        result,
        el("p", { class: "meta" }, "You approve exactly the data on this page, whose digest is ",
          el("span", { class: "digest" }, a.digest)))),
      terms(a),
      // Without a summary the subject is all there is to read: it is shown unfolded.
      el("details", s ? { class: "subject" } : { class: "subject", open: "" },
        el("summary", {}, "Everything approved (the full subject)"),
        scroll("Everything approved", render(a.subject))),
      el("p", { class: "meta" }, el("a", { href: `instance.html?id=${encodeURIComponent(a.instance_id)}` },
        "The instance and its history")));
    return node;
  }

  async function load() {
    const list = $("approvals");
    list.replaceChildren();
    const me = await api("GET", "/v1/me");
    let items;
    if (me.via === "callback") {
      const id = new URLSearchParams(location.search).get("approval") || me.approval_id;
      items = [await api("GET", `/v1/approvals/${encodeURIComponent(id)}`)];
      $("who").textContent = `Signed in as ${me.name}` +
        (me.on_behalf_of ? ` for ${me.on_behalf_of}` : "") + " with a link for one approval";
    } else {
      items = [];
      let cursor = null;
      do {
        const page = await api("GET", "/v1/approvals?limit=100" + (cursor ? "&cursor=" + cursor : ""));
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      $("who").textContent = `Signed in as ${me.name} (${me.roles.join(", ")})`;
    }
    $("summary").textContent = items.length ? `${items.length} approval(s) wait for you` : "";
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
  // A link from the approver's own channel (Slack's button) carries their callback token in
  // the fragment, which no server sees: it signs them in for that approval, then leaves the
  // address bar.
  const fragment = /^#token=(cbt_[0-9a-f]{64})$/.exec(location.hash);
  if (fragment) {
    Covenant.setToken(fragment[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  if (Covenant.token()) show();
})();
