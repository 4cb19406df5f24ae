# The two commands of the course (see README.md):
#   make run    create .venv if missing, install, execute every notebook, print the results table
#   make test   same set-up, then the unit tests and the notebooks under nbval
#   make bench  (optional) speed figures: input pipeline, training throughput, series wall time
# Both work offline when ../shared (a Keras cache and a course mirror) sits beside the checkout.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

# Development and CI layout: a sibling ../shared folder serves the data as a local mirror.
ifneq ($(wildcard ../shared/course_data),)
export COURSE_DATA_MIRROR ?= $(abspath ../shared/course_data);$(abspath ../shared/keras_home)
endif

.PHONY: install run test bench clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python -m helpers.runner $(ARGS)

test: install
	$(BIN)/python -m pytest $(ARGS)

bench: install
	$(BIN)/python -m benchmarks.speed $(ARGS)

clean:
	rm -rf $(VENV) .cache results notebooks/runs .pytest_cache
