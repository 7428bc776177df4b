# `make reproduce [QUICK=1]` runs every notebook headless, `make test` runs the tests, `make book` builds the site.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
OUT ?= out
ONLY ?=

.PHONY: install reproduce test lab book browser browser-test clean-out

install: $(STAMP)

# torch goes in first, pinned, so no later dependency resolves to a CUDA build. Then plotly's cartesian plotly.js
# bundle (1.5 MB instead of 4.6, from the npm registry when npm is there; see gnnexplain/viz/plotlyjs.py).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev]'
	$(BIN)/python -c 'import sys; from gnnexplain.viz.plotlyjs import main; sys.exit(main())'
	touch $@

reproduce: $(STAMP)
	$(BIN)/python -m gnnexplain.reproduce --out $(OUT) $(if $(QUICK),--quick) $(if $(ONLY),--only $(ONLY))

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# the static site of the last `make reproduce`, written to $(OUT)/book/
book: $(STAMP)
	$(BIN)/python -m gnnexplain.book --out $(OUT)

# Chromium, for figure files (kaleido) and the browser test; Debian's package where apt is available.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && apt-get update -q && apt-get install -y -q chromium; } || \
	  echo "No Chrome/Chromium: install one (or set BROWSER_PATH) for figure files and the browser test."

# JupyterLab in headless Chromium: every notebook run in quick mode, every explorer's controls changed.
browser-test: $(STAMP) browser
	GNNEXPLAIN_BROWSER_TEST=1 $(BIN)/python -m pytest -m browser -p no:xdist

clean-out:
	rm -rf $(OUT)
