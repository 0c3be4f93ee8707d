"""The reading policy: which cleanups a page is read after, in which order, and which reading it keeps.

The policy is a table (CANDIDATES): each candidate reading is a cleanup and the condition under which it is
read. A page is read as the table says, in order; every reading goes through one judge (`judge`: plausible
Vietnamese, Tesseract's confidence, the page's letters covered), the first good one wins, else the least bad
(`least_bad`: the best score of those that do not miss much). The reading kept is read again as one block
when Tesseract dropped paragraphs or read the page in slices (`read_whole`). Each page keeps the trace of its
readings, (candidate, verdict, reasons), which `luutru show --verbose` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from luutru.pipeline.cleanup import CleanPage, InkSurvey, Lie, clean_page, letter_centres, letter_pieces
from luutru.pipeline.geometry import box_on_original
from luutru.pipeline.ocr import OcrResult, lines_gone_back, ocr_image
from luutru.pipeline.quality import plausible_characters, reading_quality, reading_score
from luutru.pipeline.settings import DEFAULT_PSM, DEFAULT_STEPS, OcrSettings
from luutru.pipeline.tesseract import Engine
from luutru.pipeline.tuning import TUNING, Tuning

# The ink cleanups: speckle removed (or grain too dense for a median smoothed away) before the paper's light
# is measured (measured on grain, it is the grain's brightest), then only the darkest ink kept (a copier's
# grain and drum streaks go with the grey between ink and paper: cleanup.darkest), and strokes that low-ink
# lines broke across joined again (cleanup.mend: a drum's pages 0.24 -> 0.21). The median comes first: it
# read better more often on damaged pages. GRAIN_CLEANUP, a wide median after the smoothing, is for a faint
# copy under grain so dense that the others leave it in clumps Tesseract reads nothing from (worse on other
# pages: copier pages 0.164 -> 0.191 read after it alone; and the cleaning costs a drum page 0.3 s for nothing).
INK_CLEANUPS = (("denoise", "flatten", "deskew", "straighten", "darkest", "despeckle", "destreak", "mend"),
                ("smooth", "flatten", "deskew", "straighten", "darkest", "despeckle", "destreak", "mend"))
GRAIN_CLEANUP = ("smooth", "denoise_wide", "flatten", "deskew", "straighten", "darkest", "despeckle", "destreak",
                 "mend")
# The page as plain Tesseract sees it (but for red and blue ink, and a frame: `drop_frames`), so that cleanup never
# makes a page read worse.
AS_SCANNED = ("drop_frames",)
ONE_BLOCK_PSM = 6  # Tesseract's page segmentation mode for one block of text


@dataclass
class Reading:
    cleaned: CleanPage
    result: OcrResult
    steps: tuple[str, ...]  # the cleanup
    psm: int  # Tesseract's page segmentation mode
    letters: np.ndarray | None = None  # centres of the letter-sized pieces of ink on the cleaned page
    name: str = ""  # the candidate read (CANDIDATES)

    @property
    def turn(self) -> int:
        """Degrees the page was turned clockwise to read it: every other reading of it takes the same."""
        return self.result.rotated

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


@dataclass(frozen=True)
class Verdict:
    """A reading judged: good when nothing speaks against it (`reasons`, in words, for the page's trace)."""
    reasons: tuple[str, ...] = ()

    @property
    def good(self) -> bool:
        return not self.reasons


def judge(reading: Reading, letters: int | None, looks_blank: Callable[[], bool], max_junk: int | None = None,
          plausible_needed: float = 0, tuning: Tuning = TUNING) -> Verdict:
    """The one judge of every reading: plausible Vietnamese, read with confidence, covering the page's `letters`
    (default: its own cleaned page's); next to nothing is good only where the page `looks_blank`. A candidate may
    ask for under `max_junk` characters of junk lines and `plausible_needed` plausible ones. Thresholds: `tuning`."""
    result, reasons = reading.result, []
    quality = reading_quality(result.text)
    if quality is None:
        if not looks_blank():
            reasons.append("next to nothing read, on a page with letters")
    else:
        if quality < tuning.good_reading:
            reasons.append(f"plausible Vietnamese {quality:.2f} < {tuning.good_reading}")
        if result.confidence < tuning.good_confidence:
            reasons.append(f"confidence {result.confidence:.0f} < {tuning.good_confidence:.0f}")
        needed = tuning.min_coverage * (letters or reading.counted_pieces())
        if (read := _characters(result.text)) < needed:
            reasons.append(f"{read} characters read for {needed:.0f} needed (the page's letters)")
    if max_junk is not None and result.junk >= max_junk:
        reasons.append(f"{result.junk} characters of junk lines >= {max_junk}")
    if (plausible := plausible_characters(result.text)) < plausible_needed:
        reasons.append(f"{plausible} plausible characters, under {plausible_needed:.0f} (of the cleaned readings')")
    return Verdict(tuple(reasons))


@dataclass(frozen=True)
class Candidate:
    """One reading the policy may make of a page."""
    name: str
    steps: tuple[str, ...] | None  # the cleanup; None: the settings' own (DEFAULT_STEPS)
    when: str  # when it is read, in words
    applies: Callable[[Plan], bool]
    # Cleaned with the other such candidates before any of them is read (cleaning is cheap, reading is not),
    # when this says so: they are judged against the most letters one of them kept.
    with_others: Callable[[Plan], bool] = lambda plan: False
    # `judge` holds it to TUNING.max_first_junk characters of junk lines (read when judged, so that an ablation's
    # value holds)
    limits_junk: bool = False
    nearly_all: bool = False  # must read TUNING.nearly_all of the plausible text the readings before it read
    # Tesseract is asked which way the page looks turned before, not after, a reading of it upside down, when the
    # first cleanup's survey found it upside down.
    asks_turn: bool = False
    judged: bool = True  # False: read only to be among the least bad


def _undamaged(plan: Plan) -> bool:
    return not plan.damage


def _grain(plan: Plan) -> bool:
    return "grain" in plan.damage


# The policy. A damaged copy (`_damaged_copy`: grain, streaks, specks) goes to the ink cleanups at once, and its
# settings' cleanup is read last, only to be among the least bad; a page every reading read turned, none well,
# is read as it lies too: a copier's grain can line up down a page, which is then taken for one on its side.
CANDIDATES = (
    Candidate("first", None, "not a damaged copy", _undamaged, limits_junk=True, asks_turn=True),
    Candidate("median", INK_CLEANUPS[0], "the first reading was not good", lambda plan: True,
              with_others=lambda plan: True),
    Candidate("smoothed", INK_CLEANUPS[1], "under a copier's grain, or not a damaged copy",
              lambda plan: _grain(plan) or _undamaged(plan), with_others=lambda plan: True),
    Candidate("grain", GRAIN_CLEANUP, "under a copier's grain; or one of the ink cleanups found grain, or none of "
              "their readings read TUNING.min_coverage of the page's letters",
              lambda plan: _grain(plan) or plan.grain_found or plan.missed_text(), with_others=_grain),
    Candidate("plain", AS_SCANNED, "no cleanup read well", lambda plan: True, nearly_all=True),
    Candidate("first, last", None, "a damaged copy (under grain: only when every other lost the letters)",
              lambda plan: bool(plan.damage) and (not _grain(plan) or not plan.readings), judged=False),
    Candidate("as it lies", None, "every reading was of the page turned, none good", lambda plan: bool(plan.turn)),
)


def most_readings() -> int:
    """The most readings the policy makes of a page: the first (or, for a damaged copy, the first read last), one
    after each other cleanup and each again as the page lies, one without cleanup, one again as one block."""
    others = [candidate for candidate in CANDIDATES if candidate.steps]
    return 1 + 2 * len(others) + 1 + 1


def looks_blank(gray: np.ndarray, found: InkSurvey) -> bool:
    """Next to no letters on the page after its first cleanup (`found`) nor as scanned (`gray`): a cleanup that
    lost every letter (a threshold that turned the page white) must not make a page look blank, nor a threshold
    of the page as scanned that took a faded copy's few black specks for its only ink."""
    return len(found.letters) < TUNING.min_pieces_to_judge and letter_pieces(gray) < TUNING.min_pieces_to_judge


def _characters(text: str) -> int:
    return sum(not character.isspace() for character in text)


def psm_for(cleaned: CleanPage, settings: OcrSettings) -> int:
    """Tesseract's page segmentation mode for the page: a streaked page (cleanup.destreak) is read as one
    block of text, unless the settings ask for another mode than the default."""
    return ONE_BLOCK_PSM if cleaned.facts.streaks and settings.psm == DEFAULT_PSM else settings.psm


def read_cleaned(cleaned: CleanPage, settings: OcrSettings, steps: tuple[str, ...], turn: int | None = None,
                 letters: np.ndarray | None = None, psm: int | None = None, upside_down: bool = False,
                 name: str = "", tesseract: Engine | None = None) -> Reading:
    """The cleaned page read, turned `turn` degrees (None: as OCR finds), by `tesseract` (default: the settings')."""
    psm = psm or psm_for(cleaned, settings)
    result = ocr_image(cleaned.pixels, settings.language, psm, settings.timeout, engine_name=settings.engine,
                       turn_suspected=upside_down or cleaned.facts.sideways, turn=turn, tesseract=tesseract)
    return Reading(cleaned, result, steps, psm, letters, name)


def usable_letters(cleaned: CleanPage) -> np.ndarray | None:
    """The centres of the letters on a page cleaned again; None when that cleanup lost them or left a copier's
    grain over them (Tesseract can spend a minute on specks, and reads nothing)."""
    if cleaned.facts.grain:
        return None
    letters = letter_centres(cleaned.pixels)
    return letters if len(letters) >= TUNING.min_pieces_to_judge else None


# A cleanup's candidate, the page after it, and the centres of its letter-sized pieces of ink.
Cleanup = tuple[Candidate, CleanPage, np.ndarray]


@dataclass
class Plan:
    """One page's readings so far, what they found, and the trace of their verdicts."""
    gray: np.ndarray  # the page at reading size, before any cleanup
    settings: OcrSettings
    cleaned: CleanPage  # after the settings' cleanup: the other cleanups take the page's lie from it
    found: InkSurvey  # its ink
    damage: list[str]  # what makes it a damaged copy (`damaged_copy`)
    readings: list[Reading] = field(default_factory=list)
    turn: int | None = None  # None: not known yet
    letters: int | None = None  # the most letter-sized pieces of ink one of the other cleanups kept
    grain_found: bool = False  # one of the other cleanups found a copier's grain
    cleanups: list[Cleanup] = field(default_factory=list)  # the other cleanups made so far, and kept
    cleaned_together: bool = False
    trace: list[dict] = field(default_factory=list)
    tesseract: Engine | None = None  # None: the settings' engine

    def looks_blank(self) -> bool:
        return looks_blank(self.gray, self.found)

    def missed_text(self) -> bool:
        """The other cleanups were read, and none of their readings read TUNING.min_coverage of the page's letters."""
        read = {candidate.name for candidate, _, _ in self.cleanups}
        readings = [reading for reading in self.readings if reading.name in read]
        return bool(self.cleanups) and all(_characters(reading.result.text) < TUNING.min_coverage * self.letters
                                           for reading in readings)

    def verdict(self, candidate: Candidate, reading: Reading) -> Verdict:
        before = [earlier for earlier in self.readings if earlier is not reading]
        most = max((plausible_characters(earlier.result.text) for earlier in before), default=0)
        return judge(reading, self.letters, self.looks_blank, TUNING.max_first_junk if candidate.limits_junk else None,
                     TUNING.nearly_all * most if candidate.nearly_all else 0)

    def note(self, reading: Reading, verdict: str, reasons: tuple[str, ...] = ()) -> None:
        turn = {"turn": reading.turn} if reading.turn else {}
        why = {"why": list(reasons)} if reasons else {}
        self.trace.append({"reading": reading.name, "psm": reading.psm, **turn, "verdict": verdict, **why})

    def clean_together(self) -> None:
        """The page after each candidate cleaned with the others that applies, but those that lost its letters or
        left a copier's grain on it (`without_grain_left`); notes whether one found grain, and the most letters one
        kept, which every reading after them must cover."""
        self.cleaned_together = True
        together = [candidate for candidate in CANDIDATES if candidate.with_others(self) and candidate.applies(self)]
        pages = [(candidate, clean_page(self.gray, candidate.steps, Lie.of(self.cleaned))) for candidate in together]
        self.grain_found = any(page.facts.grain for _, page in pages)
        self.cleanups = without_grain_left([(candidate, page, centres) for candidate, page in pages
                                             if (centres := usable_letters(page)) is not None])
        self.letters = max((len(centres) for _, _, centres in self.cleanups), default=None)

    def readings_of(self, candidate: Candidate) -> Iterator[Reading]:
        """The readings a candidate makes (none when its cleanup lost the page's letters)."""
        if candidate.name == "as it lies":
            yield from self._as_it_lies()
        elif candidate.steps is None:
            yield read_cleaned(self.cleaned, self.settings, self.settings.cleanup, self.turn, self.found.letters,
                               upside_down=candidate.asks_turn and self.found.upside_down, name=candidate.name,
                               tesseract=self.tesseract)
        elif candidate.steps == AS_SCANNED:
            cleaned = clean_page(self.gray, AS_SCANNED)
            if (letters := usable_letters(cleaned)) is not None:
                yield read_cleaned(cleaned, self.settings, AS_SCANNED, self.turn, letters, name=candidate.name,
                                   tesseract=self.tesseract)
        else:
            yield from self._read_cleanup(candidate)

    def _read_cleanup(self, candidate: Candidate) -> Iterator[Reading]:
        if candidate.with_others(self) and not self.cleaned_together:
            self.clean_together()
        kept = [cleanup for cleanup in self.cleanups if cleanup[0] is candidate]
        if not kept and not candidate.with_others(self):  # cleaned on its own, after the others
            page = clean_page(self.gray, candidate.steps, Lie.of(self.cleaned))
            if (centres := usable_letters(page)) is None:
                return
            kept = [(candidate, page, centres)]
            self.cleanups += kept
        for _, page, centres in kept:
            yield read_cleaned(page, self.settings, candidate.steps, self.turn, centres, name=candidate.name,
                               tesseract=self.tesseract)

    def _as_it_lies(self) -> Iterator[Reading]:
        """Every reading was of the page turned, and none reads well: the turn, found on a damaged page, may be the
        damage's. The other cleanups are read as the page lies, in turn (or, when every one lost the letters, the
        least bad reading's cleanup)."""
        cleanups = [(page, candidate.steps, centres) for candidate, page, centres in self.cleanups]
        if not cleanups:
            worst = least_bad(self.readings)
            cleanups = [(worst.cleaned, worst.steps, worst.letters)]
        self.turn = 0
        for page, steps, centres in cleanups:
            yield read_cleaned(page, self.settings, steps, 0, centres, name="as it lies", tesseract=self.tesseract)


def best_reading(gray: np.ndarray, settings: OcrSettings, cleaned: CleanPage, found: InkSurvey,
                 damage: list[str], tesseract: Engine | None = None) -> tuple[Reading, int, list[dict]]:
    """The page's reading as CANDIDATES has it (the first good one, else the least bad, then `read_whole`), how many
    readings were made and their trace. Settings that ask for another cleanup are read after it once. `tesseract`
    reads every reading (default: the settings' engine)."""
    if settings.cleanup != DEFAULT_STEPS:
        return read_cleaned(cleaned, settings, settings.cleanup, name="settings", tesseract=tesseract), 1, []
    plan = Plan(gray, settings, cleaned, found, damage, tesseract=tesseract)
    for candidate in CANDIDATES:
        if not candidate.applies(plan):
            continue
        for reading in plan.readings_of(candidate):
            plan.readings.append(reading)
            if not candidate.judged:
                plan.note(reading, "kept to compare")
                continue
            verdict = plan.verdict(candidate, reading)
            plan.note(reading, "good" if verdict.good else "not good", verdict.reasons)
            if verdict.good:
                return read_whole(reading, plan, lambda again: judge(again, None, plan.looks_blank).good)
            if candidate.steps != AS_SCANNED:  # the page as scanned can look turned for its grain
                plan.turn = reading.turn
    worst = least_bad(plan.readings)
    plan.note(worst, "least bad")
    return read_whole(worst, plan, lambda again: reading_score(again.result.text) >= reading_score(worst.result.text))


def read_whole(reading: Reading, plan: Plan, good_enough: Callable[[Reading], bool]) -> tuple[Reading, int, list[dict]]:
    """A reading, or the page read again as one block where that is `good_enough` and reads clearly more of it or in
    better order, when Tesseract's layout left many letters outside every word or read the page in slices; with how
    many readings were made in all, and their trace. A mode the settings ask for is kept."""
    # Layout drops paragraphs beside a rule or between streaks, and takes a drum's dots or a white gutter for the
    # edges of columns.
    settings, made = plan.settings, len(plan.readings)
    if settings.psm != DEFAULT_PSM or reading.psm == ONE_BLOCK_PSM:
        return reading, made, plan.trace
    read, back = reading.ink_read(), lines_gone_back(reading.result)
    # Only the settings' cleanup leaves a page nothing but its letters: the page as scanned, and a damaged copy after
    # the other cleanups, hold letter-sized pieces that are no letters (a copier's grain, stains, a drum's clumps of
    # dots), and what its words leave out of them tells nothing of dropped paragraphs (Tesseract is slow on grain as
    # one block; on 22 tuned drum and copier pages read again so, one block read better once, worse once).
    dropped = read < TUNING.min_ink_read and reading.steps == settings.cleanup
    if not dropped and back < TUNING.max_lines_back:
        return reading, made, plan.trace
    again = read_cleaned(reading.cleaned, settings, reading.steps, reading.turn, reading.letters, ONE_BLOCK_PSM,
                         name=f"{reading.name}, one block", tesseract=plan.tesseract)
    read_again = again.ink_read()
    more = read_again >= read + TUNING.ink_read_gain
    in_order = (back >= TUNING.max_lines_back and lines_gone_back(again.result) < back
                and read_again >= read - TUNING.ink_read_gain)
    kept = (more or in_order) and good_enough(again)
    plan.note(again, "kept" if kept else "not kept",
              () if kept else (f"ink read {read_again:.2f} against {read:.2f}, lines gone back "
                               f"{lines_gone_back(again.result):.0f} against {back:.0f}",))
    return (again if kept else reading), made + 1, plan.trace


def without_grain_left(cleanups: list[Cleanup]) -> list[Cleanup]:
    """The cleanups of a page (three or more: under grain) but those that left a copier's grain on it in clumps of
    a letter's size: TUNING.grain_left times the letter-sized pieces the median cleanup kept."""
    # Read, such a page costs Tesseract seconds for junk, and its clumps, taken for letters, made every other
    # reading look as if it missed most of the page.
    if len(cleanups) < 3:
        return cleanups
    median = np.median([len(centres) for _, _, centres in cleanups])
    return [cleanup for cleanup in cleanups if len(cleanup[2]) <= TUNING.grain_left * median]


def damaged_copy(cleaned: CleanPage, found: InkSurvey) -> list[str]:
    """What makes a page a damaged copy, which the ink cleanups read better than the settings' cleanup: a copier's
    grain over it, a worn drum's streaks down or across it, more specks than letters left after the cleanup."""
    # Tesseract sees a picture in grain, and slowly; the grey of streaks is kept and letters are broken across
    # (`darkest` thresholds the lines under streaks across below the streaks' dots); a drum's dots and sparse
    # grain leave specks, where clean pages of every kind leave next to none.
    damage = [damage for damage in ("grain", "streaks", "streaks_across") if getattr(cleaned.facts, damage)]
    letters = len(found.letters)
    if letters >= TUNING.min_pieces_to_judge and found.specks > TUNING.specks_per_letter * letters:
        damage.append("specks")
    return damage


def least_bad(readings: list[Reading]) -> Reading:
    """Of readings none of which reads well, the one with the best score (its plausible text less the
    rest, pipeline.quality.reading_score) of those that do not miss much of what another found."""
    longest = max(_characters(reading.result.text) for reading in readings)
    full = [reading for reading in readings if _characters(reading.result.text) >= TUNING.min_coverage * longest]
    return max(full, key=lambda reading: reading_score(reading.result.text))


def unreadable(result: OcrResult, quality: float | None) -> bool:
    """A best reading that is still mostly junk (its `reading_quality`), or junk and next to nothing else
    (ocr.is_junk)."""
    if quality is None:
        return result.junk >= TUNING.junk_page_characters
    return quality < TUNING.unreadable
