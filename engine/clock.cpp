#include "engine/clock.hpp"

namespace covenant::engine {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace covenant::engine
