"""The text of the sample documents: Vietnamese administrative papers laid out per Decree 30/2020/NĐ-CP.

Each document is a list of pages; each page is a `Page` whose parts mirror the layout of a real
paper (two-column header, centred title, body, signature block). The texts deliberately mix the
two tone-mark styles ("hoà"/"hòa", "thuỷ"/"thủy") and the i/y spellings (kỹ/kĩ, quý/quí), as real
archives do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass
class Page:
    agency: tuple[str, ...] = ()
    number: str = ""
    place_date: str = ""
    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    motto: tuple[str, ...] = MOTTO


@dataclass
class Document:
    name: str
    pages: list[Page] = field(default_factory=list)
    born_digital: bool = False  # made by a word processor: a PDF with a text layer


QUYET_DINH_GIAO_DAT = Document("2023/qd-123-giao-dat.jpg", [Page(
    agency=("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"),
    number="Số: 123/QĐ-UBND",
    place_date="Thạch Thất, ngày 12 tháng 9 năm 2023",
    title=("QUYẾT ĐỊNH", "Về việc giao đất ở cho hộ gia đình ông Nguyễn Văn Hùng"),
    body=(
        "ỦY BAN NHÂN DÂN HUYỆN THẠCH THẤT",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;",
        "Xét đề nghị của Trưởng phòng Tài nguyên và Môi trường tại Tờ trình số 88/TTr-TNMT "
        "ngày 05 tháng 9 năm 2023.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Giao 120 m² đất ở tại thửa đất số 245, tờ bản đồ số 12, thôn Đồng Cam, "
        "xã Phùng Xá cho hộ gia đình ông Nguyễn Văn Hùng để làm nhà ở.",
        "Điều 2. Phòng Tài nguyên và Môi trường có trách nhiệm bàn giao đất trên thực địa "
        "và chỉnh lý hồ sơ địa chính theo quy định.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Trưởng phòng "
        "Tài nguyên và Môi trường, Chủ tịch UBND xã Phùng Xá và ông Nguyễn Văn Hùng chịu "
        "trách nhiệm thi hành Quyết định này.",
    ),
    signature=("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "Đỗ Mạnh Cường"),
)])

CONG_VAN_RA_SOAT = Document("2023/cv-45-ra-soat.png", [Page(
    agency=("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"),
    number="Số: 45/UBND-TNMT",
    place_date="Thạch Thất, ngày 03 tháng 10 năm 2023",
    title=("V/v rà soát hồ sơ cấp giấy chứng nhận", "quyền sử dụng đất tại xã Hoà Thạch"),
    body=(
        "Kính gửi: Ủy ban nhân dân xã Hoà Thạch.",
        "Thực hiện kế hoạch cấp giấy chứng nhận quyền sử dụng đất lần đầu năm 2023, "
        "Ủy ban nhân dân huyện yêu cầu Ủy ban nhân dân xã Hoà Thạch rà soát toàn bộ hồ sơ "
        "đã tiếp nhận tại bộ phận một cửa, đặc biệt các thửa đất giáp công trình thuỷ lợi "
        "và hành lang bảo vệ kênh mương.",
        "Đối với các hồ sơ còn thiếu giấy tờ, đề nghị hướng dẫn người dân bổ sung trước "
        "ngày 30 tháng 10 năm 2023. Cán bộ địa chính xã phải giữ gìn sức khoẻ và bảo đảm "
        "tiến độ, báo cáo kết quả về Phòng Tài nguyên và Môi trường.",
        "Nhận được văn bản này, đề nghị Ủy ban nhân dân xã Hoà Thạch khẩn trương thực hiện.",
    ),
    signature=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "Lê Thị Thuỷ"),
)])

GIAY_CHUNG_NHAN = Document("2022/gcn-thua-87.tif", [
    Page(
        agency=(),
        motto=MOTTO,
        title=("GIẤY CHỨNG NHẬN", "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
               "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT"),
        body=(
            "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
            "Bà Trần Thị Mai, năm sinh 1975, CCCD số 001175004321, địa chỉ thường trú "
            "thôn Yên Lạc, xã Đồng Trúc, huyện Thạch Thất.",
            "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất",
            "1. Thửa đất: a) Thửa đất số 87, tờ bản đồ số 5; b) Địa chỉ: thôn Yên Lạc, "
            "xã Đồng Trúc; c) Diện tích 150,5 m²; d) Hình thức sử dụng: sử dụng riêng; "
            "đ) Mục đích sử dụng: đất ở tại nông thôn; e) Thời hạn sử dụng: lâu dài.",
            "2. Nhà ở: nhà cấp bốn, diện tích xây dựng 80 m².",
        ),
    ),
    Page(
        motto=(),
        title=("III. NHỮNG THAY ĐỔI SAU KHI CẤP GIẤY CHỨNG NHẬN",),
        body=(
            "Ngày 15 tháng 3 năm 2022, bà Trần Thị Mai tặng cho con là anh Phạm Quốc Huy "
            "một phần thửa đất số 87 với diện tích 50 m², tách thành thửa đất số 312, "
            "tờ bản đồ số 5 theo hồ sơ số 2022/TC-117.",
            "Diện tích còn lại của thửa đất số 87 là 100,5 m², mục đích sử dụng không thay đổi.",
            "Văn phòng đăng ký đất đai chi nhánh huyện Thạch Thất đã xác nhận thay đổi.",
        ),
        signature=("GIÁM ĐỐC CHI NHÁNH", "", "", "Ngô Văn Lý"),
    ),
])

BAO_CAO_DAT_DAI = Document("2023/bc-56-dat-dai.pdf", [
    Page(
        agency=("PHÒNG TÀI NGUYÊN", "VÀ MÔI TRƯỜNG"),
        number="Số: 56/BC-TNMT",
        place_date="Thạch Thất, ngày 20 tháng 12 năm 2023",
        title=("BÁO CÁO", "Kết quả công tác quản lý đất đai năm 2023"),
        body=(
            "I. KẾT QUẢ THỰC HIỆN",
            "1. Công tác cấp giấy chứng nhận: trong năm 2023 đã cấp 1.245 giấy chứng nhận "
            "quyền sử dụng đất lần đầu, đạt 96% kế hoạch; quý IV cấp 410 giấy.",
            "2. Công tác thu hồi đất và giải phóng mặt bằng: thu hồi 12,4 ha đất nông nghiệp "
            "để xây dựng đường liên xã Bình Yên - Thạch Hoà; đã chi trả bồi thường cho "
            "215 hộ gia đình, cá nhân.",
        ),
    ),
    Page(
        motto=(),
        body=(
            "3. Công tác đo đạc, chỉnh lý bản đồ địa chính: hoàn thành đo đạc bổ sung "
            "tờ bản đồ số 12 và số 14 xã Phùng Xá; cán bộ kĩ thuật đã cập nhật cơ sở dữ liệu.",
            "4. Công tác thanh tra, kiểm tra: phát hiện 7 trường hợp sử dụng đất sai mục đích, "
            "đã lập biên bản và xử lý theo quy định.",
            "II. TỒN TẠI, HẠN CHẾ",
            "Một số hồ sơ tồn đọng từ các năm trước do thiếu giấy tờ về nguồn gốc đất; "
            "cơ sở dữ liệu địa chính chưa được số hoá đồng bộ giữa huyện và xã.",
        ),
    ),
    Page(
        motto=(),
        body=(
            "III. PHƯƠNG HƯỚNG NĂM 2024",
            "1. Đẩy mạnh số hóa hồ sơ lưu trữ, phục vụ tra cứu tại bộ phận một cửa.",
            "2. Hoàn thành cấp giấy chứng nhận cho các thửa đất đủ điều kiện trong quý I.",
            "3. Tăng cường ứng dụng khoa học kỹ thuật trong quản lý đất đai.",
        ),
        signature=("TRƯỞNG PHÒNG", "", "", "Phan Thanh Bình"),
    ),
])

TO_TRINH_MO_MA = Document("2024/ttr-09-mo-ma.jpg", [Page(
    agency=("PHÒNG TÀI NGUYÊN", "VÀ MÔI TRƯỜNG"),
    number="Số: 09/TTr-TNMT",
    place_date="Thạch Thất, ngày 08 tháng 3 năm 2024",
    title=("TỜ TRÌNH", "Về việc hỗ trợ di chuyển mồ mả khi thu hồi đất"),
    body=(
        "Kính gửi: Ủy ban nhân dân huyện Thạch Thất.",
        "Thực hiện dự án mở rộng đường tỉnh lộ 419 đoạn qua xã Tiến Xuân, Phòng Tài nguyên "
        "và Môi trường đã kiểm đếm 36 ngôi mả trong phạm vi thu hồi đất ở khu đồng Má Lớn.",
        "Phòng kính trình Ủy ban nhân dân huyện phê duyệt mức hỗ trợ di chuyển mồ mả là "
        "8 triệu đồng cho mỗi ngôi mả đất và 12 triệu đồng cho mỗi ngôi mả xây.",
        "Kính trình Ủy ban nhân dân huyện xem xét, quyết định.",
    ),
    signature=("TRƯỞNG PHÒNG", "", "", "Phan Thanh Bình"),
)])

THONG_BAO_TIEP_DAN = Document("2024/tb-18-tiep-cong-dan.pdf", [Page(
    agency=("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"),
    number="Số: 18/TB-UBND",
    place_date="Thạch Thất, ngày 02 tháng 4 năm 2024",
    title=("THÔNG BÁO", "Lịch tiếp công dân quý II năm 2024"),
    body=(
        "Chủ tịch Ủy ban nhân dân huyện tiếp công dân định kỳ vào ngày 15 hằng tháng tại "
        "trụ sở tiếp công dân huyện, ở số 1 đường Chiến Thắng.",
        "Công dân có ý kiến, kiến nghị về đất đai, môi trường đăng ký trước tại bộ phận "
        "một cửa; mang theo giấy tờ tùy thân và hồ sơ liên quan.",
        "Trường hợp ngày 15 trùng ngày nghỉ thì lịch tiếp chuyển sang ngày làm việc kế tiếp.",
    ),
    signature=("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "", "", "Vũ Thị Hoa"),
)], born_digital=True)

ALL_DOCUMENTS = [QUYET_DINH_GIAO_DAT, CONG_VAN_RA_SOAT, GIAY_CHUNG_NHAN,
                 BAO_CAO_DAT_DAI, TO_TRINH_MO_MA, THONG_BAO_TIEP_DAN]
