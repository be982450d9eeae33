# VisionMix: `make demo` runs the main job, `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libgsl-dev libopenblas-dev libsqlite3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN := .build/release/visionmix
DEMO_DB ?= data/demo.sqlite

.PHONY: deps build release test browser-test demo bench clean

# Installs the C libraries only when one is missing, so a second run is silent and instant;
# apt's chatter (debconf notes) is shown only if the install fails.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  log=$$(mktemp); \
	  if ! { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; } >$$log 2>&1; then \
	    cat $$log >&2; rm -f $$log; echo "make deps: apt-get failed (output above)" >&2; exit 1; \
	  fi; rm -f $$log; \
	fi

build: deps
	$(SWIFT) build

release: deps
	SWIFT=$(SWIFT) bash scripts/build-release.sh

# The test process cannot restart itself as the CLI does when OpenBLAS does not recognise the
# CPU (docs/performance.md, "OpenBLAS kernels"), so it gets the CLI's choice of kernels here.
# The Slurm backend's tests run against a one-node cluster on this machine, which
# scripts/slurm-local.sh installs (when missing) and starts; SLURM_TESTS=0 skips them.
SLURM_TESTS ?= 1
test: deps
	$(SWIFT) build --build-tests
	@core=$$(.build/debug/visionmix blas --coretype); \
	if [ -n "$$core" ]; then echo "tests run on OpenBLAS's $$core kernels (visionmix blas)"; export OPENBLAS_CORETYPE=$$core; fi; \
	if [ "$(SLURM_TESTS)" = 1 ]; then bash scripts/slurm-local.sh start || exit 1; export VISIONMIX_SLURM_TESTS=1; \
	else echo "Slurm tests skipped (SLURM_TESTS=0)"; export VISIONMIX_SLURM_TESTS=0; fi; \
	$(SWIFT) test --skip-build

# The dashboard in headless Chromium (Selenium) against a live server seeded with the paper's
# results; installs chromium, chromium-driver and Selenium when missing. Screenshots go to
# $$VISIONMIX_SCREENSHOTS (docs/dashboard holds the committed ones).
browser-test: deps
	@bash scripts/browser-test.sh

demo: release
	@bash scripts/demo.sh $(RELEASE_BIN) $(DEMO_DB)

bench: deps
	@bash bench/run.sh

clean:
	rm -rf .build data/*.sqlite data/*.sqlite-wal data/*.sqlite-shm
