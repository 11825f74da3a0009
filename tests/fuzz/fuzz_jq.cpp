// libFuzzer target: arbitrary JSON from outside through jq evaluation, as the engine does it.
// The first byte picks an expression — the shapes the shipped definitions use (path reads,
// string building, comparisons, map/select, range over a list's length) and the builtins that
// turn data into other data (tostring, tojson, fromjson, splits, test, @base64d, dates,
// implode, paths, sort, group_by, add) — the rest is the JSON, bounded as at every entry
// (workflows/json_input.hpp), handed to jq as the context and as $input. Every outcome is a
// value or a message; a crash (jq aborts on invalid values), an escaping exception or a
// sanitizer report is a bug. Run: scripts/fuzz jq [seconds]
#include "workflows/jq_program.hpp"
#include "workflows/json_input.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

const char* const kPrograms[] = {
    ".",
    ".contract_id",
    ".terms.fees[0].amount.amount_minor",
    ".sources[1]",
    "{quote: .quote, lines: .quote_lines.lines}",
    "\"Review extracted terms for contract \" + .contract_id",
    ".products.exceptions | length > 0",
    ".total.amount_minor <= 25000000",
    ".total.amount_minor <= 500000 and .total.currency == \"USD\"",
    ("[range(0; .prices | length) as $i | {price: .prices[$i].id, quantity: "
     ".billing_plan.subscription.items[$i].quantity}]"),
    ".renewal.status == \"ended\"",
    "\"SLA breach, \" + (.sla.breaches | map(.kind) | join(\", \"))",
    ".contract_id + \"-\" + .item.product",
    ".billing_plan.subscription != null",
    "[.items[]? | select(.amount_minor > 0)] | length",
    "map(.amount_minor) | add",
    "tostring",
    "tojson",
    "tojson | fromjson",
    ".[]? | tostring",
    "fromjson?",
    "(.a // .b // \"none\") | tostring",
    "if type == \"string\" then fromjson? else . end",
    "if type == \"string\" then [splits(\",\")] else . end",
    "if type == \"string\" then test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\") else false end",
    "if type == \"string\" then @base64d else . end",
    "if type == \"string\" then ascii_downcase | ltrimstr(\"a\") else . end",
    "if type == \"string\" then (strptime(\"%Y-%m-%d\") | mktime) else . end",
    "if type == \"string\" then explode | implode else . end",
    "if type == \"array\" then implode else . end",
    "if type == \"number\" then todate else . end",
    "[paths] | length",
    "[.. | numbers] | add",
    "[.. | strings] | sort | unique",
    "to_entries? | map(.key) | join(\",\")",
    "if type == \"array\" then sort else . end",
    "if type == \"array\" then group_by(.kind?) | length else . end",
    "if type == \"array\" then flatten else . end",
    "[tostream] | fromstream(.[])",
    "getpath([\"a\", 0, \"b\"])?",
    "@csv?",
    "@uri",
    "@html",
    "tostring | @sh",
    "keys? // []",
    "$input == .",
    "length",
    ".[0:2]?",
    "(.n // 0) as $n | if ($n | type) == \"number\" then $n * 100 | floor else $n end",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static covenant::workflows::JqEvaluator jq;
  if (size == 0) return 0;
  const char* program = kPrograms[data[0] % (sizeof kPrograms / sizeof kPrograms[0])];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto input = covenant::workflows::parse_json_input(text);
  if (!input) return 0;  // refused where it enters, as the API and the engine do
  auto v = jq.evaluate(program, *input, {{"input", *input}, {"instance", "i-1"}, {"now", 0}});
  if (!v && v.error().empty()) __builtin_trap();  // failed without saying why
  return 0;
}
