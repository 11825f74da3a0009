// Splitting an amount of minor units into parts proportional to weights so that the parts sum
// exactly to the amount: each part gets the floor of its exact share, and the units left over
// go one each to the largest remainders (ties to the earlier part). Integer arithmetic only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace covenant::activities::bill {

__extension__ using Wide = __int128;  // products of amounts and day counts overflow 64 bits

// nullopt when the weights are empty, negative or all zero, or `total` is negative.
inline std::optional<std::vector<std::int64_t>> allocate(std::int64_t total,
                                                         const std::vector<Wide>& weights) {
  if (weights.empty() || total < 0) return std::nullopt;
  Wide sum = 0;
  for (auto w : weights) {
    if (w < 0) return std::nullopt;
    sum += w;
  }
  if (sum == 0) return std::nullopt;
  std::vector<std::int64_t> parts(weights.size());
  std::vector<Wide> rem(weights.size());
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    Wide exact = static_cast<Wide>(total) * weights[i];
    parts[i] = static_cast<std::int64_t>(exact / sum);
    rem[i] = exact % sum;
    given += parts[i];
  }
  for (std::int64_t left = total - given; left > 0; --left) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < rem.size(); ++i)
      if (rem[i] > rem[best]) best = i;
    ++parts[best];
    rem[best] = -1;  // one extra unit each at most
  }
  return parts;
}

// numerator / denominator rounded half away from zero (both positive).
inline std::int64_t round_div(Wide num, Wide den) {
  return static_cast<std::int64_t>((2 * num + den) / (2 * den));
}

}  // namespace covenant::activities::bill
