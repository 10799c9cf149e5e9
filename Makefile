# The README's two commands: `make demo` and `make test`.
BUILD      ?= build
BUILD_TEST ?= build-test
JOBS       ?= $(shell nproc)
DB         ?= demo.db

.PHONY: all deps web build demo test clean fuzz fuzz-smoke

all: build

deps:
	./scripts/install-deps

# The web UI's front-end packages (npm, pinned by web/package-lock.json),
# copied into web/vendor/ for `wangge serve`; npm ci only when needed.
web: deps
	./scripts/build-web

build: deps web
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/wangge --db $(DB) demo

# Tests always run under AddressSanitizer + UndefinedBehaviorSanitizer,
# after a short smoke run of every fuzz target.
test: deps web fuzz-smoke
	cmake -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=Debug -DWG_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_TEST) -j $(JOBS)
	cd $(BUILD_TEST) && ctest --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWG_FUZZ=ON -DWG_SANITIZE=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzzers

# Each libFuzzer target for FUZZ_SECONDS (default 10) from an empty corpus.
FUZZ_SECONDS ?= 10
fuzz-smoke: fuzz
	@for f in build-fuzz/*_fuzz; do \
	  echo "fuzz smoke: $$f ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=0 \
	      >build-fuzz/$$(basename $$f).log 2>&1 || { tail -40 build-fuzz/$$(basename $$f).log; exit 1; }; \
	done

clean:
	rm -rf $(BUILD) $(BUILD_TEST) build-fuzz web/vendor
