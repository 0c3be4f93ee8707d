"""One page, from file to text: the unit of work a worker process runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

from luutru import __version__
from luutru.pipeline.cleanup import (
    CleanPage,
    InkSurvey,
    clean_page,
    ink_free_gray,
    letter_centres,
    letter_pieces,
    reading_scale,
    survey,
)
from luutru.pipeline.geometry import Box, as_list, box_on_original, scaling, unbent_box
from luutru.pipeline.ocr import OcrResult, Word, lines_gone_back, ocr_image
from luutru.pipeline.quality import plausible_characters, reading_quality, reading_score
from luutru.pipeline.settings import DEFAULT_PSM, DEFAULT_STEPS, OcrSettings
from luutru.pipeline.tesseract import TesseractError, engine, engine_version, model_fingerprint
from luutru.pipeline.text_layer import LAYER_COVERS, covered_share, with_layer, without_layer
from luutru.pipeline.vietnamese import repair_legacy, vietnamese_score
from luutru.scanners import (
    Kind,
    LayerWord,
    ScanError,
    image_dpi,
    layer_facts,
    render_page,
    text_layer,
    text_layer_lines,
)
from luutru.scanners.limits import POPPLER_TIMEOUT

# A PDF text layer with fewer letters than this is treated as absent (a scanner's stray header).
MIN_TEXT_LAYER_LETTERS = 20
# An earlier OCR's text layer that reads as Vietnamese at least this well (vietnamese_score) is kept;
# below it the page is OCR'd, and the better of the two readings kept.
PRIOR_OCR_TRUSTED = 0.7
# A reading whose quality (pipeline.quality: the share of plausible Vietnamese) is under GOOD_READING is
# read again after other cleanups; a page whose best reading is under UNREADABLE is noise: it stays in
# the catalog, marked, and is listed by `luutru review`, but none of its words go into the index.
GOOD_READING, UNREADABLE = 0.85, 0.5
# A reading Tesseract is less sure of than this (its mean word confidence) is not good either, however
# plausible: a copy thresholded so dark that thin strokes went reads `giáp` as `eiáp` and `đất` as `dất`,
# syllables both, at 73-78 where the page's better readings are 89-95 (clean pages read 85 and up).
GOOD_CONFIDENCE = 80.0
# A page read as this many characters of junk lines and next to nothing else is unreadable too.
JUNK_PAGE_CHARACTERS = 100
# A reading with fewer characters than this share of the letter-sized pieces of ink on the cleaned
# page missed text (clean pages read some 0.85: accents are pieces of their own).
MIN_COVERAGE = 0.4
# A first reading that left this many characters out as junk lines (ocr.is_junk) met damage the settings'
# cleanup does not treat, a drum's streaks or low-ink lines, however well the rest reads: the ink cleanups
# read the page too (tuned pages: clean kinds leave out at most 17, drum pages 150-700).
MAX_FIRST_JUNK = 50
# A page with fewer letter-sized pieces of ink than this holds too little text to judge its reading.
MIN_PIECES_TO_JUDGE = 60
# A page whose cleanup left more than this many specks a letter is a damaged copy (a drum's dots, sparse
# grain): clean pages of every kind leave under 0.02, faded copies 0.4-0.6, drum pages 0.2-2.
SPECKS_PER_LETTER = 1.0
# A first reading that is not good is read again after these, in turn, until one reads well: speckle
# removed (or grain too dense for a median smoothed away: `_ink_cleanups`) before the paper's light is
# measured (measured on grain, it is the grain's brightest), then only the darkest ink kept (a copier's grain and drum
# streaks go with the grey between ink and paper: cleanup.darkest), and strokes that low-ink lines broke
# across joined again (cleanup.mend: a drum's pages 0.24 -> 0.21). Any may lose the text where another
# keeps it, and a reading of half the page can look good: each is judged against the letters the fullest
# of them kept. The median comes first: it read better more often on damaged pages. A page under a copier's
# grain is read last after GRAIN_CLEANUP, a wide median after the smoothing, for a faint copy under grain
# so dense that the others leave it in clumps Tesseract reads nothing from (worse on other pages: copier
# pages 0.164 -> 0.191 read after it alone; and the cleaning costs a drum page 0.3 s for nothing); so is a
# page the first cleanup found no grain on when an ink cleanup found it, or none of their readings read
# MIN_COVERAGE of its letters. A page every reading read turned, none well, is read as it lies too: a copier's
# grain can line up down a page, which is then taken for one on its side and turned upside down.
INK_CLEANUPS = (("denoise", "flatten", "deskew", "straighten", "darkest", "despeckle", "destreak", "mend"),
                ("smooth", "flatten", "deskew", "straighten", "darkest", "despeckle", "destreak", "mend"))
GRAIN_CLEANUP = ("smooth", "denoise_wide", "flatten", "deskew", "straighten", "darkest", "despeckle", "destreak",
                 "mend")
# A cleanup of a page under grain that kept more than GRAIN_LEFT times the letter-sized pieces of the median
# cleanup left the grain in clumps (tuned copier pages: 8 to 27 times; cleanups that took it away keep within 15 %
# of each other): it is not read (`_without_grain_left`).
GRAIN_LEFT = 3
# When neither reads well: the page as plain Tesseract sees it (but for red and blue ink), so that
# cleanup never makes a page read worse. It reads well only when it reads NEARLY_ALL of the plausible text the
# cleaned readings did (`_plain_reads_well`): a copier page's plain reading that dropped a faint quarter of it
# (0.32 against 0.11) is not good; a shadowed page's that dropped a fifth of what a garbled cleaned reading
# took for syllables (0.22 against 0.51) is (at 0.9 it was not: a page of the benchmark's measured split).
NO_CLEANUP: tuple[str, ...] = ()
NEARLY_ALL = 0.8
# Tesseract's layout analysis (psm 3) takes a drum's streaks or a table's rules for the edges of
# columns and reads the page in slices, or drops the paragraphs between them. A page with streaks down it
# is read as one block of text (psm 6: no columns looked for. Psm 4, one column of lines of any size, read a
# fifth of the benchmark's streaked cleaned pages in slices, 5-131 lines back, psm 6 none). A page whose good
# reading left more than 1 - MIN_INK_READ of its letter-sized pieces of ink outside every word (clean
# pages leave under 5 %) is read again as one block of text (psm 6, which alone reads the paragraphs
# beside a rule), and that reading kept when it reads INK_READ_GAIN more of them. So is one whose reading
# went back up the page MAX_LINES_BACK lines or more (ocr.lines_gone_back: read in slices, out of order; no
# page of the benchmark's clean kinds went back at all, drum pages read in slices 6-87 lines; two signatures
# side by side go back 2-5), kept when it goes back less and reads nearly as much.
ONE_BLOCK_PSM, MIN_INK_READ, INK_READ_GAIN, MAX_LINES_BACK = 6, 0.9, 0.05, 5


@dataclass(frozen=True)
class PageJob:
    file_id: int
    path: str
    kind: Kind
    page: int
    settings: OcrSettings = field(default_factory=OcrSettings)


@dataclass
class PageOutcome:
    file_id: int
    page: int
    text: str = ""
    confidence: float | None = None
    source: str = "ocr"  # ocr, text-layer, or prior-ocr (an earlier OCR's invisible text, judged good)
    words: list[Word] = field(default_factory=list)  # boxes on the original page image
    seconds: float = 0.0
    error: str | None = None
    diagnostics: dict = field(default_factory=dict)  # what cleanup and OCR found, for `luutru review`
    geometry: dict = field(default_factory=dict)  # the original image: size, dpi, and the map onto what was read
    provenance: dict = field(default_factory=dict)  # how it was read: engine, versions, model, settings, when


def _usable_text_layer(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= MIN_TEXT_LAYER_LETTERS


@dataclass
class _LayerLeft:
    """What a PDF page's text layer leaves to OCR."""
    gray: np.ndarray | None = None  # the page's ink-free gray (cleanup.ink_free_gray), rendered to judge its layer
    beside: list[list[LayerWord]] = field(default_factory=list)  # text drawn over a part of the scan: kept beside OCR
    doubtful: tuple[str, float] | None = None  # an earlier OCR's text and score, to compare with ours


def _layer_reading(job: PageJob, outcome: PageOutcome) -> _LayerLeft:
    """Take a PDF page's own text (converted from a legacy encoding where it is in one) into `outcome`: the
    text of a page that is no scan, or the layer that covers a scanned page's ink (LAYER_COVERS), an earlier
    OCR's only when it reads as Vietnamese. Otherwise what OCR is left: the rendered page, the text drawn
    over a part of it (a signature block), or a doubtful earlier OCR's text and score."""
    path = Path(job.path)
    layer = text_layer(path, job.page)
    if not layer.strip():
        return _LayerLeft()
    text, encoding = repair_legacy(layer.strip())
    facts = layer_facts(path, job.page)
    if not facts.scanned:
        if _usable_text_layer(layer):
            _take_layer(outcome, text, encoding, "text-layer")
        return _LayerLeft()
    gray = ink_free_gray(render_page(path, job.kind, job.page, job.settings.dpi, job.settings.max_pixels))
    lines = text_layer_lines(path, job.page)
    covered = covered_share(letter_centres(gray), lines, gray.shape[1], gray.shape[0])
    outcome.diagnostics["text_layer_covers"] = round(covered, 3)
    if covered < LAYER_COVERS or not _usable_text_layer(layer):
        return _LayerLeft(gray, beside=lines)
    if not facts.invisible:
        _take_layer(outcome, text, encoding, "text-layer")
        return _LayerLeft()
    score = vietnamese_score(text)
    outcome.diagnostics["prior_ocr_score"] = round(score, 3)
    if score >= PRIOR_OCR_TRUSTED:
        _take_layer(outcome, text, encoding, "prior-ocr", round(100 * score, 2))
        return _LayerLeft()
    return _LayerLeft(gray, doubtful=(text, score))


def _take_layer(outcome: PageOutcome, text: str, encoding: str | None, source: str,
                confidence: float = 100.0) -> None:
    if encoding:
        outcome.diagnostics["legacy_encoding"] = encoding
    outcome.text, outcome.confidence, outcome.source = text, confidence, source


@dataclass
class Reading:
    cleaned: CleanPage
    result: OcrResult
    steps: tuple[str, ...]  # the cleanup
    psm: int  # Tesseract's page segmentation mode
    letters: np.ndarray | None = None  # centres of the letter-sized pieces of ink on the cleaned page

    @property
    def turn(self) -> int:
        """Degrees the page was turned clockwise to read it: every other reading of it takes the same."""
        return self.result.diagnostics.get("rotated", 0)

    def letter_centres(self) -> np.ndarray:
        """Found once: a pass over every pixel of the page."""
        if self.letters is None:
            self.letters = letter_centres(self.cleaned.pixels)
        return self.letters

    def counted_pieces(self) -> int:
        return len(self.letter_centres())

    def ink_read(self) -> float:
        """The share of the page's letter-sized pieces of ink that lie in a word read (junk lines left
        out): Tesseract's layout analysis can drop whole paragraphs beside a rule or streaks, which
        the text read does not show."""
        letters = self.letter_centres()
        if not len(letters):
            return 1.0
        height, width = self.cleaned.pixels.shape
        read = np.zeros((height, width), dtype=bool)
        for word in self.result.words:
            left, top, box_width, box_height = box_on_original(word.box, self.result.transform, width, height)
            read[top:top + box_height, left:left + box_width] = True
        columns = np.clip(letters[:, 0].astype(int), 0, width - 1)
        rows = np.clip(letters[:, 1].astype(int), 0, height - 1)
        return float(read[rows, columns].mean())


# A cleanup's steps, the page after them, and the centres of its letter-sized pieces of ink.
Cleanup = tuple[tuple[str, ...], CleanPage, np.ndarray]


def _psm(cleaned: CleanPage, settings: OcrSettings) -> int:
    """Tesseract's page segmentation mode for the page: a streaked page (cleanup.destreak) is read as one
    block of text, unless the settings ask for another mode than the default."""
    return ONE_BLOCK_PSM if cleaned.diagnostics.get("streaks") and settings.psm == DEFAULT_PSM else settings.psm


def _read_cleaned(cleaned: CleanPage, settings: OcrSettings, steps: tuple[str, ...], turn: int | None = None,
                  letters: np.ndarray | None = None, psm: int | None = None, upside_down: bool = False) -> Reading:
    psm = psm or _psm(cleaned, settings)
    result = ocr_image(cleaned.pixels, settings.language, psm, settings.timeout, engine_name=settings.engine,
                       turn_suspected=upside_down or cleaned.diagnostics.get("sideways", False), turn=turn)
    return Reading(cleaned, result, steps, psm, letters)


def _usable_letters(cleaned: CleanPage) -> np.ndarray | None:
    """The centres of the letters on a page cleaned again; None when that cleanup lost them or left a copier's
    grain over them (Tesseract can spend a minute on specks, and reads nothing)."""
    if cleaned.diagnostics.get("grain"):
        return None
    letters = letter_centres(cleaned.pixels)
    return letters if len(letters) >= MIN_PIECES_TO_JUDGE else None


def _reading_again(gray: np.ndarray, settings: OcrSettings, steps: tuple[str, ...],
                   turn: int | None) -> Reading | None:
    """The page read again after another cleanup, turned as the first reading found (None: as this one
    finds); None when that cleanup lost the page's letters."""
    cleaned = clean_page(gray, steps)
    letters = _usable_letters(cleaned)
    return None if letters is None else _read_cleaned(cleaned, settings, steps, turn, letters)


def _read_whole(reading: Reading, settings: OcrSettings, made: int,
                good_enough: Callable[[Reading], bool]) -> tuple[Reading, int]:
    """A reading (the `made`th of the page), or, when Tesseract's layout analysis left many of the page's
    letters outside every word (it dropped paragraphs beside a rule or between streaks) or read the page in
    slices (it took a drum's dots or a white gutter for the edges of columns), the page read again as one
    block if that is `good_enough` and reads clearly more of it, or in better order; and how many readings
    were made in all. A mode the settings ask for is kept."""
    if settings.psm != DEFAULT_PSM or reading.psm == ONE_BLOCK_PSM:
        return reading, made
    read, back = reading.ink_read(), lines_gone_back(reading.result)
    # Only the settings' cleanup leaves a page nothing but its letters: the page as scanned, and a damaged copy after
    # the other cleanups, hold letter-sized pieces that are no letters (a copier's grain, stains, a drum's clumps of
    # dots), and what its words leave out of them tells nothing of dropped paragraphs (Tesseract is slow on grain as
    # one block; on 22 tuned drum and copier pages read again so, one block read better once, worse once).
    dropped = read < MIN_INK_READ and reading.steps == settings.cleanup
    if not dropped and back < MAX_LINES_BACK:
        return reading, made
    again = _read_cleaned(reading.cleaned, settings, reading.steps, reading.turn, reading.letters, ONE_BLOCK_PSM)
    read_again = again.ink_read()
    more = read_again >= read + INK_READ_GAIN
    in_order = back >= MAX_LINES_BACK and lines_gone_back(again.result) < back and read_again >= read - INK_READ_GAIN
    return (again if (more or in_order) and good_enough(again) else reading), made + 1


def _best_reading(gray: np.ndarray, settings: OcrSettings, cleaned: CleanPage, found: InkSurvey,
                  damage: list[str]) -> tuple[Reading, int]:
    """The page read after the settings' cleanup (`cleaned`, whose ink `found` surveys); a reading that is
    not good (pipeline.quality), or left many lines out as junk, is read again after the INK_CLEANUPS (and the
    GRAIN_CLEANUP, under a copier's grain or when they all missed the text) until one reads well, else after
    none, else the least bad is kept (read as the page lies too, when it was read turned). The reading kept
    is read again as one block when it dropped paragraphs or read the page in slices (`_read_whole`). A page
    that reads well pays nothing more; a damaged copy (`damage`) goes to the ink cleanups at once. Returns the
    reading and how many were made."""
    if settings.cleanup != DEFAULT_STEPS:
        return _read_cleaned(cleaned, settings, settings.cleanup), 1
    page = _Readings(gray, settings, cleaned, found)
    if not damage:
        # Tesseract is asked which way a page looks turned before, not after, a reading of it upside down.
        first = _read_cleaned(cleaned, settings, settings.cleanup, letters=found.letters,
                              upside_down=found.upside_down)
        page.readings.append(first)
        if page.reads_well(first) and first.result.junk < MAX_FIRST_JUNK:
            return page.whole(first)
        page.turn = first.turn  # the others need not look again
    cleanups = page.cleaned_again(_ink_cleanups(damage) + ((GRAIN_CLEANUP,) if "grain" in damage else ()))
    good = page.first_good(cleanups) or page.missed_grain(damage, cleanups) or page.plain_if_good()
    if good is not None:
        return page.whole(good)
    if damage and ("grain" not in damage or not page.readings):
        # A damaged copy's first cleanup is read last, when no other reads well (under grain, only when every
        # other lost the letters: Tesseract is slow on grain), and is one of the least bad.
        page.readings.append(_read_cleaned(cleaned, settings, settings.cleanup, page.turn, found.letters))
    if page.turn and (good := page.as_it_lies(cleanups)) is not None:
        return page.whole(good)
    least_bad = _least_bad(page.readings)
    return page.whole(least_bad, lambda again: reading_score(again.result.text) >= reading_score(least_bad.result.text))


@dataclass
class _Readings:
    """The readings of one page so far, the turn they found, and what a new one is judged against."""
    gray: np.ndarray
    settings: OcrSettings
    cleaned: CleanPage  # after the settings' cleanup: the other cleanups lie the page as it found it
    found: InkSurvey  # its ink
    readings: list[Reading] = field(default_factory=list)
    turn: int | None = None  # None: not known yet
    letters: int | None = None  # the most letter-sized pieces of ink one of the other cleanups kept
    grain_found: bool = False  # one of the other cleanups found a copier's grain

    def reads_well(self, reading: Reading) -> bool:
        """Judged against its own cleaned page's letters."""
        return _reads_well(reading, self.gray, self.found)

    def whole(self, reading: Reading, good_enough: Callable[[Reading], bool] | None = None) -> tuple[Reading, int]:
        """`_read_whole` of the reading kept, and how many readings were made in all."""
        return _read_whole(reading, self.settings, len(self.readings), good_enough or self.reads_well)

    def cleaned_again(self, cleanups: tuple[tuple[str, ...], ...]) -> list[Cleanup]:
        """The page after each of the `cleanups` that kept its letters and took a copier's grain away
        (`_without_grain_left`); notes whether one found grain, and the most letters one kept, which every reading
        after them must cover."""
        pages = [(steps, clean_page(self.gray, steps, self.cleaned)) for steps in cleanups]
        self.grain_found = any(page.diagnostics.get("grain") for _, page in pages)
        kept = _without_grain_left([(steps, page, centres) for steps, page in pages
                                    if (centres := _usable_letters(page)) is not None])
        self.letters = max((len(centres) for _, _, centres in kept), default=None)
        return kept

    def first_good(self, cleanups: list[Cleanup]) -> Reading | None:
        """The first of the `cleanups` whose reading reads well (cleaning is cheap, reading is not), each read
        as the one before found the page turned."""
        for steps, cleaned, centres in cleanups:
            self.readings.append(_read_cleaned(cleaned, self.settings, steps, self.turn, centres))
            if _reads_well(self.readings[-1], self.gray, self.found, self.letters):
                return self.readings[-1]
            self.turn = self.readings[-1].turn  # a damaged copy's first reading found it
        return None

    def missed_grain(self, damage: list[str], cleanups: list[Cleanup]) -> Reading | None:
        """The GRAIN_CLEANUP's reading, if good, of a page whose grain the first cleanup missed: an ink cleanup found
        it, or none of their readings read MIN_COVERAGE of its letters (the cleanup is added to `cleanups`)."""
        if "grain" in damage:
            return None
        ink_cleanups = {steps for steps, _, _ in cleanups}
        ink_readings = [reading for reading in self.readings if reading.steps in ink_cleanups]
        if not self.grain_found and not (cleanups and _missed_text(ink_readings, self.letters)):
            return None
        grain = clean_page(self.gray, GRAIN_CLEANUP, self.cleaned)
        if (centres := _usable_letters(grain)) is None:
            return None
        cleanups.append((GRAIN_CLEANUP, grain, centres))
        return self.first_good(cleanups[-1:])

    def plain_if_good(self) -> Reading | None:
        """The page read without cleanup (added to the readings), if it reads well (`_plain_reads_well`)."""
        plain = _reading_again(self.gray, self.settings, NO_CLEANUP, self.turn)
        if plain is None:
            return None
        self.readings.append(plain)
        return plain if _plain_reads_well(plain, self.readings[:-1], self.gray, self.found, self.letters) else None

    def as_it_lies(self, cleanups: list[Cleanup]) -> Reading | None:
        """Every reading was of the page turned, and none reads well: the turn, found on a damaged page (a copier's
        grain can line up down the page), may be the damage's. The cleanups are read as the page lies, in turn,
        until one reads well (turned, all read junk, which tells nothing of which reads best upright); when every
        one lost the letters, the least bad reading's."""
        if not cleanups:
            least_bad = _least_bad(self.readings)
            cleanups = [(least_bad.steps, least_bad.cleaned, least_bad.letters)]
        self.turn = 0
        return self.first_good(cleanups)


def _plain_reads_well(plain: Reading, readings: list[Reading], gray: np.ndarray, found: InkSurvey,
                      letters: int | None) -> bool:
    """Whether the page read without cleanup reads well, judged against the `letters` the cleanups found (the page
    as scanned holds letter-sized pieces that are no letters, a faint copy's grain or stains, which no reading
    covers), and reading nearly as much plausible text as the cleaned `readings` did: where it reads less, it
    dropped what it could not see (a faint part of the page). Plausible text: a cleaned reading's junk is no
    part of the page."""
    most = max((plausible_characters(reading.result.text) for reading in readings), default=0)
    return plausible_characters(plain.result.text) >= NEARLY_ALL * most and _reads_well(plain, gray, found, letters)


def _without_grain_left(cleanups: list[Cleanup]) -> list[Cleanup]:
    """The cleanups of a page (three or more: under grain) but those that left a copier's grain on it in clumps of
    a letter's size: GRAIN_LEFT times the letter-sized pieces the median cleanup kept. Read, such a page costs
    Tesseract seconds for junk, and its clumps, taken for letters, made every other reading look as if it
    missed most of the page."""
    if len(cleanups) < 3:
        return cleanups
    median = np.median([len(centres) for _, _, centres in cleanups])
    return [cleanup for cleanup in cleanups if len(cleanup[2]) <= GRAIN_LEFT * median]


def _ink_cleanups(damage: list[str]) -> tuple[tuple[str, ...], ...]:
    """The INK_CLEANUPS a page is read after: all but for a damaged copy (`damage`) without a copier's grain
    (a drum's streaks and dots, specks), which is not smoothed: the Gaussian, for grain, runs sparse dots into
    clumps as dark as the letters (the benchmark's drum pages read 0.48-0.64 after it, 0.13-0.17 after the
    median, and 2 of 57 better by 0.01-0.04), and reading it cost a drum page 0.1-0.4 s for nothing."""
    return INK_CLEANUPS if "grain" in damage or not damage else INK_CLEANUPS[:1]


def _damaged_copy(cleaned: CleanPage, found: InkSurvey) -> list[str]:
    """What makes a page a damaged copy: a copier's grain over it (Tesseract sees a picture there, and
    slowly), a worn drum's streaks down or across it (the grey of the streaks is kept, and letters broken
    across; `darkest` thresholds the lines under streaks across below the streaks' dots), more specks
    than letters left after the cleanup (a drum's dots, sparse grain: clean pages of every kind leave next
    to none). The ink cleanups read such a page better than the settings' cleanup, which is read only when
    none of them reads well."""
    damage = [damage for damage in ("grain", "streaks", "streaks_across") if cleaned.diagnostics.get(damage)]
    letters = len(found.letters)
    if letters >= MIN_PIECES_TO_JUDGE and found.specks > SPECKS_PER_LETTER * letters:
        damage.append("specks")
    return damage


def _missed_text(readings: list[Reading], letters: int) -> bool:
    """None of the readings read MIN_COVERAGE of the page's `letters` letter-sized pieces of ink."""
    return all(_characters(reading.result.text) < MIN_COVERAGE * letters for reading in readings)


def _least_bad(readings: list[Reading]) -> Reading:
    """Of readings none of which reads well, the one with the best score (its plausible text less the
    rest, pipeline.quality.reading_score) of those that do not miss much of what another found."""
    longest = max(_characters(reading.result.text) for reading in readings)
    full = [reading for reading in readings if _characters(reading.result.text) >= MIN_COVERAGE * longest]
    return max(full, key=lambda reading: reading_score(reading.result.text))


def _characters(text: str) -> int:
    return sum(not character.isspace() for character in text)


def _reads_well(reading: Reading, gray: np.ndarray, found: InkSurvey, letters: int | None = None) -> bool:
    """A reading that is plausible Vietnamese, read with confidence, and covers the page's letters (`letters`
    letter-sized pieces of ink, by default those of its own cleaned page). A reading of next to nothing is
    good only for a page that looks blank (`_looks_blank`)."""
    text = reading.result.text
    quality = reading_quality(text)
    if quality is None:
        return _looks_blank(gray, found)
    return quality >= GOOD_READING and reading.result.confidence >= GOOD_CONFIDENCE \
        and _characters(text) >= MIN_COVERAGE * (letters or reading.counted_pieces())


def _looks_blank(gray: np.ndarray, found: InkSurvey) -> bool:
    """Next to no letters on the page after its first cleanup (`found`) nor as scanned (`gray`): a cleanup
    that lost every letter (a threshold that turned the page white) must not make a page look blank, nor a
    threshold of the page as scanned that took a faded copy's few black specks for its only ink."""
    return len(found.letters) < MIN_PIECES_TO_JUDGE and letter_pieces(gray) < MIN_PIECES_TO_JUDGE


def _unreadable(result: OcrResult, quality: float | None) -> bool:
    """A best reading that is still mostly junk, or junk and next to nothing else (ocr.is_junk)."""
    if quality is None:
        return result.junk >= JUNK_PAGE_CHARACTERS
    return quality < UNREADABLE


def _ocr(job: PageJob, outcome: PageOutcome, left: _LayerLeft) -> None:
    """Render (unless the text layer's judging did), clean and OCR the page; word boxes are mapped back onto
    the original image. Text drawn over a part of it (`left.beside`) is painted out before and kept after."""
    settings = job.settings
    if left.gray is None:
        image = render_page(Path(job.path), job.kind, job.page, settings.dpi, settings.max_pixels)
        dpi = settings.dpi if job.kind is Kind.PDF else image_dpi(image)
        # The colour page is dropped at once: every reading starts from its ink-free gray, at 300 dpi size.
        gray = ink_free_gray(image)
        del image
    else:  # a PDF page its text layer's judging rendered
        gray, dpi = left.gray, settings.dpi
    height, width = gray.shape
    gray, scale = _at_reading_size(without_layer(gray, left.beside) if left.beside else gray,
                                   None if job.kind is Kind.PDF else dpi)
    first = clean_page(gray, settings.cleanup)
    found = survey(first.pixels)
    damage = _damaged_copy(first, found)
    best, readings = _best_reading(gray, settings, first, found, damage)
    cleaned, result, steps = best.cleaned, best.result, best.steps
    del gray
    to_read = result.transform @ cleaned.transform @ scale
    outcome.text, outcome.confidence, outcome.source = result.text, result.confidence, "ocr"
    outcome.words = [replace(word, box=_on_original(word.box, cleaned, result, scale, width, height))
                     for word in result.words]
    quality = reading_quality(result.text)
    outcome.diagnostics.update({**cleaned.diagnostics, **result.diagnostics, "words": len(result.words),
                                "vietnamese": round(vietnamese_score(result.text), 3), "readings": readings,
                                **({"quality": round(quality, 3)} if quality is not None else {}),
                                **({"junk_characters": result.junk} if result.junk else {}),
                                **({"cleaned_again": list(steps)} if steps != settings.cleanup else {}),
                                **({"damaged_copy": damage} if damage else {}),
                                **({"scaled": round(scale[0, 0], 3)} if scale[0, 0] != 1 else {}),
                                **({"unreadable": True} if _unreadable(result, quality) else {})})
    if left.beside:
        outcome.text, outcome.words = with_layer(outcome.text, outcome.words, left.beside, width, height)
        outcome.diagnostics["text_layer_beside"] = sum(len(line) for line in left.beside)
    outcome.geometry = {"width": width, "height": height, "dpi": dpi, "to_read": as_list(to_read),
                        "boxes": "original"}
    tesseract = engine(settings.engine)
    outcome.provenance.update({"engine": tesseract.name, "tesseract": engine_version(tesseract),
                               "language": settings.language, "model": model_fingerprint(settings.language),
                               "psm": best.psm, "cleanup": list(settings.cleanup)})


def _at_reading_size(gray: np.ndarray, dpi: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The page (scanned at `dpi`, if its file says) at the size of 300 dpi text (cleanup.reading_scale),
    read-only (every cleanup starts from it), and the map onto it."""
    factor = reading_scale(gray, dpi)
    if factor != 1.0:
        # Area averaging to shrink; cubic to enlarge (area is nearest-neighbour there: jagged strokes).
        method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=method)
    gray.flags.writeable = False
    return gray, scaling(factor)


def _on_original(box: Box, cleaned: CleanPage, result: OcrResult, scale: np.ndarray, width: int,
                 height: int) -> Box:
    """A word's box on the image read brought back onto the original: through the turn OCR made, the
    straightening (not an affine map: each column moved its own way), the turn and skew of cleanup and
    the page's scaling to the size of 300 dpi text."""
    if cleaned.column_shift is None:
        return box_on_original(box, result.transform @ cleaned.transform @ scale, width, height)
    on_cleaned = box_on_original(box, result.transform, width, height)
    return box_on_original(unbent_box(on_cleaned, cleaned.column_shift), cleaned.transform @ scale, width, height)


def _read(job: PageJob, outcome: PageOutcome) -> None:
    outcome.provenance = {"settings": job.settings.key(), "luutru": __version__,
                          "read_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    left = _LayerLeft()
    if job.kind is Kind.PDF and not job.settings.force_ocr:
        left = _layer_reading(job, outcome)
        if outcome.text:
            outcome.provenance["engine"] = outcome.source
            return
    doubtful = left.doubtful
    _ocr(job, outcome, left)
    if doubtful and doubtful[1] > vietnamese_score(outcome.text):
        # The earlier OCR, though doubtful, reads better than ours: keep it (it has no word boxes).
        outcome.text, outcome.confidence, outcome.source, outcome.words = doubtful[0], round(100 * doubtful[1], 2), \
            "prior-ocr", []


def process_page(job: PageJob) -> PageOutcome:
    """Read one page. Never raises: a failure comes back as the outcome's one-line error."""
    outcome = PageOutcome(job.file_id, job.page)
    started = time.perf_counter()
    try:
        _read(job, outcome)
    except (ScanError, TesseractError) as error:
        outcome.error = str(error)
    except FileNotFoundError:
        outcome.error = "file vanished during the run"
    except PermissionError:
        outcome.error = "permission denied"
    except Exception as error:  # noqa: BLE001 - one odd page must never stop a batch
        outcome.error = f"unexpected {type(error).__name__}: {error}"
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome


def page_time_limit(settings: OcrSettings) -> float:
    """Seconds after which a page's worker is stopped whatever it is doing: rendering, and every reading
    a page can take (the first, one after each of the INK_CLEANUPS and the GRAIN_CLEANUP, each again as the
    page lies when all were read turned, one after none, one again as one block), with an orientation check
    and the page read turned, each with its own timeout: eleven with two ink cleanups."""
    return 2 * POPPLER_TIMEOUT + (2 * (len(INK_CLEANUPS) + 1) + 5) * settings.timeout


def crashed_page(job: PageJob) -> PageOutcome:
    """The outcome of a page that killed more than one worker (out of memory, a crash, a hang)."""
    return PageOutcome(job.file_id, job.page, error="worker processes died reading it, more than once "
                                                    "(out of memory, a crash, or stuck past the time limit)")
