# Covenant: the commands a developer needs. `make demo` and `make test` are each the one
# command a new machine needs: both install missing Debian packages first.
BUILD    ?= build
JOBS     ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test demo bench fuzz format format-check clean

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

# Every libFuzzer target (validator, computing activities, HTTP API) for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/fuzz all $(FUZZ_SECONDS)

format:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	@rm -rf $(BUILD) build-asan build-fuzz
