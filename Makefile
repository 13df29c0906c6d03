# autoloss: `make run` installs what the system lacks, builds in release and runs the main job;
# `make test` is what CI runs (.ci/run calls it).
SHELL := /bin/bash
SWIFT ?= swift
# System packages (Debian names) the build needs, and those only the tests need (chromium: the
# HTML report's test renders it headless; slurm-wlm and munge: the Slurm integration test, on
# the single-node Slurm .ci/run starts), so that `make run` installs neither.
APT_PACKAGES := python3-venv libjpeg62-turbo-dev libpng-dev pkg-config libsqlite3-dev libdnnl-dev
TEST_PACKAGES := chromium slurm-wlm munge
VENV := .venv
PYTHON := $(VENV)/bin/python
RELEASE_BIN := .build/release/autoloss

.PHONY: run test build release deps test-deps venv bench bench-coco clean

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
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product autoloss

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
test: deps test-deps venv
	$(SWIFT) build
	AUTOLOSS_BIN=$(abspath .build/debug/autoloss) $(PYTHON) -m unittest discover -s integrations/torchvision/tests
	PYTHON=$(abspath $(PYTHON)) OMP_WAIT_POLICY=passive $(SWIFT) test

# Benchmarks: release build, each prints a ratio against its anchor measured in the same run.
bench: deps venv
	$(SWIFT) build -c release --product autoloss-bench
	$(SWIFT) build -c release --product autoloss-screen-bench
	$(SWIFT) build -c release --product autoloss-tensor-bench
	$(SWIFT) build -c release --product autoloss-detector-bench
	$(SWIFT) build -c release --product autoloss
	PYTHON=$(PYTHON) bash bench/run.sh

# COCO evaluation against pycocotools and faster-coco-eval (5,000 images x 100 detections, coco128).
bench-coco: deps venv
	$(PYTHON) -m pip install -q -r scripts/requirements-bench.txt
	$(SWIFT) build -c release --product autoloss
	$(PYTHON) bench/coco_eval_bench.py --autoloss $(RELEASE_BIN)

clean:
	rm -rf .build $(VENV)
