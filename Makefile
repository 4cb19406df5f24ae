# The two commands of the course (see README.md):
#   make run    create .venv if missing, install, execute every notebook, print the results table
#   make test   same set-up, then the unit tests and the notebooks under nbval
#   make bench  (optional) speed figures: input pipeline, training throughput, series wall time
#   make smoke  (maintainers) every notebook's FULL-profile code path on a CPU, with tiny caps (helpers/course/smoke.py),
#               mixed precision and XLA forced on as on a GPU (COURSE_SPEEDUPS=on)
#   make test-oldest  (maintainers) unit tests and notebooks 00-02 with the oldest TensorFlow/Keras declared
#   make outputs  (maintainers) re-execute every notebook in place with a learner's settings (no mirror,
#                 the default Keras cache), both editions (notebooks/ then notebooks/zh_CN/), record each run in its
#                 outputs_summary.json (committed), then rewrite README.md's and README.zh-CN.md's results from them
#   make test-zh  (maintainers) every cell of the Chinese notebooks under nbval (make test runs a share of them)
#   make translate  (translators) update the Chinese catalogues helpers/locale/zh_CN/*.po from the English
#                 sources and regenerate notebooks/zh_CN/ (python -m helpers.course translate)
#   make readme   (maintainers) only rewrite the README's results tables from notebooks/outputs_summary.json
# Both work offline when ../shared (a Keras cache and a course mirror) sits beside the checkout.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=

# Development and CI layout: a sibling ../shared folder serves the data as a local mirror.
ifneq ($(wildcard ../shared/course_data),)
export COURSE_DATA_MIRROR ?= $(abspath ../shared/course_data);$(abspath ../shared/keras_home)
endif

.PHONY: install run test test-zh bench smoke test-oldest clean outputs readme translate

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python -m helpers.course.runner $(ARGS)

test: install
	$(BIN)/ruff check helpers tests benchmarks
	$(BIN)/python -m pytest $(ARGS)

outputs: install
	$(BIN)/python -m helpers.course.runner --learner --inplace $(ARGS)
	$(BIN)/python -m helpers.course translate
	COURSE_LANGUAGE=zh_CN $(BIN)/python -m helpers.course.runner --learner --inplace $(ARGS)
	$(MAKE) readme

readme:
	$(BIN)/python -m helpers.course.runner --readme
	COURSE_LANGUAGE=zh_CN $(BIN)/python -m helpers.course.runner --readme

# The Chinese edition's notebooks in full under nbval (make test runs each in part: see conftest.py).
test-zh: install
	COURSE_ZH_NBVAL=full $(BIN)/python -m pytest notebooks/zh_CN $(ARGS)

translate: install
	$(BIN)/python -m helpers.course translate

bench: install
	$(BIN)/python -m benchmarks.speed $(ARGS)

# The full profile's branches, end to end, in minutes: fails when any notebook raises.
smoke: install
	COURSE_PROFILE=full COURSE_SMOKE=1 COURSE_SPEEDUPS=on $(BIN)/python -m helpers.course.runner --summary results/smoke.json $(ARGS)

# The oldest releases pyproject.toml declares (.ci/oldest-constraints.txt), in their own venv.
OLDEST := .venv-oldest
OLDEST_NOTEBOOKS := notebooks/00_setup.ipynb notebooks/01_keras_fundamentals.ipynb notebooks/02_mnist_cnn.ipynb

$(OLDEST)/.installed: pyproject.toml .ci/oldest-constraints.txt
	@test -x $(OLDEST)/bin/python || $(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' -c .ci/oldest-constraints.txt
	@touch $@

test-oldest: $(OLDEST)/.installed
	$(OLDEST)/bin/python -c "import sys, tensorflow as tf, keras; print('oldest declared: Python', sys.version.split()[0], '| TensorFlow', tf.__version__, '| Keras', keras.__version__)"
	$(OLDEST)/bin/python -m pytest tests $(OLDEST_NOTEBOOKS) $(ARGS)

clean:
	rm -rf $(VENV) $(OLDEST) .cache results notebooks/runs notebooks/zh_CN/runs .pytest_cache
