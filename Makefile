# Covenant: the commands a developer needs. `make demo` and `make test` are each the one
# command a new machine needs: both install missing Debian packages first.
BUILD    ?= build
JOBS     ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test demo bench fuzz torture format format-check clean

all: build

deps:
	@scripts/setup-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Every test: unit, language corpus, schema agreement, CLI, and the PostgreSQL suites
# against a throwaway server started (and stopped) by scripts/with-test-postgres.
test: build
	@scripts/with-test-postgres ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)

# Benchmarks against baselines measured in the same run; writes bench/report.md.
bench: build
	@scripts/bench $(BUILD)

# Every libFuzzer target (validator, computing activities, HTTP API, jq evaluation, document
# ingest, adapter answers) for FUZZ_SECONDS each; what they find new is kept in tests/fuzz/corpus.
FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/fuzz all $(FUZZ_SECONDS)

# SIGKILLs at random under sandbox faults on SQLite then PostgreSQL, TORTURE_SECONDS in all;
# reports what was lost, stuck, written twice or broken (exit 1 if anything).
TORTURE_SECONDS ?= 600
torture: build
	@scripts/torture --build $(BUILD) --seconds $(TORTURE_SECONDS)

format:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	@rm -rf $(BUILD) build-asan build-fuzz
