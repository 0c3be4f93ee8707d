"""Tables read row by row and stamps read last (pipeline.ruled): found by their rules."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw

from luutru.pipeline.ocr import Word
from luutru.pipeline.ruled import Ruled, in_ruled_order, ruled_boxes
from luutru.pipeline.work import PageJob, process_page
from luutru.scanners import Kind
from samples.make_samples import A4, font, wrap

HEIGHT = 50  # a word's height in pixels, about 11-point type at 300 dpi


def word(text: str, left: int, top: int) -> Word:
    return Word(text, 90.0, (left, top, 30 * len(text), HEIGHT))


def texts(lines: list[list[Word]]) -> list[str]:
    return [" ".join(word.text for word in line) for line in lines]


def grid(columns: list[int], rows: list[int], size: tuple[int, int] = (1400, 2000), thickness: int = 3,
         angle: float = 0.0) -> np.ndarray:
    """A white page with a table's rules at these x and y positions, turned by `angle` degrees."""
    page = np.full(size[::-1], 255, np.uint8)
    for x in columns:
        cv2.line(page, (x, rows[0]), (x, rows[-1]), 0, thickness)
    for y in rows:
        cv2.line(page, (columns[0], y), (columns[-1], y), 0, thickness)
    if angle:
        turn = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0)
        page = cv2.warpAffine(page, turn, size, borderValue=255)
    return page


def test_a_ruled_table_is_found_with_its_rows_and_cells_even_a_little_skewed():
    for angle in (0.0, 0.6):
        found = ruled_boxes(grid([100, 300, 1000, 1300], [200, 300, 500, 700]), HEIGHT)
        found_skewed = ruled_boxes(grid([100, 300, 1000, 1300], [200, 300, 500, 700], angle=angle), HEIGHT)
        for boxes in (found, found_skewed):
            assert len(boxes) == 1 and boxes[0].is_table
            assert len(boxes[0].rows) == 3 and all(len(edges) == 4 for edges in boxes[0].edges)


def test_rules_that_make_no_box_are_no_table():
    """An underline crossed by a drum's streak, a lone frame line, letters: nothing to reorder."""
    page = np.full((2000, 1400), 255, np.uint8)
    cv2.line(page, (200, 400), (700, 400), 0, 3)  # the motto's underline
    cv2.line(page, (450, 0), (450, 1999), 0, 4)  # a drum's streak down the page
    cv2.putText(page, "Lorem ipsum dolor", (200, 900), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 4)
    assert ruled_boxes(page, HEIGHT) == []


def test_a_box_without_cells_is_a_stamp_only_when_small():
    small = ruled_boxes(grid([100, 500], [200, 260, 400]), HEIGHT)
    wide = ruled_boxes(grid([100, 1300], [200, 260, 400]), HEIGHT)
    tick_boxes = ruled_boxes(grid([100, 180], [200, 270, 340, 410]), HEIGHT)
    assert len(small) == 1 and not small[0].is_table
    assert wide == [] and tick_boxes == []


def test_a_table_read_a_column_at_a_time_is_read_a_row_at_a_time():
    """Tesseract's lines: every task, then every lead agency; each task's cell two lines. The reading gives a
    row a line, in the place of the table; a line outside the table stays where it was."""
    table = Ruled((100, 200, 1300, 700), ((200, 300), (300, 500), (500, 700)),
                  ((100, 300, 1000, 1300),) * 3)
    lines = [[word("Trước", 100, 100)],
             [word("STT", 120, 220), word("Nhiệm", 320, 220), word("vụ", 560, 220)],
             [word("1", 120, 320), word("Rà", 320, 320), word("soát", 420, 320)],
             [word("thủ", 320, 390), word("tục", 440, 390)],
             [word("2", 120, 520), word("Cắt", 320, 520), word("giảm", 440, 520)],
             [word("Chủ", 1020, 220), word("trì", 1150, 220)],
             [word("Bộ", 1020, 340), word("Tư", 1100, 340), word("pháp", 1180, 340)],
             [word("Bộ", 1020, 540), word("Tài", 1100, 540), word("chính", 1200, 540)],
             [word("Sau", 100, 800)]]
    assert texts(in_ruled_order(lines, [table])) == [
        "Trước", "STT Nhiệm vụ Chủ trì", "1 Rà soát thủ tục Bộ Tư pháp", "2 Cắt giảm Bộ Tài chính", "Sau"]


def test_a_stamps_words_come_after_every_other_line():
    stamp = Ruled((100, 300, 600, 500), ((300, 360), (360, 500)), ((100, 600),) * 2)
    lines = [[word("Kính", 700, 250), word("gửi:", 850, 250)],
             [word("CÔNG", 120, 310), word("VĂN", 300, 310), word("Bộ", 700, 310), word("trưởng", 800, 310)],
             [word("ĐẾN", 120, 400), word("Chủ", 700, 400), word("tịch", 800, 400)],
             [word("Triển", 100, 600), word("khai", 300, 600)]]
    assert texts(in_ruled_order(lines, [stamp])) == [
        "Kính gửi:", "Bộ trưởng", "Chủ tịch", "Triển khai", "CÔNG VĂN", "ĐẾN"]


TASKS = (("1", "Rà soát, cắt giảm thủ tục hành chính về đất đai và cấp giấy chứng nhận quyền sử dụng đất",
          "Sở Nông nghiệp và Môi trường", "Tháng 6 năm 2026"),
         ("2", "Số hóa hồ sơ địa chính, kết nối cơ sở dữ liệu đất đai với Cổng dịch vụ công",
          "Văn phòng đăng ký đất đai", "Quý III năm 2026"),
         ("3", "Tập huấn công chức bộ phận một cửa về tiếp nhận hồ sơ trực tuyến",
          "Ủy ban nhân dân cấp xã", "Năm 2026"))


def table_page(path) -> None:
    """A plan's page as offices print it: a title, then a ruled table whose task cells run to two or three
    lines beside a lead agency of one or two, and a line after it."""
    image = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(image)
    face, bold = font("regular", 12, "times"), font("bold", 12, "times")
    draw.text((330, 300), "KẾ HOẠCH THỰC HIỆN NĂM 2026", font=bold, fill=0)
    columns = [250, 400, 1250, 1850, 2280]
    rows = [450]
    cells = [("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"), *TASKS]
    for cell_texts in cells:
        top = rows[-1]
        depth = 0
        for column, text in enumerate(cell_texts):
            lines = wrap(draw, text, face, columns[column + 1] - columns[column] - 40)
            for number, line in enumerate(lines):
                draw.text((columns[column] + 20, top + 20 + 70 * number), line, font=face, fill=0)
            depth = max(depth, len(lines))
        rows.append(top + 40 + 70 * depth)
    for x in columns:
        draw.line((x, rows[0], x, rows[-1]), fill=0, width=3)
    for y in rows:
        draw.line((columns[0], y, columns[-1], y), fill=0, width=3)
    draw.text((330, rows[-1] + 80), "Các cơ quan, đơn vị báo cáo kết quả trước ngày 15 tháng 12.", font=face, fill=0)
    image.save(path, dpi=(300, 300))


def test_a_plans_table_keeps_each_task_with_its_lead_agency(tmp_path):
    """Real Tesseract on a rendered page: each row's number, task, lead agency and deadline read as one line."""
    table_page(tmp_path / "plan.png")
    outcome = process_page(PageJob(1, str(tmp_path / "plan.png"), Kind.PNG, 1))
    assert not outcome.error
    lines = [" ".join(line.split()) for line in outcome.text.splitlines()]
    for number, task, lead, deadline in TASKS:
        row = next((line for line in lines if task.split()[0] in line and lead.split()[1] in line), "")
        assert row.startswith(number) and \
            row.index(task.split()[-1]) < row.index(lead.split()[1]) < row.index(deadline.split()[0]), outcome.text


def stamped_page(path) -> None:
    """A letter as the portal receives it: a receipt stamp ("ĐẾN", its number and date in a box of rules)
    stamped in the margin beside the recipients, scanned black and white at 200 dpi."""
    image = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(image)
    face, bold = font("regular", 13, "times"), font("bold", 10, "helvetica")
    draw.text((900, 700), "Kính gửi: Ủy ban nhân dân các xã, thị trấn.", font=face, fill=0)
    draw.rectangle((250, 760, 850, 1000), outline=0, width=4)
    draw.line((250, 840, 850, 840), fill=0, width=3)
    draw.text((280, 780), "VĂN PHÒNG HĐND VÀ UBND", font=bold, fill=0)
    draw.text((280, 870), "ĐẾN Số: 1234 Ngày: 05/5/2026", font=bold, fill=0)
    body = ("Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc rà soát hồ sơ địa chính, Ủy ban nhân dân "
            "huyện đề nghị các xã, thị trấn báo cáo kết quả cấp giấy chứng nhận quyền sử dụng đất trong "
            "quý II năm 2026 trước ngày 30 tháng 6 năm 2026.")
    for number, line in enumerate(wrap(draw, body, face, 1900)):
        draw.text((330, 1060 + 80 * number), line, font=face, fill=0)
    small = image.resize((A4[0] * 2 // 3, A4[1] * 2 // 3), Image.Resampling.LANCZOS)
    small.point(lambda value: 255 if value > 160 else 0).convert("1").save(path, dpi=(200, 200))


def test_a_receipt_stamp_is_read_after_the_letter_not_among_its_recipients(tmp_path):
    """Real Tesseract on a rendered 200 dpi bilevel scan: the stamp's words come after the body's last line."""
    stamped_page(tmp_path / "stamped.png")
    outcome = process_page(PageJob(1, str(tmp_path / "stamped.png"), Kind.PNG, 1))
    assert not outcome.error
    text = outcome.text
    assert text.index("Kính") < text.index("Thực hiện") < text.index("2026.") < text.index("ĐẾN"), text
    assert text.index("2026.") < text.index("PHÒNG"), text
