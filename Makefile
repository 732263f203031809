# Two entry points: `make demo` runs the main job, `make test` runs every test.
# Both set up everything they need (a virtual environment in .venv, and the Debian
# packages that hold datasets) on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO ?= search --dataset 'mnist5k[classes=3,5,8]' --budget 30 --top 5 --max-weights 20000
# Debian packages that hold datasets (00b_sources): Fashion-MNIST, colour emoji, clip art, fonts for glyphs
DATA_DEBS := dataset-fashion-mnist fonts-noto-color-emoji unicode-data openclipart-png \
  fonts-dejavu-core fonts-liberation2 fonts-texgyre fonts-urw-base35 fonts-freefont-ttf fonts-noto-core \
  fonts-crosextra-carlito fonts-crosextra-caladea
# Debian packages that only the tests need (servers and a browser); see .ci/run
TEST_DEBS := chromium postgresql

.PHONY: demo test install data test-deps sync-check docs

$(VENV)/.installed: settings.ini setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,datasets,postgres,ray]'
	touch $@

install: $(VENV)/.installed

# each target installs only what is missing, so on a prepared machine it needs no network
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing) || \
	  echo "note: could not install $$missing; the datasets or tests that need them will say so"; fi
endef

data:
	$(call apt_install,$(DATA_DEBS))

test-deps:
	$(call apt_install,$(TEST_DEBS))

demo: install data
	$(VENV)/bin/tapas $(DEMO)

# the documentation site, from the notebooks as committed (tools/build_docs.py); open it with
# `python -m http.server -d _docs`
docs: install
	$(PY) tools/build_docs.py --out _docs

# re-execute the notebooks in place (all, or one: `make outputs NB=nbs/03_characterize.ipynb`); see CONTRIBUTING
.PHONY: outputs
outputs: install
	$(PY) tools/execute_nbs.py $(NB)

sync-check: install
	$(PY) tests/check_sync.py
	$(PY) tools/make_readme.py --check

test: install data test-deps sync-check
	$(PY) -m pytest tests -q -p no:cacheprovider $(PYTEST_ARGS)
