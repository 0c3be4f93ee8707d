"""A generated archive for benchmarks and load tests: Vietnamese administrative text, no OCR.

A folder tree of small stand-in files (department/year/document) and catalog rows whose
fingerprints match them, as if they had been ingested. The words come from the sample documents
(with their real frequencies) and a long tail of generated syllables; every document has a Decree 30
header (number, place and date) and some cite land parcels.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

from luutru.pipeline.catalog import Catalog, now
from luutru.pipeline.home import ArchiveHome

HERE = Path(__file__).resolve().parent
WORDS_PER_PAGE = 300
PAGES_PER_DOCUMENT = (1, 9)
DEPARTMENTS = ["TNMT", "VP", "TP", "KT", "LDTBXH"]
ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "s", "t",
          "th", "tr", "v", "x"]
RHYMES = ["a", "ai", "an", "ang", "anh", "ao", "at", "ay", "âm", "ân", "âu", "ây", "em", "en", "eo", "êm", "ênh",
          "im", "in", "inh", "iêu", "oa", "oai", "oan", "oi", "om", "on", "ong", "ôi", "ông", "ơi", "ơn", "ua",
          "ui", "um", "un", "ung", "uy", "ưa", "ưng", "ươi", "ương"]
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = ["Văn Hùng", "Thị Mai", "Quốc Huy", "Thị Hoa", "Mạnh Cường", "Thanh Bình", "Thị Thuỷ", "Văn Lý"]
TYPES = [("QUYẾT ĐỊNH", "QĐ"), ("TỜ TRÌNH", "TTr"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB"), ("KẾ HOẠCH", "KH")]


def syllable_tail(rng: random.Random) -> list[str]:
    """Generated syllables in NFC: the rarer words of a real archive (names, places, OCR slips)."""
    syllables = [unicodedata.normalize("NFC", onset + rhyme[0] + tone + rhyme[1:])
                 for onset in ONSETS for rhyme in RHYMES for tone in TONES]
    rng.shuffle(syllables)
    return syllables


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words with Zipf-like weights: the samples' words by their real frequency, then the tail."""
    truth = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
    counts = Counter(word for pages in truth.values() for page in pages for word in re.findall(r"\w+", page))
    common = [word for word, _ in counts.most_common()]
    words = common + [word for word in syllable_tail(rng) if word not in counts]
    return words, [1 / (rank + 1) for rank in range(len(words))]


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words, weights = vocabulary(rng)
        self.cumulative = list(_running_sum(weights))

    def body(self, count: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=count)
        if self.rng.random() < 0.3:
            words[5:5] = f"thửa đất số {self.rng.randint(1, 200)}, tờ bản đồ số {self.rng.randint(1, 30)}".split()
        if self.rng.random() < 0.3:
            words[20:20] = [self.rng.choice(SURNAMES), *self.rng.choice(GIVEN).split()]
        lines = [" ".join(words[start:start + 15]) for start in range(0, len(words), 15)]
        return "\n".join(lines)

    def document(self, pages: int) -> list[str]:
        title, symbol = self.rng.choice(TYPES)
        year = self.rng.randint(2005, 2025)
        header = ("ỦY BAN NHÂN DÂN\nHUYỆN THẠCH THẤT\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                  f"Số: {self.rng.randint(1, 400)}/{symbol}-UBND\n"
                  f"Thạch Thất, ngày {self.rng.randint(1, 28)} tháng {self.rng.randint(1, 12)} năm {year}\n{title}\n")
        return [header + self.body(WORDS_PER_PAGE - 40)] + [self.body(WORDS_PER_PAGE) for _ in range(pages - 1)]


def _running_sum(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def make_archive(base: Path, page_total: int, rng: random.Random) -> ArchiveHome:
    """Stand-in scan files on disk and catalog rows for them, as after an ingest (no OCR)."""
    scans, home = base / "scans", ArchiveHome(base / "home").create()
    maker, catalog = TextMaker(rng), Catalog(home.catalog_path)
    catalog.add_roots([scans])
    made, number = 0, 0
    with catalog.transaction() as db:
        while made < page_total:
            pages = maker.document(min(rng.randint(*PAGES_PER_DOCUMENT), page_total - made))
            number += 1
            path = scans / rng.choice(DEPARTMENTS) / str(rng.randint(2005, 2025)) / f"doc-{number:07d}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"%PDF-1.4 stand-in " + str(number).encode())
            stat = path.stat()
            file_id = db.execute(
                "INSERT INTO files (path, kind, size, mtime_ns, sha256, page_count, status, first_seen, updated_at)"
                " VALUES (?, 'pdf', ?, ?, ?, ?, 'done', ?, ?)",
                (str(path), stat.st_size, stat.st_mtime_ns, f"{number:064x}", len(pages), now(), now())).lastrowid
            db.executemany("INSERT INTO pages (file_id, page, text, confidence, source) VALUES (?, ?, ?, 90, 'ocr')",
                           [(file_id, index, text) for index, text in enumerate(pages, 1)])
            made += len(pages)
    catalog.close()
    return home
