# sipxweb — the two commands a developer needs are `make run` and `make test` (see README.md).
#
#   make run    create/update .venv, .secret_key on first start, migrate, create the cache table, load the demo PBX when the
#               database is empty, collect static files, then exec bin/run: gunicorn and the SIP
#               call-control agent side by side (Ctrl-C / SIGTERM stops both)
#   make test   create/update .venv (with the dev tools) and run the fast suite on every core (pytest-xdist);
#               make test ALL=1 runs everything, the slow trees too (browsers, gunicorn, SIP, reliability: the
#               `slow` marker, tests/conftest.py), as .ci/run does. ARGS="-k digest", ARGS=--lf, ARGS="-n 0"
#   make lint   ruff check + ruff format --check
#
# SQLite by default; DATABASE_URL=postgres://user:pass@host/db switches to PostgreSQL.
# PYTHON=/path/to/python3.13 picks the interpreter used to create .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-from-pyproject
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
# Extra pytest arguments: make test ARGS="-k digest -x"; ALL=1 adds the slow tests.
ARGS   ?=
ALL    ?=

.PHONY: run test lint venv clean-venv

venv: $(STAMP)

# The interpreter: the first candidate that really runs and is >= 3.12, 3.12 first: the media server's PJSIP
# (pjsua2-python) is a prebuilt wheel for CPython 3.12 only (docs/mediaserver.md). pyenv shims (python3.12 on
# PATH without that version installed) exist but fail, so each candidate is run, not just looked up.
$(PY):
	@set -u; found=""; \
	for cand in $(PYTHON) python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3 2>/dev/null | sort -rV) \
	            python3.13 python3.14 $$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3 2>/dev/null | sort -rV) \
	            python3; do \
	  if "$$cand" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    found="$$cand"; break; \
	  fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "make: no usable Python >= 3.12 found (tried python3.12, ~/.pyenv/versions/3.12*, python3.13, python3.14, python3)." >&2; \
	  echo "      Install one (Debian 13: apt-get install python3 python3-venv) or run: make PYTHON=/path/to/python3.12" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" -c 'import sys; print(sys.version.split()[0])'))"; \
	"$$found" -m venv $(VENV) || { rm -rf $(VENV); echo "make: '$$found -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }

# The dependencies (runtime + dev) are read from pyproject.toml; pip runs again only when it changed.
# The project itself is not a package (packages = []): it runs from the checkout, so nothing is built.
$(STAMP): pyproject.toml | $(PY)
	@echo "Installing dependencies from pyproject.toml into $(VENV) ..."
	@$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + p.get("optional-dependencies", {}).get("dev", [])))' > $(VENV)/requirements.txt
	@set -o pipefail; $(PIP) install -r $(VENV)/requirements.txt 2>&1 \
	  | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	@touch $@

# DEBUG=0 unless DEBUG=1 is asked for (debug pages list URLs and settings to anyone who can connect). Without
# SECRET_KEY, the installation's own random key: created in SECRET_KEY_FILE (.secret_key) on first start,
# readable by its owner only, and read by sipxweb/settings.py on every start.
run: $(STAMP)
	@set -e; \
	export DEBUG="$${DEBUG:-0}"; \
	keyfile="$${SECRET_KEY_FILE:-.secret_key}"; \
	if [ -z "$${SECRET_KEY:-}" ] && [ ! -s "$$keyfile" ]; then \
	  (umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > "$$keyfile.$$$$"); \
	  mv -n "$$keyfile.$$$$" "$$keyfile"; rm -f "$$keyfile.$$$$"; \
	  echo "Created a random SECRET_KEY in $$keyfile (mode 0600)"; \
	fi; \
	$(PY) manage.py migrate --noinput -v 0; \
	$(PY) manage.py createcachetable; \
	$(PY) manage.py seed_demo --if-empty; \
	$(PY) manage.py collectstatic --noinput -v 0; \
	echo "sipxweb on http://$${BIND_HOST:-127.0.0.1}:$${PORT:-8000}/ (call controller port $${CALLCONTROL_PORT:-6667}); Ctrl-C stops it"; \
	exec bin/run

# One pytest on every core (-n auto; loadgroup keeps a slow module, and the server it shares, on one worker).
# With ALL=1 a second pytest then runs the `serial` tests (tests/reliability) alone: they time recovery under a
# load of their own. A pass that selects nothing (exit 5) is fine when the other one ran tests.
# Bytecode is cached even where the environment says PYTHONDONTWRITEBYTECODE: every worker imports Django, DRF and
# the whole suite, and compiling it all again costs each of them ~8 s of CPU per run.
test: $(STAMP)
	@unset PYTHONDONTWRITEBYTECODE; \
	if [ -z "$(ALL)" ]; then \
	  $(PY) -m pytest -n auto --dist loadgroup -m "not slow" $(ARGS); rc=$$?; \
	else \
	  $(PY) -m pytest -n auto --dist loadgroup -m "not serial" $(ARGS); first=$$?; \
	  $(PY) -m pytest -n 0 -m serial $(ARGS); second=$$?; \
	  if [ $$first -eq 5 ] && [ $$second -eq 5 ]; then rc=5; \
	  elif [ $$first -ne 0 ] && [ $$first -ne 5 ]; then rc=$$first; \
	  elif [ $$second -ne 0 ] && [ $$second -ne 5 ]; then rc=$$second; \
	  else rc=0; fi; \
	fi; \
	if [ $$rc -ne 0 ]; then echo "make test: pytest exited with status $$rc" >&2; fi; \
	exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-venv:
	rm -rf $(VENV)
