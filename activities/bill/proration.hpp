// The one proration rule, shared by billing (bill.plan) and revenue allocation
// (revenue.schedule), so what is billed and what is allocated are scaled the same way.
//
// A stretch of time from `start` is measured in months: its whole months counted from the start
// (anchored on the start, so a month after 31 January is the last day of February and two
// months after it 31 March), plus the days left over as a fraction of the month they fall in
// (the days from the last whole month to the month after it). 2027-01-01 to 2027-01-16 is 15/31
// of a month; 2027-01-01 to 2027-04-15 is 3 + 14/30. A line priced at A for L months costs
// A × months / L over a stretch, rounded to the nearest minor unit (halves up), and only the
// term's measure enters it — never the billing frequency, which decides when, not how much.
#pragma once

#include "activities/dates.hpp"
#include "workflows/money.hpp"

#include <cstdint>
#include <optional>

namespace covenant::activities::bill {

using money::Wide;

// The longest term Covenant plans: 100 years.
inline constexpr int kMaxTermMonths = 1200;

// A length in months as the fraction units / month_days.
struct Months {
  std::int64_t whole = 0;       // whole months from the start
  std::int64_t days = 0;        // days left over after them
  std::int64_t month_days = 1;  // days in the month those days fall in (1 when none are left)
  Wide units() const { return Wide(whole) * month_days + days; }
  Wide per_month() const { return month_days; }
};

// [start, end), start < end and end at most kMaxTermMonths after start (else nullopt).
inline std::optional<Months> months_between(dates::Day start, dates::Day end) {
  if (end <= start || end > dates::add_months(start, kMaxTermMonths)) return std::nullopt;
  Months m;
  while (dates::add_months(start, static_cast<int>(m.whole) + 1) <= end) ++m.whole;
  auto anchor = dates::add_months(start, static_cast<int>(m.whole));
  m.days = dates::days_between(anchor, end);
  if (m.days > 0)
    m.month_days =
        dates::days_between(anchor, dates::add_months(start, static_cast<int>(m.whole) + 1));
  return m;
}

// What a line priced at `amount` for `line_months` months costs over `term`; nullopt when that
// passes the largest amount.
inline std::optional<std::int64_t> over_term(std::int64_t amount, std::int64_t line_months,
                                             const Months& term) {
  return money::scale(amount, term.units(), Wide(line_months) * term.per_month());
}

}  // namespace covenant::activities::bill
