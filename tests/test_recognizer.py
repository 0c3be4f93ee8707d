"""pipeline/recognizer.py: the second recognizer, AsterOCR's real network, on lines real Tesseract read."""

import random
from dataclasses import replace

import numpy as np
import pytest
from conftest import SAMPLES, char_error_rate
from PIL import Image, ImageDraw, ImageFont

from luutru.pipeline.layout import word_lines
from luutru.pipeline.ocr import OcrResult, Word, limit_threads, ocr_image, reordered
from luutru.pipeline.quality import reading_score
from luutru.pipeline.recognizer import (
    AsterReader,
    RecognizerError,
    line_reader,
    misread_runs,
    with_misread_words_read_again,
)
from luutru.pipeline.settings import OcrSettings
from luutru.pipeline.work import PageJob, process_page
from luutru.scanners import Kind
from samples.damage import low_ink_and_drum

pytestmark = pytest.mark.ocr

LINES = ["Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
         "Điều 1. Giao 120 m2 đất ở tại thửa đất số 217, tờ bản đồ số 12"]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    limit_threads()


class Counting:
    """The real reader, counting the lines it is given."""

    def __init__(self) -> None:
        self.reader, self.lines = line_reader("asterocr"), 0
        self.name, self.fingerprint = self.reader.name, self.reader.fingerprint

    def read_line(self, line: np.ndarray) -> str:
        self.lines += 1
        return self.reader.read_line(line)


def page_of(lines: list[str], size: int = 40) -> np.ndarray:
    """Lines of text drawn as a 300 dpi scan draws 12-point type."""
    font = ImageFont.truetype(FONT, size)
    image = Image.new("L", (120 + round(max(map(font.getlength, lines))), 120 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((60, 60 + 90 * number), line, font=font, fill=0)
    return np.array(image)


def misread(result: OcrResult, number: int, texts: list[str]) -> OcrResult:
    """Tesseract's reading with line `number` misread as `texts` at a low confidence, its boxes kept."""
    lines = word_lines(result.text, result.words)
    lines[number] = [Word(text, 55.0, word.box) for text, word in zip(texts, lines[number], strict=True)]
    return reordered(result, lines)


def test_misread_words_are_read_again_and_words_that_could_be_vietnamese_never():
    page = page_of(LINES)
    tesseract = ocr_image(page)
    assert [line.strip() for line in tesseract.text.splitlines()] == LINES  # the test's premise: Tesseract reads it
    garbled = misread(tesseract, 1, "Điều 1. GiaAc 120 m2 đẤt ở tại thửa đẤt %ốế 217, tờ bản đồ số 12".split())
    assert misread_runs(word_lines(garbled.text, garbled.words)[1]) == [(2, 3), (4, 6), (9, 11)]  # m2 is no word either
    reader = Counting()
    result, changed = with_misread_words_read_again(garbled, page, reader)
    assert (reader.lines, changed) == (3, 3)  # the first line, all Vietnamese, is never read again
    first, second = result.text.splitlines()
    assert first == LINES[0] and second == LINES[1]
    left, top, width, height = tesseract.lines[1]
    for word in word_lines(result.text, result.words)[1]:
        assert left <= word.box[0] and word.box[0] + word.box[2] <= left + width + 1
        assert abs(word.box[1] - top) <= height


def test_a_word_that_lost_its_tone_mark_is_read_again():
    """'Luật' read 'Luât': a syllable closed by t takes only the sắc or nặng tone, so Tesseract lost a mark."""
    page = page_of(LINES[:1])
    garbled = misread(ocr_image(page), 0, "Căn cứ Luât Đât đai ngày 18 tháng 01 năm 2024;".split())
    assert misread_runs(word_lines(garbled.text, garbled.words)[0]) == [(2, 4)]
    result, changed = with_misread_words_read_again(garbled, page, Counting())
    assert changed == 1 and result.text.strip() == LINES[0]


class Junk:
    name, fingerprint = "junk", "0"

    def __init__(self) -> None:
        self.lines = 0

    def read_line(self, line: np.ndarray) -> str:
        self.lines += 1
        return "#@ ~~"


def test_a_reading_that_scores_no_better_is_left_and_a_vietnamese_line_is_never_read():
    page = page_of(LINES[:1])
    tesseract, reader = ocr_image(page), Junk()
    result, changed = with_misread_words_read_again(tesseract, page, reader)
    assert (result, changed, reader.lines) == (tesseract, 0, 0)
    garbled = misread(tesseract, 0, ["C&n", *LINES[0].split()[1:]])
    result, changed = with_misread_words_read_again(garbled, page, reader)
    assert result is garbled and (changed, reader.lines) == (0, 1)


def test_a_run_too_long_for_the_network_is_read_in_parts():
    line = " ".join(LINES + LINES)  # some 4 000 pixels at this size, the network takes 1 024 at 32 high
    page = page_of([line], size=36)
    tesseract = ocr_image(page)
    words = tesseract.text.split()
    assert len(words) == len(line.split())
    garbled = misread(tesseract, 0, [f"{word}|" for word in words])
    reader = Counting()
    result, changed = with_misread_words_read_again(garbled, page, reader)
    assert changed == 1 and reader.lines >= 4
    assert char_error_rate(line, result.text) < 0.05


def test_another_model_is_refused(tmp_path, monkeypatch):
    assets = tmp_path / "asterocr" / "assets"
    assets.mkdir(parents=True)
    (assets / "asternet.onnx").write_bytes(b"not the model")
    (assets / "vocab.json").write_text('{"chars": ["<blank>"]}')
    (assets.parent / "__init__.py").write_text("raise ImportError(\"never imported\")")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RecognizerError, match="asternet.onnx: not the AsterOCR model"):
        AsterReader()


def test_the_line_reader_is_part_of_the_settings_key():
    assert OcrSettings().key() != OcrSettings(line_reader="none").key()


@pytest.mark.slow
def test_a_drum_damaged_scan_reads_no_worse_and_says_who_read_its_lines(tmp_path):
    path = tmp_path / "drum.png"
    low_ink_and_drum(Image.open(SAMPLES / "2023" / "qd-123-giao-dat.jpg").convert("RGB"), random.Random(3)).save(path)
    job = PageJob(1, str(path), Kind.PNG, 1)
    both, alone = process_page(job), process_page(replace(job, settings=OcrSettings(line_reader="none")))
    assert both.error is None and alone.error is None
    again = both.provenance["words_read_again"]
    assert again == {"engine": "asterocr", "model": line_reader("asterocr").fingerprint,
                     "runs": both.diagnostics["words_read_again"]}
    assert again["runs"] > 0 and "words_read_again" not in alone.provenance
    assert reading_score(both.text) > reading_score(alone.text)
