#include "app/config.hpp"

#include <unistd.h>

#include <cstdlib>

namespace covenant::app {

std::string default_database_url() {
  const char* db = std::getenv("COVENANT_DB");
  return db && *db ? db : "sqlite:covenant.db";
}

std::string process_identity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace covenant::app
