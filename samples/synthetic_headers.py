"""Generated first pages of administrative documents with OCR-style noise, and the fields they truly hold.

The layout follows Decree 30/2020/NĐ-CP; the noise is what Tesseract does to such headers: the
two columns read row by row or one after the other (motto column first, sometimes), diacritics
lost on some lines or all, "Số:" read as "So.", "S6:" or "Sô;", spaces around the slash and dash of
the symbol, the horizontal rules under the agency and motto read as dashes or underscores, stray
bars at line ends, a tone mark taken for another (ngày/ngảy), a letter misread (l/I, rn/m), the
subject wrapped onto two lines, the signer's name under the red seal read as garbage.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from luutru.index.words import fold

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# (agency lines, symbol of the issuer, place)
AGENCIES = [
    (("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"), "UBND", "Thạch Thất"),
    (("ỦY BAN NHÂN DÂN", "XÃ PHÙNG XÁ"), "UBND", "Phùng Xá"),
    (("UBND HUYỆN QUỐC OAI", "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG"), "TNMT", "Quốc Oai"),
    (("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI"), "VPĐK", "Hà Nội"),
    (("HỘI ĐỒNG NHÂN DÂN", "TỈNH BẮC NINH"), "HĐND", "Bắc Ninh"),
    (("ỦY BAN NHÂN DÂN", "THỊ XÃ SƠN TÂY"), "UBND", "Sơn Tây"),
    (("ỦY BAN NHÂN DÂN", "HUYỆN ĐAN PHƯỢNG"), "UBND", "Đan Phượng"),
]
# (type name, title line, abbreviation in the symbol); a công văn has no title, its symbol no type.
TYPES = [
    ("Quyết định", "QUYẾT ĐỊNH", "QĐ"), ("Tờ trình", "TỜ TRÌNH", "TTr"), ("Báo cáo", "BÁO CÁO", "BC"),
    ("Thông báo", "THÔNG BÁO", "TB"), ("Kế hoạch", "KẾ HOẠCH", "KH"), ("Nghị quyết", "NGHỊ QUYẾT", "NQ"),
    ("Giấy mời", "GIẤY MỜI", "GM"), ("Công văn", "", ""),
]
SUBJECTS = [
    "thu hồi đất để thực hiện dự án mở rộng đường liên xã",
    "giao đất ở cho hộ gia đình bà Lê Thị Thoa",
    "điều chỉnh quy hoạch sử dụng đất năm 2022",
    "cấp giấy chứng nhận quyền sử dụng đất lần đầu",
    "bồi thường, hỗ trợ khi Nhà nước thu hồi đất",
    "kiểm tra việc sử dụng đất sai mục đích tại thôn Đồng Trúc",
    "tổ chức hội nghị tiếp xúc cử tri quý II",
    "xử lý hồ sơ tồn đọng tại bộ phận một cửa",
]
SIGNERS = ["Nguyễn Văn Thắng", "Trần Thị Hương", "Lê Quốc Khánh", "Phạm Thuỷ Tiên", "Đặng Hữu Nghĩa",
           "Hoàng Minh Đức", "Bùi Thị Lý"]
NUMBER_LABELS = ["Số:", "Số:", "Số :", "So.", "S6:", "Sô;", "Số"]
RULES = ["", "", "———", "_____", "- - -"]
TONE_SWAPS = {"à": "ả", "á": "à", "ả": "ã", "ạ": "á", "ấ": "ầ", "ầ": "ẩ", "ệ": "ế", "ế": "ể", "ố": "ổ",
              "ộ": "ổ", "ờ": "ở", "ư": "ừ", "í": "ì", "ị": "ỉ", "ủ": "ù", "ú": "ụ"}
MISREADS = [("l", "I"), ("m", "rn"), ("i", "í"), ("o", "0"), ("h", "b"), ("t", "f")]


@dataclass
class Header:
    text: str
    truth: dict


def comparable(value) -> str | None:
    """A field's value compared as OCR can deliver it: diacritics, case and spacing aside."""
    return " ".join(fold(str(value)).replace(" / ", "/").replace(" - ", "-").split()) if value else None


def strip_marks(text: str) -> str:
    """What OCR that lost every diacritic reads: letters only, case kept, đ as d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _number(rng: random.Random, abbreviation: str, issuer: str, year: int) -> str:
    number = f"{rng.randint(1, 999):0{rng.choice([1, 2, 3])}d}"
    year_part = f"/{year}" if abbreviation == "NQ" and rng.random() < 0.5 else ""
    symbol = f"{abbreviation}-{issuer}" if abbreviation else f"{issuer}-{rng.choice(['TNMT', 'VP', 'KT'])}"
    return f"{number}{year_part}/{symbol}"


def _spaced(number: str) -> str:
    return number.replace("/", " / ").replace("-", " - ")


def make_header(rng: random.Random, noisy: bool = True) -> Header:
    """A first page; with `noisy`, as OCR reads it (else as typed)."""
    (agency_lines, issuer, place) = rng.choice(AGENCIES)
    type_name, title, abbreviation = rng.choice(TYPES)
    year, month, day = rng.randint(2005, 2025), rng.randint(1, 12), rng.randint(1, 28)
    number = _number(rng, abbreviation, issuer, year)
    subject = rng.choice(SUBJECTS)
    subject_line = f"V/v {subject}" if not title else f"Về việc {subject}"
    signer = rng.choice(SIGNERS)
    day_text = f"{day:02d}" if rng.random() < 0.5 else str(day)
    month_text = f"{month:02d}" if month < 3 and rng.random() < 0.5 else str(month)
    spacing = "" if rng.random() < 0.15 else " "
    number_line = f"{rng.choice(NUMBER_LABELS)}{spacing}{_spaced(number) if rng.random() < 0.3 else number}"
    date_line = f"{place}, ngày {day_text} tháng {month_text} năm {year}"
    left = [*agency_lines, rng.choice(RULES), number_line] + ([subject_line] if not title else [])
    right = [*MOTTO, rng.choice(RULES), date_line]
    layout = rng.choice(["rows", "columns", "motto first"])
    if layout == "rows":
        lines = [f"{a} {b}".strip() for a, b in zip(left, right)] + left[len(right):]
    elif layout == "columns":
        lines = left + right
    else:
        lines = right + left
    if title:
        lines += [title, *_wrapped(rng, subject_line)]
    signed = signer if not noisy or rng.random() < 0.9 else rng.choice(["Jlguyễ~ V#n", "(đã ký) ~~", "Ng_ _ _ Th"])
    lines += ["Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", signed]
    if noisy:
        lines = [ocr_noise(rng, line) for line in lines]
        if rng.random() < 0.25:
            lines = [strip_marks(line) for line in lines]
    truth = {"number": number, "doc_type": type_name, "agency": " ".join(agency_lines), "place": place,
             "issued": f"{year}-{month:02d}-{day:02d}", "subject": subject_line, "signer": signer}
    return Header("\n".join(line for line in lines), truth)


def _wrapped(rng: random.Random, line: str) -> list[str]:
    """The subject as a long title wraps: at a word past the middle, a third of the time."""
    words = line.split()
    if rng.random() < 0.3 and len(words) > 6:
        cut = rng.randint(len(words) // 2, len(words) - 2)
        return [" ".join(words[:cut]), " ".join(words[cut:])]
    return [line]


def ocr_noise(rng: random.Random, line: str) -> str:
    """A line as Tesseract may read it: tone marks swapped, a letter misread, marks lost, a stray mark."""
    if rng.random() < 0.2:
        line = "".join(TONE_SWAPS.get(c, c) if rng.random() < 0.3 else c for c in line)
    if rng.random() < 0.05:
        wrong, right = rng.choice(MISREADS)
        line = line.replace(wrong, right, 1)
    if rng.random() < 0.15:
        line = strip_marks(line)
    if rng.random() < 0.1:
        line = line + rng.choice([" |", " '", " ."])
    return line


def make_headers(count: int, seed: int = 30) -> list[Header]:
    rng = random.Random(seed)
    return [make_header(rng) for _ in range(count)]
