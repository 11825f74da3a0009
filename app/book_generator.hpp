// A generated book of contracts, for the views' browser tests, screenshots and `make bench`:
// `count` contracts of made-up customers, each put through the same code a contract goes
// through — bill.plan and revenue.schedule for its plan and schedule, index_of for the views'
// figures, monitor.renewal for its renewal, contracts.observe's reading of billing and SLA
// findings shaped as the monitors return them — and written in batches, with when each reached
// the handoffs of contract-to-cash (drawn, as no workflow ran for them). The same seed gives the
// same book.
#pragma once

#include "engine/error.hpp"
#include "engine/store/store.hpp"

#include <cstdint>
#include <string>

namespace covenant::app {

struct GeneratedBook {
  std::size_t contracts = 0, findings = 0, handoffs = 0;
};

// `today_days`: days since 1970-01-01 (the date the findings were observed on).
engine::Result<GeneratedBook> generate_book(engine::store::Store& store, const std::string& ns,
                                            int count, std::uint64_t seed, std::int64_t today_days,
                                            std::int64_t now_us);

}  // namespace covenant::app
