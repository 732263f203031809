# Two entry points: `make demo` runs the main job, `make test` runs every test.
# Both set up everything they need (a virtual environment in .venv, and Debian's
# Fashion-MNIST package) on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO ?= search --dataset 'mnist5k[classes=3,5,8]' --budget 30 --top 10

.PHONY: demo test install data sync-check

$(VENV)/.installed: settings.ini setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

data:
	@dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist) || \
	  echo "note: Debian's dataset-fashion-mnist could not be installed; Fashion-MNIST will be unavailable"

demo: install data
	$(VENV)/bin/tapas $(DEMO)

sync-check: install
	$(PY) tests/check_sync.py
	$(PY) tools/make_readme.py --check

test: install data sync-check
	$(PY) -m pytest tests -q -p no:cacheprovider $(PYTEST_ARGS)
