# The commands a newcomer types. `make demo` and `make test` each install what they need.
PY ?= python3
PIP ?= $(PY) -m pip

.PHONY: install demo demo-canvas test test-fast validate bench

install:
	$(PIP) install -q -e ".[test]"

demo: install            ## install everything, grade the sample class, print the gradebook
	kerasgrade grade examples/class --out out/sample-class --force

demo-canvas: install     ## the sample class as a Canvas download: collect, grade, export to Canvas
	kerasgrade collect examples/canvas-submissions.zip --out out/canvas-class --force
	kerasgrade grade out/canvas-class --out out/canvas-grades
	kerasgrade export canvas --from out/canvas-grades --out out/canvas-grades/canvas.csv

test: install            ## the whole test suite (CI runs this)
	$(PY) -m pytest

test-fast:               ## the tests that need no TensorFlow run
	$(PY) -m pytest -m "not slow"

validate:                ## references full, stubs zero, every mutant caught
	kerasgrade validate

bench:
	$(PY) bench/grade_class.py --nbgrader-students 5 --fresh-students 10
	$(PY) bench/overhead.py
	$(PY) bench/exercise_times.py
	$(PY) bench/sandbox_cost.py
	$(PY) bench/walk_grade.py
	$(PY) bench/phases.py 3
