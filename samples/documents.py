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

# Further papers that only the OCR benchmark renders (benchmarks/ocr_accuracy.py), so that its figures
# rest on more than the sample scans' nine pages: minutes, a recovery decision, a citizen's application,
# a contract, an invitation, a plan, an answer to a petition and a conclusion, with the amounts, parcel
# numbers, identity numbers and lists that such papers carry.
BIEN_BAN_BAN_GIAO = Document("benchmark/bb-ban-giao-dat.png", [
    Page(
        agency=("ỦY BAN NHÂN DÂN", "XÃ PHÙNG XÁ"),
        number="Số: 27/BB-UBND",
        place_date="Phùng Xá, ngày 20 tháng 10 năm 2023",
        title=("BIÊN BẢN", "Bàn giao đất trên thực địa"),
        body=(
            "Thực hiện Quyết định số 123/QĐ-UBND ngày 12/9/2023 của Ủy ban nhân dân huyện Thạch Thất "
            "về việc giao đất ở cho hộ gia đình ông Nguyễn Văn Hùng, hôm nay, hồi 8 giờ 30 phút, tại "
            "thôn Đồng Cam, xã Phùng Xá, chúng tôi gồm:",
            "1. Đại diện Phòng Tài nguyên và Môi trường: ông Lê Quốc Toản, chuyên viên.",
            "2. Đại diện Ủy ban nhân dân xã Phùng Xá: bà Trịnh Thị Thuỷ, công chức địa chính - xây dựng.",
            "3. Đại diện thôn Đồng Cam: ông Khuất Duy Tiến, trưởng thôn.",
            "4. Người nhận đất: ông Nguyễn Văn Hùng, sinh năm 1978, căn cước công dân số "
            "001078012345 do Cục Cảnh sát quản lý hành chính về trật tự xã hội cấp ngày 14/6/2021.",
            "Các bên đã cùng xác định mốc giới thửa đất số 245, tờ bản đồ số 12, diện tích 120 m², "
            "có tọa độ các điểm góc theo sơ đồ kèm theo biên bản này.",
        ),
    ),
    Page(
        motto=(),
        body=(
            "Phía Bắc giáp đường thôn, dài 8,00 m; phía Nam giáp thửa đất số 251, dài 8,00 m; phía Đông "
            "giáp thửa đất số 246, dài 15,00 m; phía Tây giáp mương tiêu nước, dài 15,00 m.",
            "Các mốc giới được đóng bằng cọc bê tông cốt thép kích thước 10 x 10 x 50 cm, sơn đỏ đầu cọc. "
            "Người nhận đất có trách nhiệm bảo vệ mốc giới, sử dụng đất đúng mục đích, ranh giới được giao.",
            "Trên thửa đất không có tài sản, cây cối hoa màu của tổ chức, cá nhân khác; không có tranh chấp.",
            "Biên bản kết thúc hồi 10 giờ 15 phút cùng ngày, đã đọc lại cho các bên cùng nghe, nhất trí "
            "ký tên. Biên bản được lập thành 04 bản có giá trị như nhau, mỗi bên giữ 01 bản.",
        ),
        signature=("NGƯỜI NHẬN ĐẤT", "", "", "Nguyễn Văn Hùng"),
    ),
])

QUYET_DINH_THU_HOI = Document("benchmark/qd-thu-hoi-dat.png", [Page(
    agency=("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"),
    number="Số: 2156/QĐ-UBND",
    place_date="Thạch Thất, ngày 17 tháng 11 năm 2023",
    title=("QUYẾT ĐỊNH", "Về việc thu hồi đất để thực hiện dự án mở rộng tỉnh lộ 419"),
    body=(
        "ỦY BAN NHÂN DÂN HUYỆN THẠCH THẤT",
        "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;",
        "Căn cứ Nghị định số 43/2014/NĐ-CP ngày 15/5/2014 của Chính phủ quy định chi tiết thi hành "
        "một số điều của Luật Đất đai;",
        "Căn cứ Thông báo thu hồi đất số 412/TB-UBND ngày 02/8/2023; xét đề nghị của Trưởng phòng Tài "
        "nguyên và Môi trường tại Tờ trình số 131/TTr-TNMT ngày 09/11/2023,",
        "QUYẾT ĐỊNH:",
        "Điều 1. Thu hồi 356,4 m² đất trồng lúa của hộ bà Đặng Thị Lý tại thửa đất số 78, tờ bản đồ "
        "số 5, xã Tiến Xuân. Lý do thu hồi: để thực hiện dự án mở rộng tỉnh lộ 419, đoạn từ Km 12+300 "
        "đến Km 14+850.",
        "Điều 2. Giao Ủy ban nhân dân xã Tiến Xuân giao quyết định này cho bà Đặng Thị Lý; trường hợp "
        "bà Lý không nhận thì lập biên bản. Trung tâm Phát triển quỹ đất huyện quản lý diện tích đất "
        "đã thu hồi. Chi trả bồi thường, hỗ trợ: 285.120.000 đồng (Hai trăm tám mươi lăm triệu một "
        "trăm hai mươi nghìn đồng).",
        "Điều 3. Quyết định có hiệu lực kể từ ngày ký.",
    ),
    signature=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "Nguyễn Hữu Quý"),
)])

DON_DE_NGHI = Document("benchmark/don-de-nghi-cap-gcn.png", [Page(
    title=("ĐƠN ĐỀ NGHỊ", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu"),
    body=(
        "Kính gửi: Ủy ban nhân dân huyện Thạch Thất.",
        "1. Người sử dụng đất: bà Phí Thị Hoà, sinh năm 1965; căn cước công dân số 001165009876; "
        "địa chỉ thường trú: xóm Trại, thôn Yên Lạc, xã Đồng Trúc, huyện Thạch Thất, thành phố Hà Nội.",
        "2. Đề nghị cấp Giấy chứng nhận quyền sử dụng đất đối với thửa đất số 312, tờ bản đồ số 07; "
        "diện tích 248,6 m²; trong đó đất ở 200 m², đất trồng cây lâu năm 48,6 m².",
        "3. Nguồn gốc sử dụng đất: do bố mẹ để lại từ năm 1982, sử dụng ổn định, liên tục, không tranh "
        "chấp; có xác nhận của Ủy ban nhân dân xã Đồng Trúc ngày 05/01/2024.",
        "4. Giấy tờ nộp kèm theo: bản sao sổ mục kê năm 1994; biên bản xác định ranh giới, mốc giới "
        "thửa đất; trích đo địa chính thửa đất; chứng từ nộp lệ phí trước bạ.",
        "Tôi xin cam đoan nội dung kê khai trên đơn là đúng sự thật, nếu sai tôi hoàn toàn chịu "
        "trách nhiệm trước pháp luật.",
    ),
    signature=("NGƯỜI VIẾT ĐƠN", "(Ký, ghi rõ họ tên)", "", "", "Phí Thị Hoà"),
)])

HOP_DONG_CHUYEN_NHUONG = Document("benchmark/hd-chuyen-nhuong.png", [
    Page(
        agency=(),
        title=("HỢP ĐỒNG CHUYỂN NHƯỢNG", "QUYỀN SỬ DỤNG ĐẤT"),
        body=(
            "Hôm nay, ngày 22 tháng 02 năm 2024, tại Văn phòng công chứng Quốc Oai, chúng tôi gồm:",
            "Bên chuyển nhượng (Bên A): ông Kiều Văn Thắng, sinh năm 1969, căn cước công dân số "
            "001069004521; và vợ là bà Nguyễn Thị Thuý, sinh năm 1972, căn cước công dân số "
            "001172006634; cùng thường trú tại thôn Hạ Bằng, xã Hạ Bằng, huyện Thạch Thất.",
            "Bên nhận chuyển nhượng (Bên B): anh Đào Minh Khôi, sinh năm 1990, căn cước công dân số "
            "001090017788; thường trú tại số 15 ngõ 42 phố Trần Quốc Hoàn, quận Cầu Giấy, Hà Nội.",
            "Hai bên tự nguyện lập và ký hợp đồng này với các thoả thuận sau đây:",
            "Điều 1. Quyền sử dụng đất chuyển nhượng: thửa đất số 56, tờ bản đồ số 21, địa chỉ thôn Hạ "
            "Bằng; diện tích 150 m² (bằng chữ: một trăm năm mươi mét vuông); mục đích sử dụng: đất ở tại "
            "nông thôn; thời hạn sử dụng: lâu dài; theo Giấy chứng nhận số CS 04417 do Sở Tài nguyên và "
            "Môi trường thành phố Hà Nội cấp ngày 19/7/2019.",
        ),
    ),
    Page(
        motto=(),
        body=(
            "Điều 2. Giá chuyển nhượng là 2.250.000.000 đồng (Hai tỷ hai trăm năm mươi triệu đồng), trả "
            "một lần bằng chuyển khoản trong vòng 05 ngày làm việc kể từ ngày ký hợp đồng.",
            "Điều 3. Bên A có nghĩa vụ giao thửa đất và bản chính Giấy chứng nhận cho Bên B; Bên B nộp "
            "thuế thu nhập cá nhân thay Bên A, lệ phí trước bạ và phí thẩm định hồ sơ.",
            "Điều 4. Việc đăng ký biến động đất đai do Bên B thực hiện tại Chi nhánh Văn phòng đăng ký "
            "đất đai huyện Thạch Thất theo quy định của pháp luật.",
            "Điều 5. Hai bên cam kết những thông tin đã ghi là đúng sự thật; thửa đất không bị kê biên, "
            "không có tranh chấp; đã đọc lại hợp đồng, hiểu rõ quyền, nghĩa vụ và cùng ký tên dưới đây.",
        ),
        signature=("BÊN NHẬN CHUYỂN NHƯỢNG", "", "", "Đào Minh Khôi"),
    ),
])

GIAY_MOI_HOP = Document("benchmark/gm-hop-dan.png", [Page(
    agency=("ỦY BAN NHÂN DÂN", "XÃ TIẾN XUÂN"),
    number="Số: 35/GM-UBND",
    place_date="Tiến Xuân, ngày 06 tháng 5 năm 2024",
    title=("GIẤY MỜI", "Họp công khai phương án bồi thường, hỗ trợ"),
    body=(
        "Ủy ban nhân dân xã Tiến Xuân trân trọng kính mời: các hộ gia đình, cá nhân có đất bị thu hồi "
        "thực hiện dự án mở rộng tỉnh lộ 419 (danh sách kèm theo).",
        "Thời gian: 14 giờ 00 phút, thứ Năm, ngày 09 tháng 5 năm 2024.",
        "Địa điểm: Hội trường nhà văn hoá thôn Đồng Vàng, xã Tiến Xuân.",
        "Nội dung: công khai dự thảo phương án bồi thường, hỗ trợ; lấy ý kiến của người có đất thu hồi "
        "về đơn giá cây trồng, vật nuôi và tài sản gắn liền với đất.",
        "Đề nghị các hộ mang theo Giấy chứng nhận quyền sử dụng đất (bản photo) và căn cước công dân. "
        "Mọi thắc mắc xin liên hệ đồng chí Hà Văn Kỳ, điện thoại 0912 345 678.",
    ),
    signature=("CHỦ TỊCH", "", "", "Lương Thế Vinh"),
)])

KE_HOACH_KIEM_TRA = Document("benchmark/kh-kiem-tra.png", [
    Page(
        agency=("PHÒNG TÀI NGUYÊN", "VÀ MÔI TRƯỜNG"),
        number="Số: 14/KH-TNMT",
        place_date="Thạch Thất, ngày 11 tháng 6 năm 2024",
        title=("KẾ HOẠCH", "Kiểm tra việc chấp hành pháp luật đất đai năm 2024"),
        body=(
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Phát hiện, chấn chỉnh kịp thời các vi phạm trong quản lý, sử dụng đất; xử lý dứt điểm các "
            "trường hợp lấn, chiếm, chuyển mục đích sử dụng đất trái phép.",
            "2. Việc kiểm tra phải khách quan, đúng quy định, không gây phiền hà cho tổ chức, cá nhân.",
            "II. NỘI DUNG, ĐỐI TƯỢNG",
            "a) Kiểm tra việc giao đất, cho thuê đất, thu hồi đất tại 08 xã: Bình Yên, Cần Kiệm, Cẩm "
            "Yên, Đại Đồng, Hữu Bằng, Kim Quan, Lại Thượng, Tân Xã.",
            "b) Kiểm tra việc sử dụng đất của 12 tổ chức được Nhà nước cho thuê đất trả tiền hằng năm.",
            "c) Kiểm tra việc cập nhật, chỉnh lý biến động hồ sơ địa chính từ ngày 01/01/2022 đến nay.",
        ),
    ),
    Page(
        motto=(),
        body=(
            "III. THỜI GIAN, TỔ CHỨC THỰC HIỆN",
            "1. Thời gian: từ ngày 01/7/2024 đến ngày 30/9/2024; mỗi xã không quá 03 ngày làm việc.",
            "2. Đoàn kiểm tra gồm 07 thành viên do Phó Trưởng phòng Tài nguyên và Môi trường làm trưởng "
            "đoàn; kinh phí thực hiện 46.500.000 đồng từ ngân sách huyện năm 2024.",
            "3. Ủy ban nhân dân các xã chuẩn bị báo cáo theo đề cương gửi về Phòng trước ngày 25/6/2024, "
            "bố trí công chức địa chính làm việc với đoàn.",
            "4. Kết thúc đợt kiểm tra, đoàn tổng hợp, báo cáo Ủy ban nhân dân huyện trước ngày 15/10/2024; "
            "đề xuất xử lý theo thẩm quyền đối với các trường hợp vi phạm.",
        ),
        signature=("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "", "", "Tạ Quang Huy"),
    ),
])

CONG_VAN_TRA_LOI = Document("benchmark/cv-tra-loi-kien-nghi.png", [Page(
    agency=("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"),
    number="Số: 1187/UBND-TNMT",
    place_date="Thạch Thất, ngày 24 tháng 7 năm 2024",
    title=("V/v trả lời đơn kiến nghị của", "ông Chu Văn Lộc, thôn Phú Hữu, xã Canh Nậu"),
    body=(
        "Kính gửi: Ông Chu Văn Lộc, thôn Phú Hữu, xã Canh Nậu.",
        "Ủy ban nhân dân huyện nhận được đơn đề ngày 03/7/2024 của ông về việc đề nghị xem xét lại "
        "ranh giới thửa đất số 190, tờ bản đồ số 4, giáp với thửa đất của hộ ông Bạch Văn Sử.",
        "Qua kiểm tra hồ sơ địa chính lưu tại Chi nhánh Văn phòng đăng ký đất đai và đo đạc hiện trạng "
        "ngày 16/7/2024, diện tích thực tế thửa đất là 431,2 m², giảm 6,8 m² so với bản đồ năm 1994; "
        "ranh giới phía Tây đã bị dịch chuyển khoảng 0,45 m do xây tường rào năm 2019.",
        "Ủy ban nhân dân huyện giao Ủy ban nhân dân xã Canh Nậu tổ chức hoà giải tranh chấp đất đai "
        "giữa hai hộ trong thời hạn 45 ngày; trường hợp hoà giải không thành thì hướng dẫn các bên gửi "
        "đơn đến cơ quan có thẩm quyền giải quyết theo quy định tại Điều 236 Luật Đất đai năm 2024.",
        "Ủy ban nhân dân huyện trả lời để ông được biết./.",
    ),
    signature=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "Nguyễn Hữu Quý"),
)])

THONG_BAO_KET_LUAN = Document("benchmark/tb-ket-luan.png", [Page(
    agency=("ỦY BAN NHÂN DÂN", "HUYỆN THẠCH THẤT"),
    number="Số: 206/TB-UBND",
    place_date="Thạch Thất, ngày 19 tháng 8 năm 2024",
    title=("THÔNG BÁO", "Kết luận của Chủ tịch UBND huyện",
           "về công tác cấp Giấy chứng nhận quyền sử dụng đất"),
    body=(
        "Ngày 14/8/2024, đồng chí Chủ tịch Ủy ban nhân dân huyện chủ trì buổi làm việc với Phòng Tài "
        "nguyên và Môi trường, Chi nhánh Văn phòng đăng ký đất đai về tiến độ cấp Giấy chứng nhận.",
        "Đến hết tháng 7/2024, toàn huyện đã cấp 1.482 Giấy chứng nhận lần đầu, đạt 74,1% kế hoạch; "
        "còn 219 hồ sơ quá hạn, chủ yếu tại các xã Bình Phú, Thạch Hoà và Hương Ngải.",
        "Chủ tịch Ủy ban nhân dân huyện kết luận:",
        "- Phòng Tài nguyên và Môi trường rà soát toàn bộ hồ sơ quá hạn, xin lỗi bằng văn bản người "
        "dân theo quy định, hoàn thành trước ngày 30/9/2024.",
        "- Ủy ban nhân dân các xã niêm yết công khai thủ tục, không yêu cầu nộp thêm giấy tờ ngoài "
        "quy định; kịp thời báo cáo khó khăn, vướng mắc.",
        "- Bộ phận một cửa huyện số hoá hồ sơ ngay khi tiếp nhận, trả kết quả đúng hẹn.",
    ),
    signature=("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "", "", "Vũ Thị Hoa"),
)])

BENCHMARK_DOCUMENTS = [BIEN_BAN_BAN_GIAO, QUYET_DINH_THU_HOI, DON_DE_NGHI, HOP_DONG_CHUYEN_NHUONG,
                       GIAY_MOI_HOP, KE_HOACH_KIEM_TRA, CONG_VAN_TRA_LOI, THONG_BAO_KET_LUAN]
