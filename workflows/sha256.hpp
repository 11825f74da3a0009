// SHA-256 of bytes, as lower-case hex. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

namespace covenant::workflows {

std::string sha256_hex(std::string_view bytes);

}  // namespace covenant::workflows
