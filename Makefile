# autoloss: `make run` installs what the system lacks, builds in release and runs the main job;
# `make test` is what CI runs (.ci/run calls it).
SHELL := /bin/bash
SWIFT ?= swift
# System packages (Debian names) the build needs, and those only the tests need (chromium: the
# HTML report's test renders it headless; slurm-wlm and munge: the Slurm integration test, on
# the single-node Slurm .ci/run starts; qemu-user and binutils: the portable build's check, which
# runs the release binary on an emulated Haswell and disassembles it), so that `make run`
# installs none of them.
APT_PACKAGES := python3-venv libjpeg62-turbo-dev libpng-dev pkg-config libsqlite3-dev libdnnl-dev
TEST_PACKAGES := chromium slurm-wlm munge qemu-user binutils sqlite3
VENV := .venv
PYTHON := $(VENV)/bin/python
RELEASE_BIN := .build/release/autoloss

# Speed flags live here, not in Package.swift: a package whose library targets carry unsafeFlags
# cannot be depended on by version. Debug builds (make test, CI) are optimised: an unoptimised
# tensor engine makes the training tests minutes long. Release builds drop overflow checks in the
# kernels' loops (-Ounchecked) and, on x86-64, target Haswell's instruction set (AVX2, FMA, BMI2:
# x86-64-v3, a name swiftc's -target-cpu does not take): the binary runs on any node a cluster has
# had since 2013, where -target-cpu native gave a binary that died with SIGILL on nodes older
# than the one that built it. AVX-512 and bf16 still serve where
# present: oneDNN, which does the convolutions and matrix products, picks its kernels at run time.
DEBUG_FLAGS := -Xswiftc -O
RELEASE_FLAGS := -Xswiftc -Ounchecked
ifeq ($(shell uname -m),x86_64)
RELEASE_FLAGS += -Xswiftc -target-cpu -Xswiftc haswell -Xcc -march=haswell
endif

.PHONY: run test build release deps test-deps venv bench bench-coco portable-check dependable-check print-release-flags clean cli-reference docs docs-coverage fuzz

run: deps release
	@bash scripts/demo.sh $(RELEASE_BIN)

# Installs the Debian packages that are missing (root or sudo), and checks for Swift.
deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: swift not found: install Swift 6 from swift.org and put it on PATH" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

test-deps:
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(TEST_PACKAGES)"

build:
	$(SWIFT) build $(DEBUG_FLAGS)

release:
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss

# docs/cli.md: every command's --help (CLIReferenceTests fails when it is out of date).
cli-reference: build
	bash scripts/cli_reference.sh .build/debug/autoloss > docs/cli.md.tmp && mv docs/cli.md.tmp docs/cli.md

# API documentation: a DocC archive per library in .build/docs (swift-docc-plugin). Any DocC
# warning (a symbol link that does not resolve) fails it, and so does a public symbol without a
# documentation comment (scripts/doc_coverage.py). DEBUG_FLAGS as make build's, so that the
# plugin's build of the targets is the same build, not a second one.
DOCS_TARGETS := LossLanguage Verification Detection Search
docs:
	@mkdir -p .build/docs
	$(SWIFT) package $(DEBUG_FLAGS) --allow-writing-to-directory .build/docs generate-documentation \
	  $(foreach t,$(DOCS_TARGETS),--target $(t)) --output-path .build/docs --warnings-as-errors
	python3 scripts/doc_coverage.py $(DOCS_TARGETS)

# docc's own coverage table of each library (abstracts, curation, code listings).
docs-coverage:
	@mkdir -p .build/docs
	$(SWIFT) package $(DEBUG_FLAGS) --allow-writing-to-directory .build/docs generate-documentation \
	  $(foreach t,$(DOCS_TARGETS),--target $(t)) --output-path .build/docs \
	  --experimental-documentation-coverage --coverage-summary-level brief

# The release binary holds no AVX-512 instruction, and trains under an emulated Haswell (AVX2,
# no AVX-512): what a cluster's older nodes are (scripts/check_portable.sh).
portable-check: release
	bash scripts/check_portable.sh $(RELEASE_BIN)

print-release-flags:
	@echo $(RELEASE_FLAGS)

# A package outside this repository depends on our libraries by version (a tag) and builds.
dependable-check:
	bash scripts/check_dependable.sh

# The Python environment for oracle tests (pycocotools), the export parity test (torch), the
# torchvision integration (integrations/torchvision, installed editable) and benchmarks.
# torch and torchvision come from PyPI as one pair, with --isolated: a pip.conf find-links that
# offers a CPU-only torch build (as on our CI machine) would win otherwise, and PyPI's
# torchvision cannot load its C++ ops (nms, roi_align) into another build of torch.
TORCH_PACKAGES := torch==2.13.0 torchvision==0.28.0
venv: $(VENV)/.ready
$(VENV)/.ready: scripts/requirements-test.txt integrations/torchvision/pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -r scripts/requirements-test.txt
	$(PYTHON) -m pip install -q --isolated $(TORCH_PACKAGES)
	$(PYTHON) -m pip install -q --no-deps -e integrations/torchvision
	touch $@

# OMP_WAIT_POLICY=passive: oneDNN's OpenMP threads sleep instead of spinning while they wait;
# on a shared 2-core machine spinning made a 3 s training test take two minutes.
# AUTOLOSS_FIXED_THREADS=1: the commands the tests run keep the cores they may use instead of
# narrowing while other processes are busy, so that a worker's numbers equal the in-process ones.
# scripts/test_slurm_local.sh: the local Slurm's script leaves a Slurm it did not start alone.
test: deps test-deps venv
	bash scripts/test_slurm_local.sh
	$(SWIFT) build $(DEBUG_FLAGS)
	AUTOLOSS_FIXED_THREADS=1 AUTOLOSS_BIN=$(abspath .build/debug/autoloss) $(PYTHON) -m unittest discover -s integrations/torchvision/tests
	PYTHON=$(abspath $(PYTHON)) OMP_WAIT_POLICY=passive AUTOLOSS_FIXED_THREADS=1 $(SWIFT) test $(DEBUG_FLAGS)
	$(MAKE) --no-print-directory portable-check dependable-check docs

# Benchmarks: release build, each prints a ratio against its anchor measured in the same run.
bench: deps venv
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss-bench
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss-screen-bench
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss-tensor-bench
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss-detector-bench
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss
	PYTHON=$(PYTHON) bash bench/run.sh

# COCO evaluation against pycocotools and faster-coco-eval (5,000 images x 100 detections, coco128).
bench-coco: deps venv
	$(PYTHON) -m pip install -q -r scripts/requirements-bench.txt
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product autoloss
	$(PYTHON) bench/coco_eval_bench.py --autoloss $(RELEASE_BIN)

# Coverage-guided fuzzing (libFuzzer, issue 38): the formula parser and the COCO JSON reader,
# FUZZ_SECONDS each, from the seed corpus in Fuzz/corpus (scripts/fuzz.sh says how it builds).
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh run

clean:
	rm -rf .build $(VENV)
