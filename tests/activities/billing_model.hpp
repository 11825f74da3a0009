// An independent reference model of the billing and revenue rules in docs/contract-to-cash.md,
// for the property suite. It shares no code with activities/bill: its own calendar arithmetic
// (std::chrono directly), its own exact fractions in 128 bits, its own largest-remainder split
// by sorting, and it works on a plain struct instead of JSON. Where it and bill.plan /
// revenue.schedule disagree on any amount, date or decision, one of them is wrong.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace model {

__extension__ using I128 = __int128;
using Day = std::chrono::sys_days;
constexpr I128 kMax = INT64_MAX;

inline Day plus_months(Day from, long n) {
  std::chrono::year_month_day d{from};
  long m0 = static_cast<long>(static_cast<int>(d.year())) * 12 +
            static_cast<long>(static_cast<unsigned>(d.month())) - 1 + n;
  std::chrono::year y{static_cast<int>(m0 / 12)};
  std::chrono::month m{static_cast<unsigned>(m0 % 12) + 1};
  auto last = std::chrono::year_month_day_last{y, std::chrono::month_day_last{m}}.day();
  return Day{std::chrono::year_month_day{y, m, std::min(d.day(), last)}};
}

inline long days(Day a, Day b) { return static_cast<long>((b - a).count()); }

// Largest remainder: floors, then one unit each to the largest remainders, earlier on ties.
inline std::vector<I128> split(I128 total, const std::vector<I128>& w) {
  I128 sum = 0;
  for (auto x : w) sum += x;
  std::vector<I128> part(w.size()), rem(w.size());
  I128 given = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    part[i] = total * w[i] / sum;
    rem[i] = total * w[i] % sum;
    given += part[i];
  }
  std::vector<std::size_t> idx(w.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    return rem[a] != rem[b] ? rem[a] > rem[b] : a < b;
  });
  for (I128 k = 0; k < total - given; ++k) ++part[idx[static_cast<std::size_t>(k)]];
  return part;
}

inline I128 round_half_up(I128 num, I128 den) { return (2 * num + den) / (2 * den); }

struct Line {
  bool recurring = false;
  std::int64_t amount = 0, quantity = 1, months = 12, list = -1;  // list < 0: none
};

enum class Event { AtSigning, DaysAfterSigning30, Pending, PendingUnclear };

struct Milestone {
  int basis_points = 0;
  Event event = Event::Pending;
};

struct Contract {
  Day start, end;
  int every_months = 12;  // 1, 3, 6, 12
  bool arrears = false;
  int net_days = 30;
  std::vector<Line> lines;
  std::vector<Milestone> milestones;
};

struct Invoice {
  Day issue;
  std::int64_t total = 0;
};
struct Period {
  Day start, end, issue;
  std::int64_t amount = 0;
};
struct Expected {
  bool refused = false;
  std::int64_t total = 0;
  std::vector<Period> subscription;        // empty: no subscription
  std::vector<std::int64_t> unit_amounts;  // per subscription item
  std::vector<Invoice> invoices;           // in the plan's order
  std::vector<std::int64_t> pending;       // pending milestone amounts
  int unclear = 0, invoiced_by_covenant = 0;
  bool milestones_do_not_add_up = false;
  // revenue
  bool revenue_refused = false;
  std::vector<std::int64_t> allocated;
  std::vector<std::vector<std::int64_t>> entries;  // per obligation
};

// The term in units of 1/D of a month: whole months W from the start plus d days of the D-day
// month after them.
struct Term {
  long whole = 0, d = 0, D = 1;
  I128 units() const { return I128(whole) * D + d; }
};

inline Term measure(Day start, Day end) {
  Term t;
  while (plus_months(start, t.whole + 1) <= end) ++t.whole;
  Day anchor = plus_months(start, t.whole);
  t.d = days(anchor, end);
  t.D = t.d ? days(anchor, plus_months(start, t.whole + 1)) : 1;
  return t;
}

inline Expected expect(const Contract& c) {
  Expected e;
  Term t = measure(c.start, c.end);
  // Periods.
  struct P {
    Day s, e;
    bool full;
    I128 w;
  };
  std::vector<P> ps;
  for (long i = 0;; ++i) {
    Day s = plus_months(c.start, i * c.every_months);
    if (s >= c.end) break;
    Day fe = plus_months(c.start, (i + 1) * c.every_months);
    bool full = fe <= c.end;
    ps.push_back({s, full ? fe : c.end, full,
                  full ? I128(c.every_months) * t.D : t.units() - I128(i) * c.every_months * t.D});
  }
  std::vector<I128> w;
  for (auto& p : ps) w.push_back(p.w);
  I128 total = 0;
  std::vector<std::vector<I128>> sub;
  for (const auto& l : c.lines) {
    if (!l.recurring) continue;
    I128 lt = round_half_up(I128(l.amount) * t.units(), I128(l.months) * t.D);
    if (lt > kMax) {
      e.refused = true;
      return e;
    }
    total += lt;
    auto parts = split(lt, w);
    bool all_full = true, equal = true;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      all_full = all_full && ps[i].full;
      equal = equal && parts[i] == parts[0];
    }
    I128 un = I128(l.amount) * c.every_months, ud = I128(l.months) * l.quantity;
    if (all_full && equal && un % ud == 0) {
      sub.push_back(parts);
      e.unit_amounts.push_back(static_cast<std::int64_t>(un / ud));
    } else {
      ++e.invoiced_by_covenant;
      for (std::size_t i = 0; i < ps.size(); ++i)
        e.invoices.push_back({c.arrears ? ps[i].e : ps[i].s, static_cast<std::int64_t>(parts[i])});
    }
  }
  if (total > kMax) {
    e.refused = true;
    return e;
  }
  if (!sub.empty())
    for (std::size_t i = 0; i < ps.size(); ++i) {
      I128 s = 0;
      for (auto& p : sub) s += p[i];
      e.subscription.push_back(
          {ps[i].s, ps[i].e, c.arrears ? ps[i].e : ps[i].s, static_cast<std::int64_t>(s)});
    }
  I128 fees = 0;
  for (const auto& l : c.lines)
    if (!l.recurring) fees += l.amount;
  if (fees + total > kMax) {
    e.refused = true;
    return e;
  }
  total += fees;
  int bp = 0;
  for (auto& m : c.milestones) bp += m.basis_points;
  if (fees > 0) {
    if (c.milestones.empty() || bp != 10000) {
      e.milestones_do_not_add_up = !c.milestones.empty();
      e.invoices.push_back({c.start, static_cast<std::int64_t>(fees)});
    } else {
      std::vector<I128> mw;
      for (auto& m : c.milestones) mw.push_back(m.basis_points);
      auto parts = split(fees, mw);
      for (std::size_t i = 0; i < parts.size(); ++i) {
        auto amount = static_cast<std::int64_t>(parts[i]);
        switch (c.milestones[i].event) {
          case Event::AtSigning:
            e.invoices.push_back({c.start, amount});
            break;
          case Event::DaysAfterSigning30:
            e.invoices.push_back({c.start + std::chrono::days{30}, amount});
            break;
          case Event::PendingUnclear:
            ++e.unclear;
            e.pending.push_back(amount);
            break;
          case Event::Pending:
            e.pending.push_back(amount);
            break;
        }
      }
    }
  }
  e.total = static_cast<std::int64_t>(total);

  // Revenue: SSP over the term, allocation of the total, ratable by day per calendar month,
  // milestones by their weights, else at the start.
  std::vector<I128> ssp;
  for (const auto& l : c.lines) {
    I128 base = l.list >= 0 ? l.list : l.amount;
    I128 s = l.recurring ? round_half_up(base * t.units(), I128(l.months) * t.D) : base;
    if (s > kMax) {
      e.revenue_refused = true;
      return e;
    }
    ssp.push_back(s);
  }
  I128 ssp_sum = 0;
  for (auto s : ssp) ssp_sum += s;
  if (ssp_sum == 0) {
    e.revenue_refused = true;
    return e;
  }
  auto alloc = split(total, ssp);
  bool by_milestone = fees > 0 && !c.milestones.empty() && bp == 10000;
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    e.allocated.push_back(static_cast<std::int64_t>(alloc[i]));
    std::vector<I128> weights;
    if (c.lines[i].recurring) {
      for (Day d = c.start; d < c.end;) {
        std::chrono::year_month_day ymd{d};
        Day next = Day{(ymd.year() / ymd.month() / 1) + std::chrono::months{1}};
        Day stop = std::min(next, c.end);
        weights.push_back(days(d, stop));
        d = stop;
      }
    } else if (by_milestone) {
      for (auto& m : c.milestones) weights.push_back(m.basis_points);
    } else {
      weights.push_back(1);
    }
    std::vector<std::int64_t> out;
    for (auto x : split(alloc[i], weights)) out.push_back(static_cast<std::int64_t>(x));
    e.entries.push_back(out);
  }
  return e;
}

}  // namespace model
