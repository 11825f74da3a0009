// What the views' reads share (book_views.cpp, handoffs.cpp): parameters bound by name, and
// the filters on a contract's kind, customer, owner and currency.
#pragma once

#include "engine/store/book_views.hpp"

#include <soci/soci.h>

#include <deque>
#include <string>
#include <vector>

namespace covenant::engine::store {

// Parameters bound by name (:p1, :p2, …), for the queries whose filters are assembled per
// request (by name: the order C++ evaluates the pieces of a string in is not the order they
// stand in).
class Binds {
 public:
  std::string text(std::string v) {
    texts_.push_back(std::move(v));
    order_.push_back({true, texts_.size() - 1, "p" + std::to_string(order_.size() + 1)});
    return ":" + order_.back().name;
  }
  std::string number(std::int64_t v) {
    numbers_.push_back(v);
    order_.push_back({false, numbers_.size() - 1, "p" + std::to_string(order_.size() + 1)});
    return ":" + order_.back().name;
  }
  void bind(soci::statement& st) {
    for (const auto& b : order_)
      if (b.is_text)
        st.exchange(soci::use(texts_[b.index], b.name));
      else
        st.exchange(soci::use(numbers_[b.index], b.name));
  }

 private:
  struct Bound {
    bool is_text;
    std::size_t index;
    std::string name;
  };
  std::deque<std::string> texts_;
  std::deque<long long> numbers_;
  std::vector<Bound> order_;
};

// Runs a view's query one row at a time: `p`'s values bound, `columns(st)` exchanging what each
// row is read into, `row()` called after each row is fetched.
template <class Columns, class Row>
void each_row(soci::session& sql, const std::string& text, Binds& p, Columns&& columns, Row&& row) {
  soci::statement st(sql);
  st.alloc();
  st.prepare(text);
  p.bind(st);
  columns(st);
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) row();
}

// The filters on the index (b.) or on another table's copy of its columns (f. for the
// findings, whose contract currency is `book_currency`; h. for the handoffs).
inline std::string filter_sql(Binds& p, const ViewFilter& f, const std::string& t = "b.",
                              const std::string& currency = "currency") {
  std::string w;
  if (!f.customer.empty()) w += " AND " + t + "customer = " + p.text(f.customer);
  if (!f.owner.empty()) w += " AND " + t + "owner = " + p.text(f.owner);
  if (!f.kind.empty()) w += " AND " + t + "kind = " + p.text(f.kind);
  if (!f.currency.empty()) w += " AND " + t + currency + " = " + p.text(f.currency);
  return w;
}

}  // namespace covenant::engine::store
