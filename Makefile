# The README's two commands: `make demo` and `make test`.
BUILD      ?= build
BUILD_TEST ?= build-test
JOBS       ?= $(shell nproc)
DB         ?= demo.db

.PHONY: all deps build demo test clean fuzz

all: build

deps:
	./scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/wangge --db $(DB) demo

# Tests always run under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps
	cmake -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=Debug -DWG_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_TEST) -j $(JOBS)
	cd $(BUILD_TEST) && ctest --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DWG_FUZZ=ON -DWG_SANITIZE=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD_TEST) build-fuzz
