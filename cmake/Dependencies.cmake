# Finds every third-party library and gives each one a target.
# scripts/setup-deps installs the Debian packages behind these.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(spdlog REQUIRED)

# cpp-httplib is a compiled library in Debian; its pkg-config file carries the defines
# (OpenSSL, zlib, brotli) that code using it must be compiled with.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(GVC REQUIRED IMPORTED_TARGET libgvc)
pkg_check_modules(POPPLER REQUIRED IMPORTED_TARGET poppler-cpp)
pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt)
pkg_check_modules(ICAL REQUIRED IMPORTED_TARGET libical)

# libjq ships no CMake or pkg-config file.
find_library(JQ_LIBRARY jq REQUIRED)
find_path(JQ_INCLUDE_DIR jq.h REQUIRED)
add_library(covenant::jq UNKNOWN IMPORTED)
set_target_properties(covenant::jq PROPERTIES IMPORTED_LOCATION ${JQ_LIBRARY}
                                              INTERFACE_INCLUDE_DIRECTORIES ${JQ_INCLUDE_DIR})

# SOCI 4.0.3 in Debian has neither a CMake config nor a pkg-config file.
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
add_library(soci::core UNKNOWN IMPORTED)
set_target_properties(soci::core PROPERTIES IMPORTED_LOCATION ${SOCI_CORE_LIBRARY}
                                            INTERFACE_INCLUDE_DIRECTORIES ${SOCI_INCLUDE_DIR}
                                            INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")
add_library(soci::sqlite3 UNKNOWN IMPORTED)
set_target_properties(soci::sqlite3 PROPERTIES IMPORTED_LOCATION ${SOCI_SQLITE3_LIBRARY}
                                               INTERFACE_LINK_LIBRARIES "soci::core;SQLite::SQLite3")
add_library(soci::postgresql UNKNOWN IMPORTED)
set_target_properties(soci::postgresql PROPERTIES IMPORTED_LOCATION ${SOCI_POSTGRESQL_LIBRARY}
                                                  INTERFACE_LINK_LIBRARIES "soci::core;PostgreSQL::PostgreSQL")
