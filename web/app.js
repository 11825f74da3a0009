// Shared by the Covenant pages: the API client (bearer token kept for this tab only) and
// the renderer that turns any JSON subject into readable tables. Text is always inserted as
// text, never as HTML.
"use strict";

const Covenant = (() => {
  const tokenKey = "covenant.token";
  // The namespace the current token acts in (learnt from GET /v1/me), and the tokens this tab
  // signed in with, by namespace: the header's switcher moves between them (docs/web.md).
  const nsKey = "covenant.namespace", tokensKey = "covenant.tokens";

  function token() { return sessionStorage.getItem(tokenKey) || ""; }
  function setToken(t) {
    sessionStorage.setItem(tokenKey, t.trim());
    sessionStorage.removeItem(nsKey);
  }
  function tokens() {
    try { return JSON.parse(sessionStorage.getItem(tokensKey) || "{}") || {}; } catch { return {}; }
  }
  function namespace() { return sessionStorage.getItem(nsKey) || ""; }
  function forget() {
    const ns = namespace(), known = tokens();
    if (ns && known[ns] === token()) {
      delete known[ns];
      sessionStorage.setItem(tokensKey, JSON.stringify(known));
    }
    sessionStorage.removeItem(tokenKey);
    sessionStorage.removeItem(nsKey);
  }

  // A /v1 path in the current namespace: /v1/namespaces/{ns}/… for any but the default one.
  function scoped(path) {
    const ns = namespace();
    if (!ns || ns === "default" || !path.startsWith("/v1/") || path.startsWith("/v1/me")) return path;
    return "/v1/namespaces/" + encodeURIComponent(ns) + path.slice(3);
  }

  async function call(method, path, body) {
    const headers = { "Authorization": "Bearer " + token() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = res.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await res.json() : await res.text();
    if (!res.ok) {
      const detail = data && data.detail ? data.detail : String(res.status);
      const err = new Error(detail);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  // The API in the current token's namespace (asked of GET /v1/me once per token).
  async function api(method, path, body) {
    if (!namespace() && path !== "/v1/me") await call("GET", "/v1/me").then(remember);
    const data = await call(method, scoped(path), body);
    if (path === "/v1/me") remember(data);
    return data;
  }

  // Notes which namespace the current token acts in, keeps the token for the switcher (not a
  // callback token: it reads one approval), and shows the namespace in the page's header.
  function remember(me) {
    const ns = (me && me.namespace) || "default";
    sessionStorage.setItem(nsKey, ns);
    if (!token().startsWith("cbt_")) {
      const known = tokens();
      known[ns] = token();
      sessionStorage.setItem(tokensKey, JSON.stringify(known));
    }
    showNamespace(ns);
  }

  function switchTo(ns) {
    const t = tokens()[ns];
    if (!t) return;
    sessionStorage.setItem(tokenKey, t);
    sessionStorage.setItem(nsKey, ns);
    location.reload();
  }

  // The header's namespace: its name, and a switcher when this tab signed in to several.
  function showNamespace(ns) {
    const header = document.querySelector("header");
    if (!header) return;
    const old = document.getElementById("namespace");
    if (old) old.remove();
    const known = Object.keys(tokens()).sort();
    let current;
    if (known.length > 1) {
      current = el("select", { id: "namespace-select", "aria-label": "namespace", onchange: (e) => switchTo(e.target.value) },
        ...known.map((n) => {
          const o = el("option", { value: n }, n);
          if (n === ns) o.selected = true;
          return o;
        }));
    } else {
      current = el("strong", { id: "namespace-name" }, ns);
    }
    const another = el("button", { type: "button", id: "namespace-add", class: "link",
      onclick: () => { sessionStorage.removeItem(tokenKey); sessionStorage.removeItem(nsKey); location.reload(); } },
      "Sign in to another namespace");
    header.append(el("div", { id: "namespace", class: "namespace" }, "Namespace ", current, " ", another));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const label = (key) => String(key).replace(/_/g, " ");

  // Integer minor units with a currency -> "USD 48,000.00" (never through floating point).
  function money(minor, currency) {
    const digits = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 }[currency] ?? 2;
    const negative = BigInt(minor) < 0n;
    let s = (negative ? -BigInt(minor) : BigInt(minor)).toString().padStart(digits + 1, "0");
    const whole = s.slice(0, s.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const frac = digits ? "." + s.slice(s.length - digits) : "";
    return (negative ? "-" : "") + currency + " " + whole + frac;
  }

  // {amount_minor, currency} and nothing else is an amount; a line with more fields is a row.
  const isMoney = (v) => v && typeof v === "object" && !Array.isArray(v) &&
    Number.isInteger(v.amount_minor) && typeof v.currency === "string" &&
    Object.keys(v).every((k) => k === "amount_minor" || k === "currency");
  const isEvidence = (v) => v && typeof v === "object" && typeof v.text === "string" &&
    ("start" in v || "offset" in v || "clause" in v);

  const ownCurrency = (v) => (typeof v.currency === "string" && /^[A-Z]{3}$/.test(v.currency) ? v.currency : "");

  // A cell for one value, using the surrounding object's currency for *_minor amounts.
  function cell(key, value, currency) {
    if (isMoney(value)) return el("td", { class: "money" }, money(value.amount_minor, value.currency));
    if (typeof key === "string" && key.endsWith("_minor") && Number.isInteger(value) && currency)
      return el("td", { class: "money" }, money(value, currency));
    if (typeof value === "number") return el("td", { class: "number" }, value);
    // A row without this column (rows of a list need not share their fields) shows a dash.
    if (value === null || value === undefined) return el("td", { class: "none" }, "—");
    if (typeof value !== "object") return el("td", {}, String(value));
    return el("td", {}, render(value, currency));
  }

  function evidence(v) {
    const where = "start" in v ? `characters ${v.start}–${v.end}` : v.clause || "";
    return el("blockquote", { class: "evidence" }, "“" + v.text + "”", where ? el("div", { class: "meta" }, where) : null);
  }

  // Any JSON value as tables: objects as key/value rows, arrays of objects as one table.
  // `currency` is the nearest enclosing object's, for amounts in minor units under it (a
  // revenue schedule's monthly entries name no currency of their own).
  function render(value, currency) {
    if (isMoney(value)) return document.createTextNode(money(value.amount_minor, value.currency));
    if (isEvidence(value)) return evidence(value);
    if (Array.isArray(value)) {
      if (value.length && value.every((x) => x && typeof x === "object" && !Array.isArray(x) && !isMoney(x))) {
        const cols = [...new Set(value.flatMap((x) => Object.keys(x)))];
        return el("table", {},
          el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, label(c))))),
          el("tbody", {}, ...value.map((row) =>
            el("tr", {}, ...cols.map((c) => cell(c, row[c], ownCurrency(row) || currency))))));
      }
      return el("ul", {}, ...value.map((x) => el("li", {}, render(x, currency))));
    }
    if (value && typeof value === "object") {
      const here = ownCurrency(value) || currency;
      return el("table", {}, el("tbody", {}, ...Object.entries(value).map(([k, v]) =>
        el("tr", {}, el("th", {}, label(k)), cell(k, v, here)))));
    }
    return document.createTextNode(value === null || value === undefined ? "—" : String(value));
  }

  function when(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }

  // "2027-02-01" in the reader's locale, read as a calendar day (no time zone can move it).
  function date(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    if (!m) return String(iso);
    return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
      .toLocaleDateString(undefined, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
  }

  // An ISO 8601 duration in words: "P12M" -> "12 months", "PT4H" -> "4 hours".
  function duration(iso) {
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(String(iso));
    if (!m) return String(iso);
    const units = ["year", "month", "week", "day", "hour", "minute", "second"];
    const parts = units.map((u, i) => (m[i + 1] ? `${m[i + 1]} ${u}${m[i + 1] === "1" ? "" : "s"}` : null)).filter(Boolean);
    return parts.join(" ") || String(iso);
  }

  // A summary figure's value as text, by its type (docs/approvals.md, "Summaries"). The
  // server has checked each value against its type; anything else is shown as it is.
  function figure(type, v) {
    if (v === null || v === undefined) return "missing";
    switch (type) {
      case "money": return isMoney(v) ? money(v.amount_minor, v.currency) : JSON.stringify(v);
      case "date": return date(v);
      case "duration": return duration(v);
      case "percent": return `${v} %`;
      case "number": return typeof v === "number" ? v.toLocaleString() : String(v);
      case "link": return el("a", { href: String(v) }, String(v));
      default: return typeof v === "string" ? v : JSON.stringify(v);
    }
  }

  return { token, setToken, forget, api, namespace, el, render, money, when, date, duration, figure };
})();
