// The review of extracted terms (GET/POST /v1/instances/{id}/review): each term flagged
// (low confidence, missing) with its evidence, the extractor's value and confidence and any
// alternative, and a typed input to confirm or correct it; the terms read with confidence
// below, folded, correctable too. A correction needs a reason; its evidence is a passage of
// the contract.
"use strict";

(() => {
  const { api, el, date, duration, money, when } = Covenant;
  const $ = (id) => document.getElementById(id);
  const id = new URLSearchParams(location.search).get("id") || "";
  const editors = [];  // {field, original, read(), reason, evidence}
  let revision = "";   // the review's, sent back with the corrections

  const label = (f) => f.replace(/_/g, " ");
  const units = ["days", "weeks", "months", "years"];
  const kindNames = { msa: "master agreement", sow: "statement of work", order_form: "order form", amendment: "amendment", agreement: "agreement" };

  // A value in words; a value of an unexpected shape is shown as its JSON, never breaks the page.
  function shown(item) {
    try {
      return words(item);
    } catch (e) {
      return JSON.stringify(item.value);
    }
  }

  function words(item) {
    const v = item.value;
    if (v === null || v === undefined) return "not found";
    switch (item.input) {
      case "date": case "date_or_perpetual": return v === "perpetual" ? "perpetual" : date(v);
      case "duration": return v.iso8601 ? duration(v.iso8601) : JSON.stringify(v);
      case "boolean": return v ? "yes" : "no";
      case "jurisdiction": return [v.jurisdiction, v.country].filter(Boolean).join(", ");
      case "payment_terms": return `net ${v.net_days} days`;
      case "billing_frequency": return `every ${String(v.every).replace(/_/g, " ")}, in ${v.timing}`;
      case "parties": return v.map((p) => p.name || "unnamed").join("; ");
      case "fees": return v.map((f) => `${f.description || "fee"}: ` +
        (f.amount ? money(f.amount.amount_minor, f.amount.currency) : "no amount")).join("; ");
      case "milestones": return v.map((m) => `${m.basis_points / 100}% on ${m.event}`).join("; ");
      case "obligations": return v.length === 0 ? "none found" : v.map((o) => {
        const d = o.due, ev = d ? String(d.event || "").replace(/_/g, " ") : "";
        const due = !d ? "no due date" : d.date ? `due ${date(d.date)}`
          : d.after ? `${d.after.value} ${d.after.unit} after ${ev}`
          : d.before ? `${d.before.value} ${d.before.unit} before ${ev}`
          : d.every && !ev ? `every ${d.every}` : `on ${ev}`;
        return `${o.kind.replace(/_/g, " ")} by ${o.owner || "no owner"}: ${o.description} (${due})`;
      }).join("; ");
      case "document_kind": return kindNames[v] || v;
      case "agreement_reference": return v.date ? `${v.name}, dated ${date(v.date)}` : `${v.name} (no date given)`;
      default: return JSON.stringify(v);
    }
  }

  // A typed input for the item's value; returns [nodes, read()] where read() gives the value
  // to send (or throws with what is wrong).
  function input(item, key) {
    const v = item.value;
    const field = (tag, attrs, text) => {
      const node = el(tag, Object.assign({ id: `${key}-${attrs.name}` }, attrs), ...(text ? [text] : []));
      return [el("label", { for: node.id }, attrs.title), node];
    };
    const select = (name, title, options, value) => {
      const s = el("select", { id: `${key}-${name}`, name });
      for (const o of options) s.append(el("option", o === value ? { value: o, selected: "" } : { value: o }, o.replace(/_/g, " ")));
      return [el("label", { for: s.id }, title), s];
    };
    switch (item.input) {
      case "date": case "date_or_perpetual": {
        const [l, i] = field("input", { type: "date", name: "date", title: "Date", value: typeof v === "string" && v !== "perpetual" ? v : "" });
        return [[l, i], () => {
          if (!i.value) throw new Error(`${label(item.field)}: enter a date`);
          return i.value;
        }];
      }
      case "duration": {
        const [l, n] = field("input", { type: "number", min: "1", name: "value", title: "Length", value: v && v.value ? String(v.value) : "" });
        const [lu, u] = select("unit", "Unit", units, v && v.unit ? v.unit : "months");
        return [[l, n, lu, u], () => {
          if (!/^\d+$/.test(n.value)) throw new Error(`${label(item.field)}: enter a whole number`);
          return { value: Number(n.value), unit: u.value };
        }];
      }
      case "boolean": {
        const [l, s] = select("value", "Value", ["yes", "no"], v === false ? "no" : "yes");
        return [[l, s], () => s.value === "yes"];
      }
      case "jurisdiction": {
        const [lj, j] = field("input", { type: "text", name: "jurisdiction", title: "State or province", value: v && v.jurisdiction ? v.jurisdiction : "" });
        const [lc, c] = field("input", { type: "text", name: "country", title: "Country", value: v && v.country ? v.country : "" });
        return [[lj, j, lc, c], () => ({ jurisdiction: j.value.trim() || null, country: c.value.trim() })];
      }
      case "payment_terms": {
        const [l, n] = field("input", { type: "number", min: "0", name: "net_days", title: "Days to pay (net)", value: v ? String(v.net_days) : "" });
        return [[l, n], () => {
          if (!/^\d+$/.test(n.value)) throw new Error(`${label(item.field)}: enter the days to pay`);
          const out = { net_days: Number(n.value) };
          if (v && v.discount) out.discount = v.discount;
          return out;
        }];
      }
      case "billing_frequency": {
        const [le, e] = select("every", "Every", ["month", "quarter", "half_year", "year"], v ? v.every : "month");
        const [lt, t] = select("timing", "Billed", ["advance", "arrears"], v ? v.timing : "advance");
        return [[le, e, lt, t], () => ({ every: e.value, timing: t.value })];
      }
      case "document_kind": {
        const [l, s] = select("kind", "Kind", Object.keys(kindNames), typeof v === "string" ? v : "agreement");
        return [[l, s], () => s.value];
      }
      case "agreement_reference": {
        const [ln, n] = field("input", { type: "text", name: "name", title: "Agreement", value: v && v.name ? v.name : "" });
        const [ld, d] = field("input", { type: "date", name: "date", title: "Dated", value: v && v.date ? v.date : "" });
        return [[ln, n, ld, d], () => {
          if (!n.value.trim() && !d.value && !v) return v;  // none found, none entered
          if (!n.value.trim()) throw new Error(`${label(item.field)}: enter the agreement's name`);
          return { name: n.value.trim(), date: d.value || null };
        }];
      }
      default: {
        const [l, t] = field("textarea", { name: "json", title: "Value (JSON)" }, v === null || v === undefined ? "" : JSON.stringify(v, null, 1));
        return [[l, t], () => {
          if (!t.value.trim() && (v === null || v === undefined)) return null;  // none, none entered
          try { return JSON.parse(t.value); } catch (e) { throw new Error(`${label(item.field)}: the value is not JSON (${e.message})`); }
        }];
      }
    }
  }

  function term(item) {
    const key = "term-" + item.field;
    const [nodes, read] = input(item, key);
    const reason = el("input", { type: "text", id: key + "-reason", name: "reason", placeholder: "why — required when you change it" });
    const evidence = el("input", { type: "text", id: key + "-evidence", name: "evidence", placeholder: "a passage of the contract (optional)" });
    editors.push({ field: item.field, original: item.value, read, reason, evidence });
    const ev = item.evidence && item.evidence.text ? item.evidence.text.trim() : "";
    const why = item.flagged === "missing" ? "missing: enter it"
      : item.flagged === "low_confidence" ? "read with low confidence" : null;
    return el("fieldset", { class: "term" + (item.flagged ? " flagged" : ""), "data-field": item.field },
      el("legend", {}, label(item.field)),
      el("div", { class: "read" },
        el("span", { class: "value" }, shown(item)),
        el("span", { class: "meta" }, typeof item.confidence === "number"
          ? ` · confidence ${item.confidence.toFixed(2)}` : "", item.source ? ` · ${item.source}` : "",
          why ? ` · ${why}` : "")),
      // A long passage scrolls in place (and takes the keyboard focus to do so).
      ev ? el("blockquote", { class: "evidence", tabindex: "0", "aria-label": `evidence for ${label(item.field)}` },
        "“" + ev + "”") : el("p", { class: "meta" }, "no passage found"),
      item.alternative !== null && item.alternative !== undefined
        ? el("p", { class: "alternative" }, "The other extractor read: ", shown(Object.assign({}, item, { value: item.alternative })))
        : null,
      el("div", { class: "inputs" }, ...nodes,
        el("label", { for: reason.id }, "Reason"), reason,
        el("label", { for: evidence.id }, "Evidence"), evidence));
  }

  function corrections() {
    const out = [];
    for (const e of editors) {
      const value = e.read();
      if (JSON.stringify(value) === JSON.stringify(e.original)) continue;
      if (e.original && typeof e.original === "object" && typeof value === "object" && value &&
          Object.keys(value).every((k) => JSON.stringify(value[k]) === JSON.stringify(e.original[k]))) continue;
      if (!e.reason.value.trim()) {
        e.reason.focus();
        throw new Error(`Say why you change ${label(e.field)}: it goes into the history.`);
      }
      const c = { field: e.field, value, reason: e.reason.value.trim() };
      if (e.evidence.value.trim()) c.evidence = e.evidence.value.trim();
      out.push(c);
    }
    return out;
  }

  // Without an instance: the list of what waits for a review, oldest first.
  async function list() {
    const page = await api("GET", "/v1/reviews?limit=200");
    $("list").replaceChildren(page.items.length
      ? el("ul", {}, ...page.items.map((r) => el("li", {},
        el("a", { href: `review.html?id=${encodeURIComponent(r.instance_id)}` },
          `contract ${r.business_key || r.instance_id}`),
        ` · ${r.workflow} · ${r.flagged} term(s) flagged`,
        r.change_request ? ` · finance asked for changes: “${r.change_request.comment}”` : "")))
      : el("p", { class: "empty" }, "Nothing waits for a review."),
    page.truncated ? el("p", { class: "meta" }, "More wait than are listed here.") : "");
    $("list-card").classList.remove("hidden");
  }

  async function load() {
    $("error").textContent = "";
    try {
      const me = await api("GET", "/v1/me").catch(() => null);
      if (me) $("who").textContent = `Signed in as ${me.name} (${me.roles.join(", ")})`;
      if (!id) return await list();
      const r = await api("GET", `/v1/instances/${encodeURIComponent(id)}/review`);
      revision = r.revision;
      $("title").textContent = `Review the terms of contract ${r.business_key || r.instance_id}`;
      $("meta").replaceChildren(`${r.workflow} · waiting at ${label(r.state)} · terms under confidence ${r.min_confidence ?? "—"} are flagged · `,
        el("a", { href: `audit.html?id=${encodeURIComponent(r.instance_id)}#contract` }, "the contract"));
      const asked = r.change_request;
      $("asked").replaceChildren(asked && asked.comment
        ? el("div", { class: "problems", role: "note" }, el("strong", {}, "Finance asked for changes: "),
          `“${asked.comment}” — ${asked.by}, ${when(asked.at)}`)
        : "");
      editors.length = 0;
      const flagged = r.items.filter((i) => i.flagged);
      const others = r.items.filter((i) => !i.flagged);
      $("flagged").replaceChildren(...(flagged.length ? flagged.map(term)
        : [el("p", { class: "empty" }, "Nothing is flagged: check what finance asked for below.")]));
      $("confident").replaceChildren(...others.map(term));
      if (!flagged.length) $("others").open = true;
      $("review").classList.remove("hidden");
    } catch (e) {
      if (e.status === 401) { Covenant.forget(); $("login-card").classList.remove("hidden"); }
      $("error").textContent = e.message;
    }
  }

  $("review").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const result = $("result");
    result.className = "result";
    let list;
    try {
      list = corrections();
    } catch (e) {
      result.textContent = e.message;
      result.className = "result error";
      return;
    }
    result.textContent = "Sending…";
    try {
      const answer = await api("POST", `/v1/instances/${encodeURIComponent(id)}/review`,
        { corrections: list, revision });
      result.textContent = `Sent: ${answer.corrected.length} correction(s), ${answer.confirmed.length} flagged term(s) confirmed. ` +
        "The workflow goes on with these terms.";
      $("send").disabled = true;
    } catch (e) {
      result.textContent = e.message;
      result.className = "result error";
    }
  });
  $("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    Covenant.setToken($("token").value);
    $("login-card").classList.add("hidden");
    load();
  });
  if (!Covenant.token()) $("login-card").classList.remove("hidden"); else load();
})();
