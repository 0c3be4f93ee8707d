"""pipeline/reading.py and pipeline/tuning.py: the judge every reading goes through, on readings made by hand; the
plan, on a real page read by an engine that answers with recorded Tesseract output; and what a page keeps of how
it was read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, run_luutru
from PIL import Image

from luutru.pipeline.cleanup import CleanPage, clean_page, survey
from luutru.pipeline.ocr import OcrResult
from luutru.pipeline.reading import CANDIDATES, Reading, best_reading, damaged_copy, judge, most_readings
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.tuning import TUNING, Tuning

GOOD_TEXT = ("Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013; xét đề nghị của Phòng Tài nguyên và Môi trường "
             "về việc giao đất cho hộ gia đình ông Nguyễn Văn An tại thửa đất số 245 tờ bản đồ số 12.")


def _reading(text: str, confidence: float, junk: int = 0) -> Reading:
    return Reading(CleanPage(np.full((50, 50), 255, np.uint8)), OcrResult(text, [], confidence, junk=junk), (), 3)


def _never_blank() -> bool:
    return False


def test_a_plausible_confident_reading_that_covers_the_page_is_good():
    verdict = judge(_reading(GOOD_TEXT, 92.0), letters=200, looks_blank=_never_blank)
    assert verdict.good and verdict.reasons == ()


def test_the_judge_says_every_reason_a_reading_is_not_good():
    junk = "ßđ¥ qxz ĸw ŋþ ŀŀ ðð ŧŧ ħħ jjj ƀƀ " * 4
    verdict = judge(_reading(junk, 41.0), letters=2000, looks_blank=_never_blank)
    assert not verdict.good
    read = str(len(junk.replace(" ", "")))
    assert [reason.split()[0] for reason in verdict.reasons] == ["plausible", "confidence", read]
    # A good reading the page's letters say missed most of it.
    missed = judge(_reading(GOOD_TEXT, 92.0), letters=2000, looks_blank=_never_blank)
    assert missed.reasons and "needed" in missed.reasons[0]


def test_a_reading_of_next_to_nothing_is_good_only_on_a_page_that_looks_blank():
    nothing = _reading("", 0.0)
    assert judge(nothing, None, looks_blank=lambda: True).good
    assert not judge(nothing, None, looks_blank=_never_blank).good


def test_a_candidate_may_ask_more_of_a_reading_than_the_judge_does():
    left_out = judge(_reading(GOOD_TEXT, 92.0, junk=TUNING.max_first_junk), 200, _never_blank,
                     max_junk=TUNING.max_first_junk)
    assert left_out.reasons and "junk" in left_out.reasons[0]
    dropped = judge(_reading(GOOD_TEXT, 92.0), 200, _never_blank, plausible_needed=2 * len(GOOD_TEXT))
    assert dropped.reasons and "plausible characters" in dropped.reasons[0]


def test_thresholds_come_from_the_tuning_the_judge_is_given():
    unsure = _reading(GOOD_TEXT, 70.0)
    assert not judge(unsure, 200, _never_blank).good
    assert judge(unsure, 200, _never_blank, tuning=replace(TUNING, good_confidence=60.0)).good


def test_the_tuning_is_in_the_settings_key_and_a_change_of_any_threshold_changes_it():
    assert f"tuning-{TUNING.digest()}" in OcrSettings().key()
    assert Tuning().digest() == TUNING.digest()
    assert replace(TUNING, layer_covers=0.55).digest() != TUNING.digest()


def test_the_policy_table_bounds_the_readings_of_a_page():
    """The time a page may take is made of the table's readings (pipeline.work.page_time_limit), never a count
    copied by hand: the first, one per other cleanup and each again as the page lies, one without cleanup, one
    again as one block."""
    cleanups = [candidate for candidate in CANDIDATES if candidate.steps]
    assert most_readings() == 3 + 2 * len(cleanups)
    assert len({candidate.name for candidate in CANDIDATES}) == len(CANDIDATES)


@pytest.mark.slow
def test_show_verbose_tells_how_each_page_was_read(one_scan):
    home = one_scan["home"]
    run_luutru(home, "ingest", str(one_scan["scans"]))
    shown = run_luutru(home, "show", "1", "--verbose").stdout
    assert "reading 1, first (psm 3): good" in shown
    assert f"tuning {TUNING.digest()}" in shown and "read by engine " in shown
    assert "reading 1" not in run_luutru(home, "show", "1").stdout


class RecordedTesseract:
    """An engine that answers each reading, in turn, with what the real Tesseract gave on the sample letter
    (tests/data/tesseract: its first cleanup read as it lies, and upside down), and is sure of no turn."""

    name = "recorded"

    def __init__(self, *answers: str) -> None:
        self.answers, self.asked = list(answers), []

    def tsv(self, page: np.ndarray, language: str, psm: int, timeout: float) -> str:
        self.asked.append(psm)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return (RECORDED / f"{answer}.tsv").read_text(encoding="utf-8")

    def orientation(self, page: np.ndarray, timeout: float) -> tuple[int, float]:
        return 0, 0.0


RECORDED = Path(__file__).parent / "data" / "tesseract"
LETTER = SAMPLES / "2023" / "cv-45-ra-soat.png"


def plan_of(tesseract: RecordedTesseract) -> tuple[Reading, int, list[dict]]:
    """The reading the policy keeps of the sample letter, its readings made by `tesseract`."""
    gray = np.asarray(Image.open(LETTER).convert("L"))
    first = clean_page(gray)
    found = survey(first.pixels)
    return best_reading(gray, OcrSettings(), first, found, damaged_copy(first, found), tesseract)


def test_a_page_whose_first_reading_is_good_is_read_once():
    tesseract = RecordedTesseract("letter")
    best, made, trace = plan_of(tesseract)
    assert (made, len(tesseract.asked)) == (1, 1)
    assert [step["verdict"] for step in trace] == ["good"] and best.name == CANDIDATES[0].name
    assert best.result.text.startswith("ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT")


def test_a_reading_not_good_is_read_again_after_the_next_cleanup_and_the_first_good_one_kept():
    tesseract = RecordedTesseract("letter-upside-down", "letter")
    best, made, trace = plan_of(tesseract)
    assert made == 2 and [step["verdict"] for step in trace] == ["not good", "good"]
    assert any(reason.startswith("plausible Vietnamese 0.25") for reason in trace[0]["why"])
    assert trace[1]["reading"] == best.name != trace[0]["reading"]
    assert best.result.text.startswith("ỦY BAN NHÂN DÂN")


def test_a_page_no_reading_reads_well_keeps_the_least_bad_after_every_candidate_that_applies():
    tesseract = RecordedTesseract("letter-upside-down")
    best, made, trace = plan_of(tesseract)
    verdicts = [step["verdict"] for step in trace]
    assert verdicts.count("least bad") == 1 and "good" not in verdicts
    refused = [step["reading"] for step in trace if step["verdict"] == "not good"]
    assert len(refused) == len(set(refused)) >= 2  # each candidate read once
    assert made == len(tesseract.asked) <= most_readings()
    assert best.result.confidence < TUNING.good_confidence
