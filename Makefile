# Two commands on a fresh machine: `make demo` runs the platform, `make test` tests it.
# Each creates .venv and installs what it needs (Python packages and Debian packages).

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Pinned, hash-checked versions of every dependency (`make lock` writes them).
LOCK := requirements-dev.lock
# Debian packages the tests and the demo drive as real peers (`command:package` pairs).
# A command may live in /usr/sbin, which is not on every user's PATH (mosquitto).
DEB_PACKAGES := sipp:sip-tester chromium:chromium mosquitto:mosquitto
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck unit system-deps bench clean lock

# The lock first, then tecflow itself: a dependency pyproject.toml gained after the lock
# was written still installs (unpinned until the next `make lock`).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Pin what this venv runs (the versions the tests passed with): requirements.lock for the
# image, requirements-dev.lock for development and CI.
lock: $(STAMP)
	$(PY) -m pip install -q uv
	$(PY) -m pip freeze --exclude-editable > $(VENV)/freeze.txt
	for extra in "" dev; do \
	  $(VENV)/bin/uv pip compile pyproject.toml $${extra:+--extra $$extra} -c $(VENV)/freeze.txt \
	    --python-version 3.11 --generate-hashes --custom-compile-command "make lock" -q \
	    -o requirements$${extra:+-$$extra}.lock; done

system-deps:
	@missing=""; for pair in $(DEB_PACKAGES); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || test -x /usr/sbin/$${pair%%:*} \
	    || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

demo: $(STAMP) system-deps
	$(VENV)/bin/tecflow up --simulate

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

test: $(STAMP) system-deps lint typecheck
	$(PY) -m pytest -q -ra --durations=10 -n 3 --dist loadfile

# Every benchmark of bench/RESULTS.md, each bounded in time; rewrites its generated part.
bench: $(STAMP)
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) var schema-out .pytest_cache .mypy_cache .ruff_cache
