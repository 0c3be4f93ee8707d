"""Generated dossiers: runs of page texts holding several documents, and where each truly starts.

Two families of documents, kept apart so that a figure measured on one is not tuned on the other:
- "decree": administrative documents with a Decree 30/2020 header (samples.synthetic_headers),
  followed by body pages, pages opening on the operative "QUYẾT ĐỊNH:" under citations of other
  documents' numbers and dates, appendices ("PHỤ LỤC (Kèm theo ...)"), attached lists and signature
  pages;
- "other": what else a land dossier holds: land-use certificates, minutes, citizens' applications
  (đơn), and decisions typed in the 1990s (old tone style, "Số: 12/QĐ-UB").
With `noisy`, every page is as OCR reads it (marks lost or swapped, letters misread, the motto
garbled).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from samples.synthetic_archive import TextMaker
from samples.synthetic_headers import MOTTO, SIGNERS, make_header, ocr_noise, strip_marks

SIGNATURE = ["Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, TNMT.", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH",
             "PHÓ CHỦ TỊCH"]
PLACES = ["Thạch Thất", "Quốc Oai", "Phùng Xá", "Sơn Tây"]


@dataclass
class Dossier:
    pages: list[str]
    starts: list[int]  # 1-based first pages of its documents
    kinds: list[str]  # each document's kind
    truths: list[dict | None]  # each document's true fields, where the generator knows them


def _date(rng: random.Random) -> str:
    return f"ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm {rng.randint(1990, 2025)}"


def _citation(rng: random.Random) -> str:
    kind, symbol = rng.choice([("Quyết định", "QĐ-UBND"), ("Tờ trình", "TTr-TNMT"), ("Nghị quyết", "NQ-HĐND")])
    return f"Căn cứ {kind} số {rng.randint(1, 400)}/{symbol} {_date(rng)} của Ủy ban nhân dân huyện;"


def _continuation(rng: random.Random, maker: TextMaker) -> str:
    """A page that goes on with the document before it."""
    kind = rng.choice(["body", "body", "operative", "appendix", "list", "signature"])
    body = maker.body(rng.randint(60, 200))
    if kind == "operative":
        return "\n".join([_citation(rng), _citation(rng), "QUYẾT ĐỊNH:", "Điều 1. " + body])
    if kind == "appendix":
        return "\n".join(["PHỤ LỤC", f"(Kèm theo Quyết định số {rng.randint(1, 400)}/QĐ-UBND {_date(rng)}",
                          "của Ủy ban nhân dân huyện)", body])
    if kind == "list":
        rows = [f"{number} {rng.choice(SIGNERS)} thửa đất số {rng.randint(1, 300)} tờ bản đồ số {rng.randint(1, 40)}"
                for number in range(1, rng.randint(5, 15))]
        return "\n".join(["DANH SÁCH CÁC HỘ GIA ĐÌNH, CÁ NHÂN KÈM THEO TỜ TRÌNH", *rows])
    if kind == "signature":
        return "\n".join([body[:300], *SIGNATURE, rng.choice(SIGNERS)])
    return body


def _decree_first_page(rng: random.Random, maker: TextMaker) -> tuple[str, dict]:
    header = make_header(rng, noisy=False)
    return header.text + "\n" + maker.body(rng.randint(40, 120)), header.truth


def _other_first_page(rng: random.Random, maker: TextMaker) -> tuple[str, str]:
    kind = rng.choice(["certificate", "minutes", "application", "typewritten"])
    place = rng.choice(PLACES)
    if kind == "certificate":
        lines = [*MOTTO, "GIẤY CHỨNG NHẬN", "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
                 "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
                 f"Ông {rng.choice(SIGNERS)}, năm sinh {rng.randint(1940, 1995)}"]
    elif kind == "minutes":
        lines = ["ỦY BAN NHÂN DÂN", f"XÃ {place.upper()}", *MOTTO, "BIÊN BẢN",
                 "Về việc kiểm tra hiện trạng sử dụng đất", f"Hôm nay, {_date(rng)}, tại trụ sở Ủy ban nhân dân xã"]
    elif kind == "application":
        lines = [*MOTTO, "ĐƠN ĐĂNG KÝ, CẤP GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT",
                 f"Kính gửi: Ủy ban nhân dân xã {place}", f"Tôi là {rng.choice(SIGNERS)}"]
    else:
        number = f"{rng.randint(1, 200)}/QĐ-UB"
        lines = ["UỶ BAN NHÂN DÂN", f"HUYỆN {place.upper()}", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", f"Số: {number}",
                 f"{place}, ngày {rng.randint(1, 28)} tháng {rng.randint(1, 12)} năm {rng.randint(1986, 1999)}",
                 "QUYẾT ĐỊNH CỦA UỶ BAN NHÂN DÂN HUYỆN", "V/v giao đất làm nhà ở"]
    return "\n".join(lines) + "\n" + maker.body(rng.randint(40, 120)), kind


def _noisy(rng: random.Random, page: str) -> str:
    lines = [ocr_noise(rng, line) for line in page.splitlines()]
    if rng.random() < 0.25:
        lines = [strip_marks(line) for line in lines]
    return "\n".join(lines)


def make_dossier(rng: random.Random, family: str, noisy: bool = False) -> Dossier:
    """A dossier of 2-40 documents of one family, each of 1-6 pages."""
    maker = TextMaker(rng)
    pages, starts, kinds, truths = [], [], [], []
    for _ in range(rng.randint(2, 40)):
        if family == "decree":
            (first, truth), kind = _decree_first_page(rng, maker), "decree"
        else:
            (first, kind), truth = _other_first_page(rng, maker), None
        starts.append(len(pages) + 1)
        kinds.append(kind)
        truths.append(truth)
        pages += [first] + [_continuation(rng, maker) for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5]))]
    if noisy:
        pages = [_noisy(rng, page) for page in pages]
    return Dossier(pages, starts, kinds, truths)
