"""The header's and the signature area's two columns read column by column (pipeline.columns)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from luutru.pipeline import columns
from luutru.pipeline.ocr import TSV_COLUMNS, Word, is_junk, ocr_image
from samples.documents import ALL_DOCUMENTS
from samples.make_samples import render

HEIGHT = 50  # a word's height in pixels, about 11-point type at 300 dpi


def line(top: int, *pieces: tuple[int, str]) -> list[Word]:
    """A line of words at `top`: each piece is (left, words), its words 20 pixels apart."""
    words = []
    for left, text in pieces:
        for word in text.split():
            width = 30 * len(word)
            words.append(Word(word, 90.0, (left, top, width, HEIGHT)))
            left += width + 20
    return words


def in_reading_order(lines: list[list[Word]]) -> list[list[Word]]:
    return columns.in_reading_order(lines, is_text=lambda part: not is_junk(part))


def texts(lines: list[list[Word]]) -> list[str]:
    return [" ".join(word.text for word in words) for words in lines]


BODY = [line(1000 + 70 * row, (350, "dòng thân văn bản rất dài chạy suốt bề ngang trang giấy hết")) for row in range(3)]


def test_the_header_is_read_left_column_then_right_column():
    """Tesseract's lines across both columns become the agency, number and subject, then the motto,
    place and date; the body below stays as read."""
    header = [line(230, (450, "ỦY BAN NHÂN DÂN"), (1080, "CỘNG HÒA XÃ HỘI")),
              line(300, (450, "HUYỆN THẠCH THẤT"), (1300, "Độc lập Tự do")),
              line(420, (480, "Số: 123/QĐ-UBND"), (1400, "Hà Nội, ngày 30 tháng 4")),
              line(510, (400, "V/v giao đất ở")),
              line(570, (420, "cho hộ gia đình"))]
    assert texts(in_reading_order(header + BODY)) == [
        "ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT", "Số: 123/QĐ-UBND", "V/v giao đất ở", "cho hộ gia đình",
        "CỘNG HÒA XÃ HỘI", "Độc lập Tự do", "Hà Nội, ngày 30 tháng 4", *texts(BODY)]


def test_the_signature_area_reads_the_recipients_then_the_signer():
    signature = [line(2000, (360, "Nơi nhận:"), (1400, "GIÁM ĐỐC")),
                 line(2070, (360, "- Như trên;")),
                 line(2130, (360, "- Lưu: VT.")),
                 line(2190, (1500, "Nguyễn Văn A"))]
    assert texts(in_reading_order(BODY + signature))[3:] == [
        "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC", "Nguyễn Văn A"]


@pytest.mark.parametrize("lines", [
    BODY,
    # A form's blank for a handwritten value, between lines that cross the page: one row, no columns.
    [BODY[0], line(1070, (350, "Lô đất có diện tích là:"), (1200, "Tám mươi hai mét vuông")), BODY[2]],
    # A centred title under a wide row: it crosses the gutter, so it is not taken into a column.
    [line(500, (400, "Số: 12/BC"), (1400, "Hà Nội, ngày 3")), line(580, (700, "BÁO CÁO KẾT QUẢ CÔNG TÁC NĂM"))],
    # A white band down the whole page (a binding, a drum's streak) parts every line and none crosses it.
    [line(1000 + 70 * row, (350, "nửa trái của dòng"), (1300, "nửa phải của dòng")) for row in range(6)],
    # Ink a dirty drum left out of a line, near the text's right edge, above a short last line.
    [*BODY, line(1210, (350, "diện tích còn lại của thửa đất số tám bảy"), (1900, "mục")),
     line(1280, (350, "đích sử dụng"))],
], ids=["paragraph", "form blank", "title", "band down the page", "gap near the edge"])
def test_lines_not_in_two_columns_stay_as_read(lines):
    assert texts(in_reading_order(lines)) == texts(lines)


@pytest.mark.ocr
def test_a_rendered_decree_30_page_is_read_column_by_column():
    """On a page laid out per Decree 30 and read by the real Tesseract, the number comes before the motto
    and the place and date after it, not interleaved with the agency's lines."""
    page, _, _ = render(ALL_DOCUMENTS[0].pages[0], "times")
    text = ocr_image(np.asarray(page.convert("L"))).text
    at = {name: text.find(start) for name, start in
          (("agency", "ỦY BAN"), ("number", "Số:"), ("motto", "CỘNG HÒA"), ("date", "Thạch Thất,"))}
    assert 0 <= at["agency"] < at["number"] < at["motto"] < at["date"], text[:300]


class Recorded:
    """An OCR engine that answers with the lines it was given, as Tesseract's TSV (a line each)."""

    name = "recorded"

    def __init__(self, lines: list[list[Word]]) -> None:
        self.lines = lines

    def tsv(self, page, language, psm, timeout) -> str:
        rows = ["\t".join(TSV_COLUMNS)]
        for number, words in enumerate(self.lines, 1):
            rows += ["\t".join(map(str, (5, 1, number, 1, 1, index, *word.box, word.confidence, word.text)))
                     for index, word in enumerate(words, 1)]
        return "\n".join(rows)

    def orientation(self, page, timeout) -> tuple[int, float]:
        return 0, 0.0


def unsure(words: list[Word], confidence: float) -> list[Word]:
    return [replace(word, confidence=confidence) for word in words]


def test_a_column_read_as_text_is_kept_from_a_line_of_junk_beside_it():
    """The header's third line ("THỰC PHẨM", read surely) and the rule under the motto beside it, read as letters
    at confidence 0, make one line that is junk as a whole: the agency's line is kept, in its column, and the rule's
    letters are not. A drum's line of dots read as short syllables with a gap in it stays out, though its parts
    pass for syllables: a part of a junk line is kept only read surely."""
    header = [line(230, (450, "SỞ Y TẾ HẬU GIANG"), (1250, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA")),
              line(300, (450, "CHI CỤC AN TOÀN VỆ SINH"), (1300, "Độc lập Tự do Hạnh phúc")),
              [*line(370, (500, "THỰC PHẨM")), *unsure(line(370, (1350, "A“_ TƯNỶNN Tan")), 0.0)]]
    dots = unsure(line(2000, (350, "và ca sẻ xo ấy cô"), (1500, "‡ # .. & 2h ` W- §§ ¤¤")), 35.0)
    text = ocr_image(np.full((3000, 2400), 255, np.uint8), tesseract=Recorded(header + BODY + [dots])).text
    assert text.splitlines()[:6] == ["SỞ Y TẾ HẬU GIANG", "CHI CỤC AN TOÀN VỆ SINH", "THỰC PHẨM",
                                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "Độc lập Tự do Hạnh phúc", texts(BODY)[0]]
    assert "TƯNỶNN" not in text and "sẻ" not in text
