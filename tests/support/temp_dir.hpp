// A temporary directory that is removed with everything in it when the object goes away.
// One per test, so tests never share files.
#pragma once

#include <filesystem>

namespace covenant::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace covenant::testing
