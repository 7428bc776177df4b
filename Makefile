# Two commands: `make reproduce [QUICK=1]` runs every notebook headless, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
OUT ?= out
ONLY ?=

.PHONY: install reproduce test lab clean-out

install: $(STAMP)

# torch goes in first, pinned, so no later dependency resolves to a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev]'
	touch $@

reproduce: $(STAMP)
	$(BIN)/python -m gnnexplain.reproduce --out $(OUT) $(if $(QUICK),--quick) $(if $(ONLY),--only $(ONLY))

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

clean-out:
	rm -rf $(OUT)
