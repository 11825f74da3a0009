// The audit page of one contract instance, for controllers and auditors: every write to
// another system with the approval it relied on and the terms its amounts came from; each
// approval (who, when, role, digest, comment); the extracted terms with their evidence
// highlighted in the contract text; exceptions and reviews; the whole timeline.
"use strict";

(() => {
  const { api, el, render, when, money } = Covenant;
  const $ = (id) => document.getElementById(id);
  const id = new URLSearchParams(location.search).get("id") || "";

  // Which extracted terms each kind of write takes its amounts and dates from.
  const TERMS_OF = {
    "billing.upsert_price": ["fees", "billing_frequency"],
    "billing.create_subscription": ["fees", "billing_frequency", "payment_terms", "effective_date", "expiration_date"],
    "billing.create_invoice": ["fees", "milestones", "payment_terms"],
    "billing.finalize_invoice": ["payment_terms"],
    "erp.record_payment_terms": ["payment_terms"],
    "erp.create_revenue_schedule": ["fees", "effective_date", "expiration_date", "milestones"],
  };

  function show(section) { $(section).classList.remove("hidden"); }

  async function allHistory(instance) {
    const events = [];
    let cursor = null;
    do {
      const page = await api("GET", `/v1/instances/${encodeURIComponent(instance.id)}/history?limit=500` + (cursor ? "&cursor=" + cursor : ""));
      for (const e of page.items) { e.instance = instance.id; e.workflow = instance.workflow; }
      events.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return events;
  }

  // The other instances about the same contract (its business key): milestone billing, say.
  async function related(x) {
    if (!x.business_key) return [];
    try {
      const page = await api("GET", `/v1/instances?business_key=${encodeURIComponent(x.business_key)}&limit=50`);
      return page.items.filter((i) => i.id !== x.id);
    } catch (e) {
      return [];  // a role that may not list instances sees this one only
    }
  }

  function actor(e) {
    const p = e.payload || {};
    return p.started_by || p.recorded_as || p.approver || p.by || "";
  }

  // The contract text with each term's evidence marked; UTF-8 byte offsets, as stored.
  function contract(text, fields) {
    const bytes = new TextEncoder().encode(text);
    const decode = (a, b) => new TextDecoder().decode(bytes.slice(a, b));
    const spans = Object.entries(fields)
      .filter(([, t]) => t.evidence && t.evidence.end > t.evidence.start)
      .map(([name, t]) => ({ name, start: t.evidence.start, end: t.evidence.end }));
    const cuts = [...new Set([0, bytes.length, ...spans.flatMap((s) => [s.start, s.end])])]
      .filter((x) => x >= 0 && x <= bytes.length).sort((a, b) => a - b);
    const first = new Set();
    const nodes = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [a, b] = [cuts[i], cuts[i + 1]];
      const covering = spans.filter((s) => s.start <= a && b <= s.end).map((s) => s.name);
      if (!covering.length) { nodes.push(document.createTextNode(decode(a, b))); continue; }
      const mark = el("mark", { "data-terms": covering.join(" "), title: covering.join(", ") }, decode(a, b));
      for (const name of covering)
        if (!first.has(name)) { first.add(name); mark.id = mark.id || "evidence-" + name; }
      nodes.push(mark);
    }
    $("contract").replaceChildren(...nodes);
  }

  function focusTerm(name) {
    for (const m of document.querySelectorAll("mark.focus")) m.classList.remove("focus");
    const marks = [...document.querySelectorAll("mark[data-terms]")]
      .filter((m) => m.dataset.terms.split(" ").includes(name));
    for (const m of marks) m.classList.add("focus");
    const row = $("term-" + name);
    if (row) row.classList.add("focus");
    if (marks[0]) marks[0].scrollIntoView({ block: "center" });
  }

  function termLink(name) {
    return el("a", { href: "#term-" + name, class: "term-link", "data-term": name,
      onclick: (ev) => { ev.preventDefault(); focusTerm(name); } }, name.replace(/_/g, " "));
  }

  // The extracted terms as the workflow went on with them: a term corrected in review shows
  // its new value, what it was, who corrected it and why.
  function terms(result, doc, corrected) {
    const fields = JSON.parse(JSON.stringify(result.fields || {}));
    for (const c of corrected) {
      const t = fields[c.payload.field] || (fields[c.payload.field] = { confidence: 1 });
      t.was = { value: c.payload.old, by: c.payload.by, reason: c.payload.reason };
      t.value = c.payload.new;
      t.source = "review";
      t.confidence = 1;
      if (c.payload.evidence) t.evidence = c.payload.evidence;
    }
    $("document-meta").textContent = `${doc.media_type}, ${doc.bytes} bytes, SHA-256 ${doc.sha256}` +
      (doc.pages > 1 ? `, ${doc.pages} pages` : "");
    const body = $("terms").querySelector("tbody");
    for (const [name, t] of Object.entries(fields).sort()) {
      const ev = t.evidence || {};
      body.append(el("tr", { id: "term-" + name, class: "term" },
        el("td", {}, name.replace(/_/g, " ")),
        el("td", {}, render(t.value), t.was ? el("div", { class: "meta corrected" },
          "corrected by ", t.was.by || "—", " from ", render(t.was.value), ": ", t.was.reason) : null),
        el("td", { class: "number" }, Number(t.confidence).toFixed(2), t.source ? el("div", { class: "meta" }, t.source) : null),
        el("td", {}, ev.end > ev.start
          ? el("a", { href: "#evidence-" + name, onclick: (e) => { e.preventDefault(); focusTerm(name); } },
            `characters ${ev.start}–${ev.end}`)
          : "—")));
    }
    contract(doc.text, fields);
    show("terms-card");
  }

  function writebacks(events) {
    const body = $("writebacks").querySelector("tbody");
    for (const e of events.filter((x) => x.type === "WritebackCommitted")) {
      const p = e.payload, r = p.result || {};
      const amount = Number.isInteger(r.total_minor) ? money(r.total_minor, String(r.currency).toUpperCase())
        : Number.isInteger(r.amount_minor) ? money(r.amount_minor, String(r.currency).toUpperCase()) : "—";
      const from = (TERMS_OF[p.activity] || []);
      body.append(el("tr", { class: "writeback", "data-activity": p.activity },
        el("td", {}, e.seq), el("td", {}, when(e.at)),
        el("td", {}, p.activity, e.instance !== id ? el("div", { class: "meta" }, e.workflow) : null),
        el("td", {}, r.system || "—"), el("td", {}, r.id || r.external_id || r.customer || "—"),
        el("td", { class: "money" }, amount),
        el("td", { class: "digest" }, p.idempotency_key || ""),
        el("td", { class: "digest" }, (p.approval && p.approval.digest) || ""),
        el("td", {}, ...from.flatMap((t, i) => (i ? [", ", termLink(t)] : [termLink(t)])))));
    }
    show("writebacks-card");
  }

  async function approvals(events, instances) {
    const items = [];
    for (const inst of instances) {
      const page = await api("GET", `/v1/instances/${encodeURIComponent(inst.id)}/approvals`);
      items.push(...page.items);
    }
    if (!items.length) return;
    // When each decision was recorded: its ApprovalDecided event.
    const decidedAt = (a, d) => {
      const e = events.find((x) => x.type === "ApprovalDecided" && x.payload.approval_id === a.id &&
        x.payload.approver === d.approver);
      return e ? when(e.at) : "";
    };
    $("approvals").replaceChildren(...items.map((a) => el("div", { class: "approval" },
      el("h3", {}, `${a.state}: ${a.status}`),
      el("div", { class: "meta" }, `opened ${when(a.opened_at)} · digest `, el("span", { class: "digest" }, a.digest)),
      a.decisions.length ? render(a.decisions.map((d) => ({
        who: d.recorded_as || d.approver, role: d.role, when: decidedAt(a, d),
        decision: d.approve ? "approve" : d.request_changes ? "request changes" : "reject",
        comment: d.comment, digest: d.digest,
      }))) : el("p", { class: "meta" }, "no decisions"))));
    show("approvals-card");
  }

  function exceptions(events) {
    const kinds = new Set(["ActivityFailed", "WritebackBlocked", "ApprovalRejected", "ApprovalExpired",
      "ApprovalEscalated", "ApprovalChangesRequested", "ValueCorrected", "EventReceived", "WorkflowFailed",
      "WorkflowCancelled"]);
    const short = (v) => (v === null || v === undefined ? "nothing" : typeof v === "string" ? v : JSON.stringify(v));
    const rows = events.filter((e) => kinds.has(e.type)).map((e) => ({
      "#": e.seq, at: when(e.at), event: e.type, state: e.state || "", by: actor(e) || "",
      detail: e.type === "ValueCorrected"
        ? `${e.payload.field}: ${short(e.payload.old)} → ${short(e.payload.new)} (${e.payload.reason})`
        : e.type === "ApprovalChangesRequested" ? `to ${e.payload.next}: ${e.payload.comment}`
          : e.payload.message || e.payload.event || e.payload.error || e.payload.reason || "",
    }));
    $("exceptions").replaceChildren(rows.length ? render(rows) : el("p", { class: "meta" }, "none"));
    show("exceptions-card");
  }

  function timeline(events) {
    const body = $("timeline").querySelector("tbody");
    for (const e of events)
      body.append(el("tr", {}, el("td", {}, e.seq), el("td", {}, when(e.at)), el("td", {}, e.type),
        el("td", {}, e.state || "—"), el("td", {}, actor(e) || "—")));
    show("timeline-card");
  }

  async function load() {
    $("error").textContent = "";
    try {
      const x = await api("GET", `/v1/instances/${encodeURIComponent(id)}`);
      $("title").textContent = `${x.business_key || x.id} — ${x.workflow}`;
      $("meta").textContent = `status ${x.status} · started ${when(x.created)} by ${x.started_by} · ${x.events} events`;
      show("summary-card");
      const instances = [x, ...(await related(x))];
      const all = [];
      for (const inst of instances) all.push(...(await allHistory(inst)));
      const events = all.filter((e) => e.instance === id);
      if (instances.length > 1)
        $("meta").textContent += ` · with ${instances.slice(1).map((i) => i.workflow + " " + i.id).join(", ")}`;
      const verified = await api("GET", `/v1/audit/verify?instance=${encodeURIComponent(id)}`).catch(() => null);
      $("chain").textContent = verified ? (verified.intact ? `hash chain intact (${verified.events} events verified)`
        : `hash chain BROKEN at event ${verified.breaks[0].seq}: ${verified.breaks[0].reason}`) : "";
      writebacks(all.sort((a, b) => String(a.at).localeCompare(String(b.at))));
      await approvals(all, instances);
      const extracted = all.filter((e) => e.type === "ActivityCompleted" && e.payload.activity === "extract.terms").pop();
      if (extracted) {
        const doc = await api("GET", `/v1/documents/${encodeURIComponent(extracted.payload.result.document)}`);
        terms(extracted.payload.result, doc, events.filter((e) => e.type === "ValueCorrected"));
        // A link from the decision page (#term-NAME) opens the passage of that term.
        const wanted = /^#term-(.+)$/.exec(location.hash);
        if (wanted) focusTerm(decodeURIComponent(wanted[1]));
      }
      exceptions(all);
      timeline(events);
    } catch (e) {
      if (e.status === 401) { Covenant.forget(); show("login-card"); return; }
      $("error").textContent = e.message;
    }
  }

  $("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    Covenant.setToken($("token").value);
    $("login-card").classList.add("hidden");
    load();
  });
  if (!Covenant.token()) show("login-card"); else load();
})();
