// Shared by the Covenant pages: the API client (bearer token kept for this tab only) and
// the renderer that turns any JSON subject into readable tables. Text is always inserted as
// text, never as HTML.
"use strict";

const Covenant = (() => {
  const tokenKey = "covenant.token";

  function token() { return sessionStorage.getItem(tokenKey) || ""; }
  function setToken(t) { sessionStorage.setItem(tokenKey, t.trim()); }
  function forget() { sessionStorage.removeItem(tokenKey); }

  async function api(method, path, body) {
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

  return { token, setToken, forget, api, el, render, money, when, date, duration, figure };
})();
