// The views across the book of contracts (docs/views.md): renewals, billing accuracy, revenue,
// SLA scorecards, handoff latency and renewal risk. Each asks its /v1/views/… API with the filters in the form (kept in the
// address, so a view can be shared), draws the figures with Apache ECharts and shows the same
// figures in a table beside the chart, lists the contracts a page at a time, and exports CSV.
// Money stays in minor units with its currency (Covenant.money formats it); nothing is added
// across currencies.
"use strict";

(() => {
  const { api, el, money, date } = Covenant;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const VIEWS = {
    "renewals": { title: "Renewals", path: "/v1/views/renewals", keys: ["within"],
      lede: "Renewal dates and notice deadlines coming up: auto-renewing or ending, who decides, and whether the notice went out." },
    "billing-accuracy": { title: "Billing accuracy", path: "/v1/views/billing-accuracy", keys: ["only"], only: "differs",
      lede: "Per contract, what the approved plan says against the invoices the billing system holds (the reconciliation monitor's latest finding), with the evidence on both sides." },
    "revenue": { title: "Revenue", path: "/v1/views/revenue", keys: ["from", "to"],
      lede: "The ASC 606 schedules across contracts, month by month and per currency: recognised, to be recognised, billed and deferred. The schedules tie to the plans' totals to the minor unit." },
    "sla": { title: "SLA scorecards", path: "/v1/views/sla", keys: ["only"], only: "breached",
      lede: "Commitments against the tickets measured: breaches and the service credits they owe (the SLA monitor's latest finding)." },
    "renewal-risk": { title: "Renewal risk", path: "/v1/views/renewal-risk", keys: ["within", "level"],
      lede: "Contracts renewing soon, the riskiest first. The score is the sum of a few factors, each a count read from what Covenant holds times a published weight, up to a cap; every factor is shown with its weight and its evidence." },
    "handoffs": { title: "Handoff latency", path: "/v1/views/handoffs", keys: ["show"],
      lede: "How long contracts take from signed to extracted, approved, provisioned and first invoiced: each stage's median, 90th percentile and longest, the slowest contracts (or those still on the way) and where each waited — approval gates, reviews and other waits, tasks." },
  };
  const name = VIEWS[params.get("view")] ? params.get("view") : "renewals";
  const view = VIEWS[name];
  const FILTERS = ["customer", "owner", "kind", "currency"];
  let cursor = null;
  let chart = null;

  function show(id) { $(id).classList.remove("hidden"); }
  function text(v) { return v === null || v === undefined || v === "" ? "—" : String(v); }
  function cash(m) { return m ? money(m.amount_minor, m.currency) : "—"; }
  function num(v) { return el("td", { class: "num" }, v); }

  function query(extra) {
    const q = new URLSearchParams();
    for (const k of [...FILTERS, ...view.keys]) {
      const v = params.get(k);
      if (v) q.set(k, k === "only" ? view.only : v);
    }
    for (const [k, v] of Object.entries(extra || {})) if (v !== null && v !== undefined) q.set(k, v);
    const s = q.toString();
    return view.path + (s ? "?" + s : "");
  }

  function head(table, cols) {
    const thead = table.querySelector("thead");
    thead.replaceChildren(el("tr", {}, ...cols.map(([label, numeric]) => el("th", numeric ? { class: "num" } : {}, label))));
  }

  function draw(option) {
    if (!window.echarts) throw new Error("the chart library did not load");
    if (!chart) chart = window.echarts.init($("chart"), null, { renderer: "svg" });
    chart.setOption({ animation: false, ...option }, true);
  }

  // ---- renewals ----
  function renewalsSummary(data) {
    head($("figures"), [["within", false], ["auto-renewing", true], ["ending", true]]);
    $("figures").querySelector("tbody").replaceChildren(...data.windows.map((w) =>
      el("tr", {}, el("td", {}, `${w.days} days (to ${date(w.until)})`), num(String(w.auto_renews)), num(String(w.ends)))));
    draw({
      tooltip: {}, legend: { data: ["auto-renewing", "ending"] },
      xAxis: { type: "category", data: data.windows.map((w) => `${w.days} days`) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "auto-renewing", type: "bar", data: data.windows.map((w) => w.auto_renews) },
        { name: "ending", type: "bar", data: data.windows.map((w) => w.ends) },
      ],
    });
    $("rows-title").textContent = `Notice deadlines from ${date(data.today)} to ${date(data.until)}`;
  }
  const renewalCols = [["contract", false], ["customer", false], ["renews", false], ["term ends", false],
    ["notice deadline", false], ["days left", true], ["status", false], ["notice sent", false], ["decides", false], ["value", true]];
  function renewalRow(r) {
    return el("tr", r.status === "notice_passed" && !r.notice_sent ? { class: "flag" } : {},
      el("td", {}, r.contract_id), el("td", {}, text(r.customer_name || r.customer)),
      el("td", {}, r.auto_renews ? "automatically" : "ends unless renewed"),
      el("td", {}, r.term_end ? date(r.term_end) : "—"), el("td", {}, date(r.notice_deadline)),
      num(String(r.days_to_notice)), el("td", {}, r.status.replace("_", " ")),
      el("td", {}, r.notice_sent ? "yes" : "no"), el("td", {}, text(r.decision_owner)), num(cash(r.total)));
  }

  // ---- billing accuracy, SLA ----
  function findingsSummary(data, items, amount, itemLabel, amountLabel) {
    head($("figures"), [["currency", false], ["contracts", true], [`with ${itemLabel}`, true], [itemLabel, true], [amountLabel, true]]);
    $("figures").querySelector("tbody").replaceChildren(...data.totals.map((t) =>
      el("tr", {}, el("td", {}, text(t.currency)), num(String(t.contracts)), num(String(t["with_" + items])),
        num(String(t[items])), num(cash(t[amount])))));
    draw({
      tooltip: {}, legend: { data: ["clean", `with ${itemLabel}`] },
      xAxis: { type: "category", data: data.totals.map((t) => text(t.currency)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "clean", type: "bar", stack: "n", data: data.totals.map((t) => t.contracts - t["with_" + items]) },
        { name: `with ${itemLabel}`, type: "bar", stack: "n", data: data.totals.map((t) => t["with_" + items]) },
      ],
    });
  }
  function detail(list, currency) {
    if (!Array.isArray(list) || !list.length) return "—";
    return el("ul", {}, ...list.map((d) => {
      if (d.kind === "missing_invoice") return el("li", {}, `plan invoice ${text(d.plan_invoice)} for ${cash(d.expected)}: not in billing`);
      if (d.kind === "missing_subscription_invoice") return el("li", {}, `period from ${date(d.period_start)} for ${cash(d.expected)}: no invoice in billing`);
      if (d.kind === "unexpected_invoice")
        return el("li", {}, `billing holds ${text(d.invoice)}` + (currency && Number.isInteger(d.amount_minor) ? ` for ${money(d.amount_minor, currency)}` : "") + " that the plan does not");
      if (d.kind === "response_time") return el("li", {}, `ticket ${text(d.ticket)} (priority ${text(d.priority)}): answered in ${text(d.actual_minutes)} min, promised ${text(d.limit_minutes)}`);
      if (d.kind === "uptime") return el("li", {}, `uptime ${text(d.measured_percent)} % against ${text(d.committed_percent)} %` + (d.credit ? `: credit ${cash(d.credit)}` : ""));
      return el("li", {}, JSON.stringify(d));
    }));
  }
  const billingCols = [["contract", false], ["customer", false], ["status", false], ["discrepancies", true], ["at stake", true], ["checked", false], ["contract says / billing holds", false]];
  function billingRow(r) {
    return el("tr", r.discrepancies ? { class: "flag" } : {}, el("td", {}, r.contract_id), el("td", {}, text(r.customer_name || r.customer)),
      el("td", {}, r.status), num(String(r.discrepancies)), num(cash(r.at_stake)), el("td", {}, date(r.checked_on)),
      el("td", {}, detail(r.finding.discrepancies, r.at_stake ? r.at_stake.currency : null)));
  }
  const slaCols = [["contract", false], ["customer", false], ["status", false], ["breaches", true], ["credits owed", true], ["checked", false], ["breaches measured", false]];
  function slaRow(r) {
    return el("tr", r.breaches ? { class: "flag" } : {}, el("td", {}, r.contract_id), el("td", {}, text(r.customer_name || r.customer)),
      el("td", {}, r.status.replace("_", " ")), num(String(r.breaches)), num(cash(r.credits_owed)), el("td", {}, date(r.checked_on)),
      el("td", {}, detail(r.finding.breaches)));
  }

  // ---- revenue ----
  function revenueSummary(data) {
    head($("figures"), [["currency", false], ["month", false], ["recognised", true], ["to be recognised", true], ["billed", true], ["deferred", true]]);
    const body = [];
    for (const c of data.currencies) {
      body.push(el("tr", {}, el("th", { colspan: "6" },
        `${c.currency}: ${c.contracts} contracts, transaction price ${cash(c.transaction_price)}, scheduled by month ${cash(c.scheduled)}` +
        (c.awaiting_event.amount_minor !== 0 ? `, awaiting an event ${cash(c.awaiting_event)}` : "") +
        (c.ties ? " (tie to the minor unit)" : " — DO NOT TIE: a person must look") +
        (c.plan_totals.amount_minor !== c.transaction_price.amount_minor
          ? `; the plans in the book total ${cash(c.plan_totals)} (an amended plan reprices whole periods: see the amendment's proration)` : ""))));
      for (const m of c.months)
        body.push(el("tr", {}, el("td", {}, c.currency), el("td", {}, m.month), num(cash(m.recognised)),
          num(cash(m.to_be_recognised)), num(cash(m.billed)), num(cash(m.deferred))));
      body.push(el("tr", {}, el("th", {}, c.currency), el("th", {}, "period"), num(cash(c.period.recognised)),
        num(cash(c.period.to_be_recognised)), num(cash(c.period.billed)), el("td", {}, "")));
    }
    $("figures").querySelector("tbody").replaceChildren(...body);
    // One chart per view: the first currency (or the one filtered), in major units for the axis;
    // the exact figures are in the table.
    const c = data.currencies[0];
    if (!c) { draw({ title: { text: "No contracts with revenue match" } }); return; }
    const major = (m) => (m ? m.amount_minor / Math.pow(10, minorUnits(m.currency)) : 0);
    draw({
      title: { text: c.currency, left: "center", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" }, legend: { data: ["recognised", "to be recognised", "billed", "deferred"], top: 20 },
      grid: { top: 60 },
      xAxis: { type: "category", data: c.months.map((m) => m.month) },
      yAxis: { type: "value" },
      series: [
        { name: "recognised", type: "bar", stack: "r", data: c.months.map((m) => major(m.recognised)) },
        { name: "to be recognised", type: "bar", stack: "r", data: c.months.map((m) => major(m.to_be_recognised)) },
        { name: "billed", type: "line", data: c.months.map((m) => major(m.billed)) },
        { name: "deferred", type: "line", data: c.months.map((m) => major(m.deferred)) },
      ],
    });
  }
  function minorUnits(currency) {
    const f = new Intl.NumberFormat("en", { style: "currency", currency });
    return f.resolvedOptions().maximumFractionDigits;
  }
  const revenueCols = [["contract", false], ["customer", false], ["type", false], ["transaction price", true], ["recognised in the period", true], ["billed in the period", true], ["service", false]];
  function revenueRow(r) {
    const sum = (k) => r.months.reduce((a, m) => a + BigInt(m[k] ? m[k].amount_minor : 0), 0n);
    const cur = r.total ? r.total.currency : null;
    const fmt = (v) => (cur ? money(v, cur) : "—");
    return el("tr", {}, el("td", {}, r.contract_id), el("td", {}, text(r.customer_name || r.customer)), el("td", {}, r.kind),
      num(cash(r.total)), num(fmt(sum("recognised"))), num(fmt(sum("billed"))),
      el("td", {}, r.service_start ? `${date(r.service_start)} – ${date(r.service_end)}` : "—"));
  }

  // ---- handoff latency ----
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
    return `${(seconds / 86400).toFixed(1)} days`;
  }
  function handoffsSummary(data) {
    head($("figures"), [["stage", false], ["contracts", true], ["median", true], ["90th pct.", true], ["longest", true]]);
    $("figures").querySelector("tbody").replaceChildren(...data.stages.map((st) =>
      el("tr", {}, el("td", {}, `${st.from} → ${st.to}`), num(String(st.contracts)), num(duration(st.p50_seconds)),
        num(duration(st.p90_seconds)), num(duration(st.max_seconds)))));
    const hours = (s) => Math.round(s / 36) / 100;
    draw({
      tooltip: { trigger: "axis" }, legend: { data: ["median (hours)", "90th percentile (hours)"], top: 0 },
      grid: { left: 60, top: 50, bottom: 90 },
      xAxis: { type: "category", data: data.stages.map((st) => `${st.from} → ${st.to}`), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", name: "hours" },
      series: [
        { name: "median (hours)", type: "bar", data: data.stages.map((st) => hours(st.p50_seconds)) },
        { name: "90th percentile (hours)", type: "bar", data: data.stages.map((st) => hours(st.p90_seconds)) },
      ],
    });
    const reached = ["signed", "extracted", "approved", "provisioned", "invoiced"]
      .map((m) => `${m} ${data.reached[m]}`).join(", ");
    $("rows-title").textContent = data.show === "in_flight"
      ? `Still on the way (${data.running} running): the longest first`
      : `The slowest from signed to invoiced (of ${data.instances}: reached ${reached})`;
  }
  const handoffCols = [["contract", false], ["customer", false], ["signed", false], ["to extracted", true], ["to approved", true],
    ["to provisioned", true], ["to invoiced", true], ["signed to invoiced", true], ["where it waited", false]];
  function handoffRow(r) {
    const s = r.stage_seconds;
    const waits = r.waits.length
      ? el("ul", {}, ...r.waits.map((w) => el("li", {}, `${w.state} (${w.kind}, ${w.stage}): ${duration(w.seconds)}` + (w.to ? "" : " so far"))))
      : "—";
    const total = r.total_seconds !== null ? duration(r.total_seconds)
      : `${text(r.now_in)}, waiting ${duration(r.waiting_seconds)}`;
    return el("tr", {}, el("td", {}, r.contract_id), el("td", {}, text(r.customer)),
      el("td", {}, r.milestones.signed ? date(r.milestones.signed.slice(0, 10)) : "—"),
      num(duration(s["signed → extracted"])), num(duration(s["extracted → approved"])),
      num(duration(s["approved → provisioned"])), num(duration(s["provisioned → invoiced"])),
      num(total), el("td", {}, waits));
  }

  // ---- renewal risk ----
  function riskSummary(data) {
    head($("figures"), [["factor", false], ["points each", true], ["at most", true], ["contracts", true]]);
    const body = data.factors.map((f) => el("tr", {}, el("td", {}, f.label), num(String(f.weight)), num(String(f.cap)), num(String(f.contracts))));
    for (const lv of ["high", "medium", "low"])
      body.push(el("tr", {}, el("th", {}, `${lv} risk`), el("td", {}, ""), el("td", {}, ""), num(String(data.levels[lv]))));
    $("figures").querySelector("tbody").replaceChildren(...body);
    draw({
      tooltip: {}, legend: { data: ["contracts"] },
      xAxis: { type: "category", data: ["high (40+)", "medium (20–39)", "low (under 20)"] },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "contracts", type: "bar", data: [data.levels.high, data.levels.medium, data.levels.low] }],
    });
    $("rows-title").textContent = `${data.contracts} contracts renewing by ${date(data.until)}, the riskiest first`;
  }
  function evidence(f) {
    const e = f.evidence;
    if (typeof e === "string") return e;
    if (f.factor === "sla_breaches") return `checked ${date(e.checked_on)}` + (e.credits_owed ? `, credits owed ${cash(e.credits_owed)}` : "");
    if (f.factor === "billing_discrepancies") return `checked ${date(e.checked_on)}` + (e.at_stake ? `, ${cash(e.at_stake)} at stake` : "");
    if (f.factor === "approval_exceptions" || f.factor === "open_escalations")
      return e.length ? e.map((a) => `${a.state} ${a.status.replace("_", " ")}` + (a.deadline ? ` (due ${date(a.deadline)})` : a.closed_on ? ` ${date(a.closed_on)}` : "")).join("; ") : "none";
    if (f.factor === "renewal_decision")
      return `${e.renews}; notice by ${date(e.notice_deadline)} (${e.days_to_notice} days), notice ${e.notice_sent ? "sent" : "not sent"}`;
    return JSON.stringify(e);
  }
  const riskCols = [["contract", false], ["customer", false], ["notice deadline", false], ["score", true], ["level", false], ["why: count × weight = points (evidence)", false]];
  function riskRow(r) {
    const why = el("ul", {}, ...r.factors.map((f) => el("li", f.points ? { class: "scored" } : {},
      `${f.label}: ` + (f.measured ? `${f.count} × ${f.weight} = ${f.points}` : "not measured") + ` (${evidence(f)})`)));
    return el("tr", r.level === "high" ? { class: "flag" } : {}, el("td", {}, r.contract_id), el("td", {}, text(r.customer_name || r.customer)),
      el("td", {}, date(r.notice_deadline)), num(String(r.score)), el("td", {}, r.level), el("td", {}, why));
  }

  const LAYOUT = {
    "renewals": { cols: renewalCols, row: renewalRow, summary: renewalsSummary },
    "billing-accuracy": { cols: billingCols, row: billingRow, summary: (d) => findingsSummary(d, "discrepancies", "at_stake", "discrepancies", "at stake") },
    "sla": { cols: slaCols, row: slaRow, summary: (d) => findingsSummary(d, "breaches", "credits_owed", "breaches", "credits owed") },
    "revenue": { cols: revenueCols, row: revenueRow, summary: revenueSummary },
    "handoffs": { cols: handoffCols, row: handoffRow, summary: handoffsSummary },
    "renewal-risk": { cols: riskCols, row: riskRow, summary: riskSummary },
  }[name];

  async function rows(more) {
    const extra = { limit: 50, cursor: more ? cursor : null };
    if (name === "revenue") extra.by = "contract";
    const data = await api("GET", query(extra));
    const tbody = $("rows").querySelector("tbody");
    const made = data.rows.map(LAYOUT.row);
    if (more) tbody.append(...made); else tbody.replaceChildren(...made);
    cursor = data.next;
    $("more").classList.toggle("hidden", !cursor);
    $("rows-meta").textContent = `${tbody.children.length} shown` + (cursor ? "; more below" : "");
    if (!tbody.children.length) $("rows-meta").textContent = "No contracts match these filters.";
  }

  async function load() {
    try {
      $("error").textContent = "";
      show("filters-card");
      const summary = await api("GET", query({ limit: 1 }));
      show("summary-card");
      LAYOUT.summary(summary);
      head($("rows"), LAYOUT.cols);
      show("rows-card");
      await rows(false);
    } catch (e) {
      if (e.status === 401) { Covenant.forget(); show("login-card"); return; }
      $("error").textContent = e.message;
    }
  }

  async function csv() {
    try {
      const extra = { format: "csv" };
      const body = await api("GET", query(extra));
      const blob = new Blob([body], { type: "text/csv" });
      const a = el("a", { href: URL.createObjectURL(blob), download: `${name}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      $("error").textContent = e.message;
    }
  }

  // The form from the address, and back.
  $("title").textContent = view.title;
  $("lede").textContent = view.lede;
  document.title = `Covenant — ${view.title}`;
  for (const a of document.querySelectorAll("nav.tabs a"))
    if (a.dataset.view === name) a.setAttribute("aria-current", "page");
  for (const cls of ["only-renewals", "only-revenue", "only-findings", "only-handoffs", "only-risk"]) {
    const on = (cls === "only-renewals" && (name === "renewals" || name === "renewal-risk")) || (cls === "only-risk" && name === "renewal-risk") || (cls === "only-revenue" && name === "revenue") ||
      (cls === "only-findings" && (name === "billing-accuracy" || name === "sla")) || (cls === "only-handoffs" && name === "handoffs");
    for (const x of document.querySelectorAll("." + cls)) x.classList.toggle("hidden", !on);
  }
  // The revenue table has six columns of money: the chart above it, not beside it.
  // (So do handoffs' and renewal risk's, whose tables are wider than half a card.)
  if (["revenue", "handoffs", "renewal-risk"].includes(name)) document.querySelector(".chart-and-numbers").classList.add("wide");
  $("only-label").textContent = name === "sla" ? "only breached" : "only those that differ";
  if (name === "renewal-risk") $("f-within").value = "180";  // the risk view's default window
  for (const k of [...FILTERS, "within", "from", "to", "show", "level"]) if (params.get(k)) $("f-" + k).value = params.get(k);
  $("f-only").checked = !!params.get("only");
  $("filters").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ view: name });
    for (const k of [...FILTERS, ...view.keys]) {
      const v = k === "only" ? ($("f-only").checked ? "1" : "") : $("f-" + k).value.trim();
      if (v) q.set(k, k === "currency" ? v.toUpperCase() : v);
    }
    location.search = q.toString();
  });
  $("csv").addEventListener("click", csv);
  $("more").addEventListener("click", () => rows(true).catch((e) => { $("error").textContent = e.message; }));
  $("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    Covenant.setToken($("token").value);
    $("login-card").classList.add("hidden");
    load();
  });
  window.addEventListener("resize", () => chart && chart.resize());
  if (!Covenant.token()) show("login-card"); else load();
})();
