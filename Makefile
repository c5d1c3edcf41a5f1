# evalkit — the few verbs people need. Everything sets itself up on a fresh machine.
#   make report   build .venv if needed, write the demo data, run every notebook, assemble the report
#   make test     same set-up, then lint + all tests (unit, reference, notebooks, end to end)
#   make lab      JupyterLab on the project's kernel
#   make bench    speed benchmarks          make validate   coverage study
#   make clean    remove generated files (reports/, demo data, caches); `make distclean` also .venv

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.evalkit-installed
DEMO   := data/demo/.generated
JOBS   ?=
LAB_ARGS ?=

.PHONY: all report test lint lab bench validate clean distclean venv demo docs

all: report

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "evalkit needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON) -m venv"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name evalkit --display-name "Python (evalkit)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

$(DEMO): $(STAMP) $(wildcard src/evalkit/data/demo*.py src/evalkit/data/demo/*.py)
	$(BIN)/evalkit demo-data
	@touch $(DEMO)

demo: $(DEMO)

report: $(DEMO)
	@status=0; $(BIN)/evalkit run $(if $(JOBS),--jobs $(JOBS)) || status=$$?; \
	if [ $$status -ne 2 ]; then $(BIN)/evalkit report || status=$$?; fi; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(PY) tests/tools/check_notebooks_clean.py notebooks

test: lint $(DEMO)
	$(BIN)/pytest tests notebooks --nbval-lax -p no:cacheprovider

$(BIN)/jupyter-lab: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,lab]'

lab: $(DEMO) $(BIN)/jupyter-lab
	cd notebooks && ../$(BIN)/jupyter lab --MappingKernelManager.default_kernel_name=evalkit $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: $(DEMO)
	$(PY) benchmarks/run.py

validate: $(STAMP)
	$(PY) benchmarks/coverage_study.py

docs: $(STAMP)
	$(BIN)/evalkit params-doc --out docs/params.md

clean:
	rm -rf reports/* data/demo .pytest_cache .ruff_cache benchmarks/.work
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
	@touch reports/.gitkeep

distclean: clean
	rm -rf $(VENV)
