// Parallel and map states: child frames, the concurrency limit of a map, the join, and
// failure of a child (which fails the parent state and drops its siblings' work).
#include "engine/runtime/decider.hpp"

namespace covenant::engine::runtime {

using history::EventType;
using nlohmann::json;
namespace wf = workflows;

void Decider::start_child(Frame& parent, int index, const std::string& start, json context) {
  Frame child;
  // A map or parallel entered again (a loop) names its children apart from the last round's,
  // so each round's writes carry their own idempotency keys: "track.0", then "track#2.0".
  const int round = occurrence(parent);
  child.id = parent.id + "/" + parent.state + (round > 1 ? "#" + std::to_string(round) : "") + "." +
             std::to_string(index);
  child.parent = parent.id;
  child.index = index;
  child.context = std::move(context);
  child.granted = parent.granted;
  // A sibling's write spent the parent's grant below it; this child has its own write.
  for (auto& [activity, g] : child.granted) g.spent_below = false;
  parent.running += 1;
  emit(EventType::BranchStarted, parent, parent.state, {{"frame", child.id}, {"index", index}});
  auto [it, fresh] = inst_.frames.insert_or_assign(child.id, std::move(child));
  enter(it->second, start);
}

void Decider::enter_parallel(Frame& f, const wf::State&, const wf::ParallelState& p) {
  f.status = frame_status::kChildren;
  f.results = json::array();
  for (std::size_t i = 0; i < p.branches.size(); ++i) f.results.push_back(nullptr);
  f.running = f.finished = 0;
  f.next_item = static_cast<int>(p.branches.size());
  std::string id = f.id;
  for (std::size_t i = 0; i < p.branches.size(); ++i) {
    auto it = inst_.frames.find(id);
    if (it == inst_.frames.end() || it->second.status != frame_status::kChildren) return;  // failed
    start_child(it->second, static_cast<int>(i), p.branches[i].scope.start->name,
                it->second.context);
  }
}

void Decider::enter_map(Frame& f, const wf::State&, const wf::MapState& m) {
  auto items = eval(m.items, f);
  if (!items) return fail_frame(f, "ExpressionError", items.error().message);
  if (!items->is_array())
    return fail_frame(f, "BadItems",
                      "'items' gave " + std::string(items->type_name()) + ", not a list");
  f.status = frame_status::kChildren;
  f.items = *items;
  f.results = json::array();
  for (std::size_t i = 0; i < items->size(); ++i) f.results.push_back(nullptr);
  f.running = f.finished = f.next_item = 0;
  if (items->empty()) {
    f.status.clear();
    if (m.output) set_path(f.context, m.output->source, json::array());
    f.last = json::array();
    return follow(f, m.then);
  }
  fill_map(f.id, m);
}

// Starts iterations until the concurrency limit or the end of the items. A child may end
// at once (and start the next itself), so the parent is looked up afresh each time.
void Decider::fill_map(const std::string& parent_id, const wf::MapState& m) {
  while (true) {
    auto it = inst_.frames.find(parent_id);
    if (it == inst_.frames.end() || it->second.status != frame_status::kChildren) return;
    Frame& parent = it->second;
    int size = static_cast<int>(parent.items.size());
    int limit = m.max_concurrency > 0 ? m.max_concurrency : size;
    if (parent.running >= limit || parent.next_item >= size) return;
    int i = parent.next_item++;
    json ctx = parent.context;
    ctx["item"] = parent.items[i];
    ctx["index"] = i;
    start_child(parent, i, m.iterator.start->name, std::move(ctx));
  }
}

void Decider::child_finished(std::string child_id, json result) {
  auto cit = inst_.frames.find(child_id);
  std::string parent_id = cit->second.parent;
  int index = cit->second.index;
  inst_.frames.erase(cit);
  Frame& parent = inst_.frames.at(parent_id);
  parent.results[index] = result;
  parent.running -= 1;
  parent.finished += 1;
  emit(EventType::BranchCompleted, parent, parent.state, {{"frame", child_id}, {"index", index}});
  const wf::State& st = *find(parent.state);
  if (const auto* m = std::get_if<wf::MapState>(&st.body);
      m && parent.next_item < static_cast<int>(parent.items.size()))
    return fill_map(parent_id, *m);
  if (parent.finished < static_cast<int>(parent.results.size())) return;
  parent.status.clear();
  parent.last = parent.results;
  const auto& out = std::get_if<wf::ParallelState>(&st.body)
                        ? std::get<wf::ParallelState>(st.body).output
                        : std::get<wf::MapState>(st.body).output;
  if (out) set_path(parent.context, out->source, parent.results);
  const auto& then = std::get_if<wf::ParallelState>(&st.body)
                         ? std::get<wf::ParallelState>(st.body).then
                         : std::get<wf::MapState>(st.body).then;
  follow(parent, then);
}

void Decider::child_failed(std::string child_id, const std::string& code,
                           const std::string& cause) {
  std::string parent_id = inst_.frames.at(child_id).parent;
  // Drop every frame under the parent (the failed child and its running siblings).
  std::string prefix = parent_id + "/";
  for (auto it = inst_.frames.begin(); it != inst_.frames.end();) {
    if (it->first.rfind(prefix, 0) == 0) {
      drop_frame_work(it->second);
      it = inst_.frames.erase(it);
    } else {
      ++it;
    }
  }
  Frame& parent = inst_.frames.at(parent_id);
  parent.status.clear();
  fail_frame(parent, code, cause);
}

}  // namespace covenant::engine::runtime
