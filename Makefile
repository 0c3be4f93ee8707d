# Two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make demo   installs everything, ingests samples/ and searches it
#   make test   installs everything and runs the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# fonts-noto-core, fonts-dejavu-core, fonts-freefont-ttf: Vietnamese serif, sans and typewriter faces for the pages
# benchmarks/ocr_accuracy.py and the tests render. Noto first (samples/make_samples.py): the OCR baseline
# (benchmarks/ocr_baseline/) was rendered with it, and DejaVu's wider faces draw other pages (the Decree 30
# header's two columns run into each other), so `make ocr-check` on a machine without Noto moved 6 of 30 pages;
# unpaper: OCRmyPDF's --clean, the baseline that benchmark compares against;
# ghostscript: OCRmyPDF's PDF/A conversion, the anchor benchmarks/export.py measures luutru's export against
# chromium, chromium-driver: the headless browser tests/test_web.py drives the counter's page with
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils fonts-noto-core fonts-dejavu-core fonts-freefont-ttf unpaper ghostscript chromium chromium-driver
DEMO_HOME := $(CURDIR)/.demo-home
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install system-deps samples benchmarks clean lint docs catalogs ocr-check ocr-baseline

system-deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/luutru: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,benchmarks,docs]'
	# augraphy without its dependencies: it asks for the GUI opencv-python (see setup.cfg, benchmarks)
	$(BIN)/python -m pip install -q --no-deps 'augraphy==8.2.6'
	touch $@

install: system-deps $(BIN)/luutru

demo: install
	$(BIN)/luutru --home $(DEMO_HOME) ingest samples/scans
	$(BIN)/luutru --home $(DEMO_HOME) search "quyet dinh giao dat"
	$(BIN)/luutru --home $(DEMO_HOME) search "thửa đất số 245"

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

# The message catalogs (luutru/i18n.py): the messages marked in the code extracted, the Vietnamese catalog
# updated (translate what is new in luutru/locale/vi/LC_MESSAGES/luutru.po), then compiled into the .mo luutru reads.
LOCALE := luutru/locale
catalogs: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --project luutru -o $(LOCALE)/luutru.pot \
		luutru pipeline index export scanners web
	$(BIN)/pybabel update -i $(LOCALE)/luutru.pot -d $(LOCALE) -D luutru -w 120 --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) -D luutru --statistics

# The documentation site (docs/, mkdocs.yml), built strictly: a broken link or a command the reference cannot
# load fails. The site lands in .site/.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The reading path's gate: the tuned split's pages of two seeds read again and compared, kind by kind, with the
# committed baseline (benchmarks/ocr_baseline/); a kind whose mean CER rose by more than OCR_TOLERANCE fails.
# A change meant to move them writes a new baseline with `make ocr-baseline`, and says why in its commit.
OCR_SEEDS := 4 11
OCR_TOLERANCE := 0.01
OCR_CHECK = $(BIN)/python benchmarks/ocr_accuracy.py --split tuned --pages-per-kind 2 --no-ocrmypdf --luutru-only
ocr-check: install
	@for seed in $(OCR_SEEDS); do \
		$(OCR_CHECK) --seed $$seed --json $(CURDIR)/.ocr-check-$$seed.json >/dev/null && \
		$(BIN)/python benchmarks/ocr_compare.py benchmarks/ocr_baseline/seed-$$seed.json .ocr-check-$$seed.json \
			--tolerance $(OCR_TOLERANCE) || exit 1; \
	done

ocr-baseline: install
	@for seed in $(OCR_SEEDS); do $(OCR_CHECK) --seed $$seed --json benchmarks/ocr_baseline/seed-$$seed.json; done

# Re-render samples/ from samples/documents.py (with the fonts above).
samples: install
	$(BIN)/python -m pip install -q -e '.[samples]'
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache *.egg-info .ocr-check-*.json
