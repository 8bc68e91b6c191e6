# SysCorr: `make demo` builds and runs an end-to-end job; `make test` runs every test.
# Both install what they need (Debian packages via apt-get, PyPI packages into .build/venv).

SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/syscorr
VENV := .build/venv
PY := $(VENV)/bin/python
DEMO_STORE ?= syscorr-store
# Linked as static archives (see Package.swift); libaec-dev provides HDF5's szip.
DEB_PACKAGES := libhdf5-dev libaec-dev zlib1g-dev libdeflate-dev libzstd-dev liblz4-dev liblzma-dev
# uproot writes the ROOT test fixtures and is the reference the ROOT reader is
# compared with; scikit-hep-testdata 0.3.12 is the last release whose wheel
# carries its ROOT files (later ones download them at run time). pandas, matplotlib and the Jupyter
# packages are for the Python package (python/) and its tutorial notebook (Tests/interop/test_python.py).
PY_PACKAGES := numpy h5py hdf5plugin jsonschema boost-histogram uhi scipy iminuit sweights packaging pyyaml \
  pandas matplotlib nbclient nbformat ipykernel snakemake \
  uproot==5.7.7 awkward==2.14.0 scikit-hep-testdata==0.3.12
FIXTURES := .build/fixtures

.PHONY: all build demo test prereqs venv b2venv fixtures bench bench-fit bench-fit-rounds bench-tables bench-kde fuzz clean

all: build

## Debian packages, installed only when missing.
prereqs:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## Python for the interop tests (h5py reads our files; we read h5py's).
venv: $(VENV)/.done
$(VENV)/.done: Makefile
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q $(PY_PACKAGES)
	touch $@

## b2luigi for the test of `syscorr plan --emit b2luigi`, in a venv of its own
## (its pins conflict with snakemake's, which the main venv has).
B2VENV := .build/venv-b2luigi
b2venv: $(B2VENV)/.done
$(B2VENV)/.done: Makefile
	python3 -m venv $(B2VENV)
	$(B2VENV)/bin/pip install -q b2luigi==1.3.0
	touch $@

## ROOT test files and their expected values (Tests/fixtures/make_fixtures.py):
## written once into $(FIXTURES), rebuilt when the script changes.
fixtures: venv
	$(PY) Tests/fixtures/make_fixtures.py --out $(FIXTURES)

# Static Swift runtime and a position-dependent executable: no runtime
# relocation of the 85 MB binary, ~5 ms per process start instead of ~15.
build: prereqs
	$(SWIFT) build -c $(CONFIG) --product syscorr --static-swift-stdlib -Xlinker -no-pie

demo: build
	@bash data-samples/demo.sh $(BIN) $(DEMO_STORE)

test: prereqs venv b2venv fixtures
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel
	SYSCORR=.build/debug/syscorr $(PY) Tests/interop/run.py

bench: build
	@bash Benchmarks/run.sh $(BIN)

## Mass fits and sWeights against iminuit and the sweights package (Benchmarks/fit_bench.py).
bench-fit: build
	@[ -f .build/bench-venv/.done ] && [ .build/bench-venv/.done -nt Benchmarks/requirements.txt ] || \
	  { python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install -q -r Benchmarks/requirements.txt && touch .build/bench-venv/.done; }
	.build/bench-venv/bin/python Benchmarks/fit_bench.py $(BIN)

## D* fits against iminuit in interleaved rounds, per-round ratios (Benchmarks/fit_rounds.py).
bench-fit-rounds: build
	@[ -f .build/bench-venv/.done ] && [ .build/bench-venv/.done -nt Benchmarks/requirements.txt ] || \
	  { python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install -q -r Benchmarks/requirements.txt && touch .build/bench-venv/.done; }
	.build/bench-venv/bin/python Benchmarks/fit_rounds.py $(BIN) --mode Dst --rounds 5 --sweights

bench-tables: build
	@[ -f .build/bench-venv/.done ] && [ .build/bench-venv/.done -nt Benchmarks/requirements.txt ] || \
	  { python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install -q -r Benchmarks/requirements.txt && touch .build/bench-venv/.done; }
	.build/bench-venv/bin/python Benchmarks/tables_bench.py $(BIN)

## KDE against KDEpy, and the resampling rate (Benchmarks/kde_bench.py).
bench-kde: build
	@[ -f .build/bench-venv/.done ] && [ .build/bench-venv/.done -nt Benchmarks/requirements.txt ] || \
	  { python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install -q -r Benchmarks/requirements.txt && touch .build/bench-venv/.done; }
	.build/bench-venv/bin/python Benchmarks/kde_bench.py $(BIN)

fuzz: build fixtures
	$(BIN) fuzz --cases 1000000 --root-cases 10000 --root-files $(FIXTURES)

clean:
	rm -rf .build $(DEMO_STORE) $(DEMO_STORE)-workflow
