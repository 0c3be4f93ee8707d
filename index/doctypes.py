"""The kinds of Vietnamese administrative documents: their names as title lines write them, and the
abbreviations their symbols use (Decree 30/2020/NĐ-CP). Field extraction reads them from a page;
search reads a type a clerk types, name or abbreviation ("quyết định", "QĐ")."""

from __future__ import annotations

from luutru.index.words import fold

# Folded type line -> type name. Longer names first: "giay chung nhan quyen su dung dat" before others.
TYPE_LINES = {
    "giay chung nhan quyen su dung dat": "Giấy chứng nhận quyền sử dụng đất",
    "nghi quyet": "Nghị quyết", "quyet dinh": "Quyết định", "chi thi": "Chỉ thị",
    "to trinh": "Tờ trình", "bao cao": "Báo cáo", "thong bao": "Thông báo", "ke hoach": "Kế hoạch",
    "bien ban": "Biên bản", "giay moi": "Giấy mời", "hop dong": "Hợp đồng", "cong van": "Công văn",
    "thong tu": "Thông tư", "nghi dinh": "Nghị định", "huong dan": "Hướng dẫn", "phuong an": "Phương án",
    # What citizens file in a land dossier: applications, declarations, powers of attorney.
    "don": "Đơn", "to khai": "Tờ khai", "giay uy quyen": "Giấy ủy quyền", "giay chung nhan": "Giấy chứng nhận",
    # The rarer kinds of Decree 30 (Annex III; the circular's typeName list), as their title lines write them.
    "quy che": "Quy chế", "quy dinh": "Quy định", "thong cao": "Thông cáo", "chuong trinh": "Chương trình",
    "de an": "Đề án", "du an": "Dự án", "cong dien": "Công điện", "ban ghi nho": "Bản ghi nhớ",
    "ban thoa thuan": "Bản thỏa thuận", "giay gioi thieu": "Giấy giới thiệu", "giay nghi phep": "Giấy nghỉ phép",
    "phieu gui": "Phiếu gửi", "phieu chuyen": "Phiếu chuyển", "phieu bao": "Phiếu báo", "thu cong": "Thư công",
}
# Abbreviation in the symbol (123/QĐ-UBND) -> type name, per Appendix III of the decree.
# Looked up as written first (HĐ is a contract, HD a guideline), then folded (OCR lost the Đ).
TYPE_SYMBOLS = {
    "QĐ": "Quyết định", "QD": "Quyết định", "NQ": "Nghị quyết", "CT": "Chỉ thị", "TTR": "Tờ trình",
    "BC": "Báo cáo", "TB": "Thông báo", "KH": "Kế hoạch", "BB": "Biên bản", "GM": "Giấy mời",
    "HĐ": "Hợp đồng", "HD": "Hướng dẫn", "PA": "Phương án", "GCN": "Giấy chứng nhận quyền sử dụng đất",
    # The rest of Annex III (pipeline/circular05.toml, decree30_abbreviation), upper-cased as looked up.
    "QC": "Quy chế", "QYĐ": "Quy định", "TC": "Thông cáo", "CTR": "Chương trình", "ĐA": "Đề án", "DA": "Dự án",
    "CĐ": "Công điện", "BGN": "Bản ghi nhớ", "BTT": "Bản thỏa thuận", "GUQ": "Giấy ủy quyền", "GGT": "Giấy giới thiệu",
    "GNP": "Giấy nghỉ phép", "PG": "Phiếu gửi", "PC": "Phiếu chuyển", "PB": "Phiếu báo",
    # Công văn carry no type in their symbol (45/UBND-TNMT), but clerks and some old symbols write CV.
    "CV": "Công văn",
}


def type_of_abbreviation(abbreviation: str) -> str | None:
    """The type an abbreviation names (QĐ, CV, TB, GCN ...), as written first, then folded (OCR lost the Đ)."""
    compact = abbreviation.strip().upper()
    return TYPE_SYMBOLS.get(compact) or TYPE_SYMBOLS.get(fold(compact).upper())
