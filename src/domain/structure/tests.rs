//! Tests of the legal-structure parser.

use super::*;

// The plan from ../shared/seed, as shipped with the demo data.
const SEED_PLAN: &str = include_str!("../../demo/de-an-cai-cach-hanh-chinh-son-tay-2016-2020.txt");

/// The corpus sample beside the project (../shared/corpus), read at run time.
fn corpus_sample() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/phapdien_articles.sample200.jsonl"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const DECISION: &str = "\
ỦY BAN NHÂN DÂN
HUYỆN SƠN TÂY
Số: 12/2024/QĐ-UBND

QUYẾT ĐỊNH
Ban hành Quy chế tiếp nhận và giải quyết hồ sơ hành chính

ỦY BAN NHÂN DÂN HUYỆN SƠN TÂY

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Căn cứ Điều 5 của Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ;
Theo đề nghị của Trưởng phòng Nội vụ.

QUYẾT ĐỊNH:

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Quy chế này quy định việc tiếp nhận và giải quyết hồ sơ hành chính tại huyện.

Điều 2: Đối tượng áp dụng
1. Cán bộ, công chức làm việc tại Bộ phận một cửa.
2. Tổ chức, cá nhân có hồ sơ theo quy định tại Điều 5 của Quy chế này.

CHƯƠNG II. NHỮNG QUY ĐỊNH CỤ THỂ

Mục 1
TIẾP NHẬN HỒ SƠ

Điều 3 . Tiếp nhận hồ sơ
1. Hồ sơ gồm:
a) Đơn đề nghị;
b) Bản sao giấy tờ tùy thân;
c) Giấy ủy quyền, nếu nộp thay;
d) Bản kê khai;
đ) Giấy tờ khác theo quy định tại
Điều 5 của Quy chế này.
2. Công chức tiếp nhận kiểm tra hồ sơ trong ngày.

Mục 2. GIẢI QUYẾT HỒ SƠ

Điều 4 Thời hạn giải quyết
Thời hạn giải quyết như sau:
a) Hồ sơ đơn giản: 03 ngày làm việc;
b) Hồ sơ phức tạp: 10 ngày làm việc.

Điều 4a. Giải quyết hồ sơ trực tuyến
Hồ sơ nộp trực tuyến được giải quyết như hồ sơ nộp trực tiếp.

Chương III
TỔ CHỨC THỰC HIỆN

Điều 5. Hiệu lực thi hành
1. Quyết định này có hiệu lực từ ngày 01 tháng 7 năm 2024.
2. Chánh Văn phòng HĐND và UBND huyện, Trưởng phòng Nội vụ chịu trách nhiệm thi hành Quyết định này./.

Nơi nhận:
- Như Điều 5;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn An
";

// Three real articles from the Pháp điển sample, laid out as in the documents file
// ("Điều N. <title>\n<body>"): Luật Biên phòng Việt Nam 66/2020/QH14 Điều 28, Thông tư
// 04/2021/TT-BVHTTDL Điều 4 and Luật Kinh doanh bảo hiểm 24/2000/QH10 Điều 81 (written
// without a space after "1." and "a)").
const REAL_ARTICLES: &str = "\
Điều 28. Trách nhiệm của Chính phủ
1. Chính phủ thống nhất quản lý nhà nước về biên phòng.

2. Nội dung quản lý nhà nước về biên phòng bao gồm:

a) Ban hành, trình cấp có thẩm quyền ban hành và tổ chức thực hiện chiến lược, chính sách, pháp luật về biên phòng, xây dựng nền biên phòng toàn dân, thế trận biên phòng toàn dân và xây dựng lực lượng nòng cốt, chuyên trách thực thi nhiệm vụ biên phòng;

b) Tổ chức, chỉ đạo thực thi nhiệm vụ biên phòng;

c) Hợp tác quốc tế về biên phòng, đối ngoại biên phòng;

d) Kiểm tra, thanh tra, xử lý vi phạm pháp luật, giải quyết khiếu nại, tố cáo, sơ kết, tổng kết, thi đua, khen thưởng về biên phòng;

đ) Tuyên truyền, phổ biến, giáo dục pháp luật về biên phòng.

Điều 4. Tiêu chuẩn bổ nhiệm giám định viên tư pháp
1. Có sức khỏe, phẩm chất đạo đức tốt.

2. Có trình độ đại học trở lên thuộc một trong các chuyên ngành đào tạo sau đây:

a) Mỹ thuật;

b) Mỹ thuật ứng dụng;

c) Nghệ thuật trình diễn;

d) Nghệ thuật nghe nhìn;

đ) Ngôn ngữ, văn học và văn hóa Việt Nam;

e) Thư viện;

g) Bảo tàng;

h) Luật;

k) Chuyên ngành khác về nghệ thuật và nhân văn có liên quan.

3. Đã qua thực tế hoạt động chuyên môn ở lĩnh vực được đào tạo từ đủ 05 năm trở lên (trực tiếp làm công tác chuyên môn về chuyên ngành được đào tạo quy định tại khoản 2 Điều này).

Điều 81. Chấm dứt việc áp dụng các biện pháp khôi phục khả năng thanh toán.
1.Việc áp dụng các biện pháp khôi phục khả năng thanh toán chấm dứt trong các trườnghợp sau đây:

a)Hết hạn áp dụng biện pháp khôi phục khả năng thanh toán;

b)Hoạt động của doanh nghiệp bảo hiểm trở lại bình thường;

c)Doanh nghiệp bảo hiểm đã được hợp nhất, sáp nhập trước khi hết thời hạn áp dụngbiện pháp khôi phục khả năng thanh toán;

d)Doanh nghiệp bảo hiểm lâm vào tình trạng phá sản.

2.Việc chấm dứt áp dụng các biện pháp khôi phục khả năng thanh toán được thựchiện theo quyết định của Bộ trưởng Bộ Tài chính. Quyết định này được thông báocho các cơ quan có liên quan.
";

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

fn paths(nodes: &[Provision]) -> Vec<&str> {
    nodes.iter().map(|p| p.path.as_str()).collect()
}

fn get<'a>(tree: &'a [Provision], path: &str) -> &'a Provision {
    find(tree, path).unwrap_or_else(|| panic!("no provision at {path}"))
}

/// What every parse must satisfy: unique well-formed paths, children's text inside
/// their parent's, and a flat list that is the pre-order walk of the tree.
fn check_invariants(tree: &[Provision]) {
    fn walk(nodes: &[Provision], count: &mut usize) {
        for node in nodes {
            *count += 1;
            assert!(!node.text.is_empty() || node.children.is_empty());
            assert_eq!(node.text, node.text.trim());
            for child in &node.children {
                assert!(
                    node.text.contains(&child.text),
                    "{} not inside {}",
                    child.path,
                    node.path
                );
            }
            walk(&node.children, count);
        }
    }
    let mut count = 0;
    walk(tree, &mut count);
    let flat = flatten(tree);
    assert_eq!(flat.len(), count);
    let unique: HashSet<&str> = flat.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(unique.len(), flat.len(), "paths must be unique");
    for (i, row) in flat.iter().enumerate() {
        assert_eq!(row.ord, i32::try_from(i).unwrap());
        assert!(!row.path.is_empty());
        assert!(
            row.path
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'/'),
            "bad path {}",
            row.path
        );
        assert!(!row.path.split('/').any(str::is_empty));
        assert_eq!(get(tree, &row.path).text, row.text);
        if i == 0 {
            assert_eq!(row.depth, 0);
        } else {
            assert!(row.depth <= flat[i - 1].depth + 1);
        }
        if row.depth > 0 {
            // The parent is the nearest earlier row one level up.
            let parent = flat[..i]
                .iter()
                .rev()
                .find(|p| p.depth == row.depth - 1)
                .unwrap();
            assert!(paths(&get(tree, &parent.path).children).contains(&row.path.as_str()));
        } else {
            assert!(paths(tree).contains(&row.path.as_str()));
        }
    }
}

#[test]
fn decision_parses_into_chapters_sections_articles_clauses_points() {
    let tree = parse(DECISION);
    check_invariants(&tree);
    let flat = flatten(&tree);
    let got: Vec<(&str, i32)> = flat.iter().map(|f| (f.path.as_str(), f.depth)).collect();
    assert_eq!(
        got,
        vec![
            ("chuong-i", 0),
            ("dieu-1", 1),
            ("dieu-2", 1),
            ("dieu-2/khoan-1", 2),
            ("dieu-2/khoan-2", 2),
            ("chuong-ii", 0),
            ("chuong-ii/muc-1", 1),
            ("dieu-3", 2),
            ("dieu-3/khoan-1", 3),
            ("dieu-3/khoan-1/diem-a", 4),
            ("dieu-3/khoan-1/diem-b", 4),
            ("dieu-3/khoan-1/diem-c", 4),
            ("dieu-3/khoan-1/diem-d", 4),
            ("dieu-3/khoan-1/diem-dd", 4),
            ("dieu-3/khoan-2", 3),
            ("chuong-ii/muc-2", 1),
            ("dieu-4", 2),
            ("dieu-4/diem-a", 3),
            ("dieu-4/diem-b", 3),
            ("dieu-4a", 2),
            ("chuong-iii", 0),
            ("dieu-5", 1),
            ("dieu-5/khoan-1", 2),
            ("dieu-5/khoan-2", 2),
        ]
    );

    let chapter = get(&tree, "chuong-i");
    assert_eq!(chapter.kind, ProvisionKind::Chapter);
    assert_eq!(chapter.number, "I");
    assert_eq!(chapter.heading.as_deref(), Some("QUY ĐỊNH CHUNG"));
    assert!(chapter
        .text
        .starts_with("Chương I\nQUY ĐỊNH CHUNG\n\nĐiều 1."));
    assert_eq!(
        get(&tree, "chuong-ii").heading.as_deref(),
        Some("NHỮNG QUY ĐỊNH CỤ THỂ")
    );
    assert_eq!(
        get(&tree, "chuong-ii/muc-1").heading.as_deref(),
        Some("TIẾP NHẬN HỒ SƠ")
    );
    assert_eq!(
        get(&tree, "chuong-ii/muc-2").heading.as_deref(),
        Some("GIẢI QUYẾT HỒ SƠ")
    );

    let article = get(&tree, "dieu-1");
    assert_eq!(article.kind, ProvisionKind::Article);
    assert_eq!(article.number, "1");
    assert_eq!(article.heading.as_deref(), Some("Phạm vi điều chỉnh"));
    assert_eq!(
        article.text,
        "Điều 1. Phạm vi điều chỉnh\n\
             Quy chế này quy định việc tiếp nhận và giải quyết hồ sơ hành chính tại huyện."
    );
    assert_eq!(
        get(&tree, "dieu-2").heading.as_deref(),
        Some("Đối tượng áp dụng")
    );
    assert_eq!(
        get(&tree, "dieu-3").heading.as_deref(),
        Some("Tiếp nhận hồ sơ")
    );
    assert_eq!(
        get(&tree, "dieu-4").heading.as_deref(),
        Some("Thời hạn giải quyết")
    );
    let inserted = get(&tree, "dieu-4a");
    assert_eq!(inserted.number, "4a");
    assert_eq!(
        inserted.heading.as_deref(),
        Some("Giải quyết hồ sơ trực tuyến")
    );

    let clause = get(&tree, "dieu-2/khoan-2");
    assert_eq!(clause.kind, ProvisionKind::Clause);
    assert_eq!(clause.number, "2");
    assert_eq!(clause.heading, None);
    assert_eq!(
        clause.text,
        "2. Tổ chức, cá nhân có hồ sơ theo quy định tại Điều 5 của Quy chế này."
    );

    // "Điều 5 của Quy chế này" wrapped onto its own line stays in point đ.
    let point = get(&tree, "dieu-3/khoan-1/diem-dd");
    assert_eq!(point.kind, ProvisionKind::Point);
    assert_eq!(point.number, "đ");
    assert_eq!(
        point.text,
        "đ) Giấy tờ khác theo quy định tại\nĐiều 5 của Quy chế này."
    );
    assert_eq!(get(&tree, "dieu-3/khoan-1/diem-d").text, "d) Bản kê khai;");
    assert_eq!(
        get(&tree, "dieu-4/diem-b").text,
        "b) Hồ sơ phức tạp: 10 ngày làm việc."
    );

    // Only the real Điều 5 is an article; the preamble and the closing block belong to
    // no provision.
    let fives = flat.iter().filter(|f| f.path.starts_with("dieu-5")).count();
    assert_eq!(fives, 3);
    assert_eq!(
        get(&tree, "dieu-5").heading.as_deref(),
        Some("Hiệu lực thi hành")
    );
    assert!(get(&tree, "dieu-5/khoan-2")
        .text
        .ends_with("Quyết định này./."));
    for row in &flat {
        assert!(!row.text.contains("Căn cứ"), "{}", row.path);
        assert!(!row.text.contains("Nơi nhận"), "{}", row.path);
        assert!(!row.text.contains("CHỦ TỊCH"), "{}", row.path);
    }
}

#[test]
fn any_normalisation_and_line_ending_parse_the_same() {
    let nfc = parse(DECISION);
    assert_eq!(parse(&nfd(DECISION)), nfc);
    assert_eq!(parse(&DECISION.replace('\n', "\r\n")), nfc);
    assert_eq!(parse(&format!("\u{FEFF}{DECISION}")), nfc);
    let decomposed = nfd("Điều 1. Phạm vi điều chỉnh\nđ) điểm");
    assert_ne!(decomposed, "Điều 1. Phạm vi điều chỉnh\nđ) điểm");
    let tree = parse(&decomposed);
    assert_eq!(tree[0].heading.as_deref(), Some("Phạm vi điều chỉnh"));
    assert_eq!(tree[0].children[0].path, "dieu-1/diem-dd");
}

#[test]
fn article_headings_as_written() {
    let text = "\
Điều 1. Một
Điều 2: Hai
Điều 3 . Ba
Điều 4 Bốn
ĐIỀU 5. NĂM
Điều 6
Điều 7 - Bảy
Điều 8a. Tám a
Điều 9.
Điều5. Dính liền";
    let tree = parse(text);
    check_invariants(&tree);
    let got: Vec<(&str, Option<&str>)> = tree
        .iter()
        .map(|p| (p.number.as_str(), p.heading.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("1", Some("Một")),
            ("2", Some("Hai")),
            ("3", Some("Ba")),
            ("4", Some("Bốn")),
            ("5", Some("NĂM")),
            ("6", None),
            ("7", Some("Bảy")),
            ("8a", Some("Tám a")),
            ("9", None),
            ("5", Some("Dính liền")),
        ]
    );
    assert_eq!(tree[7].path, "dieu-8a");
    // The repeated number gets a deterministic suffix.
    assert_eq!(tree[9].path, "dieu-5-2");
}

#[test]
fn sentences_starting_a_line_are_not_headings() {
    let text = "\
Điều 1. Áp dụng
1. Vụ án quy định tại
Điều 206 và Điều 207 của Bộ luật này.
Điều kiện bảo hiểm do Chính phủ quy định.
Điều 5 của Luật này được áp dụng.
Chương trình giám sát được triển khai.
CHƯƠNG TRÌNH, NỘI DUNG BỒI DƯỠNG
Mục tiêu 1. Chấm dứt nghèo
Mục 1 khoản 1 Phụ lục IV ban hành kèm theo Nghị định.
Phần thu nhập tính thuế.
Phần thứ hai của khoản tiền.
Dân số: 19.953 người, nơi cao nhất
1.700 m so với mực nước biển.
1.5 lần mức lương cơ sở.
01 lãnh đạo Bộ Công an;
f) không phải chữ cái của điểm;
v.v. và các trường hợp khác.";
    let tree = parse(text);
    check_invariants(&tree);
    assert_eq!(paths(&tree), vec!["dieu-1"]);
    assert_eq!(paths(&tree[0].children), vec!["dieu-1/khoan-1"]);
    assert!(tree[0].children[0].children.is_empty());
    assert!(tree[0].children[0].text.ends_with("các trường hợp khác."));
}

#[test]
fn parts_chapters_and_sections_are_addressed_as_documented() {
    let text = "\
PHẦN THỨ NHẤT
NHỮNG QUY ĐỊNH CHUNG
Chương I
PHẠM VI
Mục 1
ĐỐI TƯỢNG
Điều 1. Phạm vi
Nội dung.
Phần thứ hai
QUYỀN VÀ NGHĨA VỤ
Chương II: QUYỀN
Mục 1. CÁ NHÂN
Điều 2. Quyền của cá nhân
Nội dung.
Mục 2 TỔ CHỨC
Điều 3. Quyền của tổ chức
Nội dung.
Chương 3
Điều 4. Không có tên chương
PHẦN III. ĐIỀU KHOẢN THI HÀNH
Điều 5. Hiệu lực";
    let tree = parse(text);
    check_invariants(&tree);
    assert_eq!(
        paths(&tree),
        vec!["phan-thu-nhat", "phan-thu-hai", "phan-iii"]
    );
    assert_eq!(tree[0].number, "THỨ NHẤT");
    assert_eq!(tree[0].heading.as_deref(), Some("NHỮNG QUY ĐỊNH CHUNG"));
    assert_eq!(tree[1].number, "thứ hai");
    assert_eq!(tree[2].heading.as_deref(), Some("ĐIỀU KHOẢN THI HÀNH"));
    // Chapters are numbered across parts, sections restart in each chapter.
    assert_eq!(paths(&tree[0].children), vec!["chuong-i"]);
    assert_eq!(paths(&tree[1].children), vec!["chuong-ii", "chuong-3"]);
    assert_eq!(
        paths(&get(&tree, "chuong-ii").children),
        vec!["chuong-ii/muc-1", "chuong-ii/muc-2"]
    );
    assert_eq!(get(&tree, "chuong-ii").heading.as_deref(), Some("QUYỀN"));
    assert_eq!(
        get(&tree, "chuong-ii/muc-2").heading.as_deref(),
        Some("TỔ CHỨC")
    );
    assert_eq!(get(&tree, "chuong-3").heading, None);
    assert_eq!(
        get(&tree, "chuong-i/muc-1").heading.as_deref(),
        Some("ĐỐI TƯỢNG")
    );
    assert_eq!(
        paths(&get(&tree, "chuong-ii/muc-2").children),
        vec!["dieu-3"]
    );
    assert_eq!(paths(&get(&tree, "chuong-3").children), vec!["dieu-4"]);
    assert_eq!(paths(&tree[2].children), vec!["dieu-5"]);
}

#[test]
fn enumerations_inside_an_article_are_not_chapters() {
    let text = "\
Điều 1. Danh mục
Danh mục gồm các chương sau:
Chương 1: Động vật sống
Chương 2
Thịt và phụ phẩm dạng thịt ăn được sau giết mổ
Phần I: Phần chung
Chương II
QUY ĐỊNH CỤ THỂ
Điều 2. Nội dung
Mục 1. Quy định chung
Mục 2. Quy định riêng";
    let tree = parse(text);
    check_invariants(&tree);
    assert_eq!(paths(&tree), vec!["dieu-1", "chuong-ii"]);
    assert!(tree[0].text.contains("Phần I: Phần chung"));
    assert_eq!(paths(&tree[1].children), vec!["dieu-2"]);
    assert!(tree[1].children[0].text.ends_with("Mục 2. Quy định riêng"));

    // A title-case chapter that continues the numbering is still a chapter.
    let tree = parse("Chương I. Quy định chung\nĐiều 1. A\nChương II. Quy định cụ thể\nĐiều 2. B");
    assert_eq!(paths(&tree), vec!["chuong-i", "chuong-ii"]);
    assert_eq!(tree[1].heading.as_deref(), Some("Quy định cụ thể"));
}

#[test]
fn points_directly_under_an_article_and_d_vs_dd() {
    let tree = parse("Điều 7. Điểm\nGồm:\nd) dê;\nđ) đê;\ne) e.\n");
    check_invariants(&tree);
    assert_eq!(
        paths(&tree[0].children),
        vec!["dieu-7/diem-d", "dieu-7/diem-dd", "dieu-7/diem-e"]
    );
    assert_eq!(get(&tree, "dieu-7/diem-dd").text, "đ) đê;");
    assert_eq!(segment(ProvisionKind::Point, "đ"), "diem-dd");
    assert_eq!(segment(ProvisionKind::Article, "5đ"), "dieu-5dd");
    assert_eq!(segment(ProvisionKind::Part, "thứ nhất"), "phan-thu-nhat");
    assert_eq!(segment(ProvisionKind::Chapter, "IV"), "chuong-iv");
}

#[test]
fn clauses_and_points_need_an_article() {
    // In article mode, numbered lines outside articles are body text.
    let tree = parse(
        "Chương I\nQUY ĐỊNH\n1. Không phải khoản.\na) Không phải điểm.\nĐiều 1. A\n1. Khoản.\n",
    );
    check_invariants(&tree);
    assert_eq!(paths(&tree[0].children), vec!["dieu-1"]);
    assert_eq!(paths(&tree[0].children[0].children), vec!["dieu-1/khoan-1"]);
    // A point ends at the next clause; decimal clauses nest under their prefix.
    let tree = parse("Điều 1. A\n1. Một\na) a\n1.1. Một một\n1.2. Một hai\n2. Hai\n2.1) Hai một\n");
    check_invariants(&tree);
    let got: Vec<(String, i32)> = flatten(&tree)
        .into_iter()
        .map(|f| (f.path, f.depth))
        .collect();
    let want = [
        ("dieu-1", 0),
        ("dieu-1/khoan-1", 1),
        ("dieu-1/khoan-1/diem-a", 2),
        ("dieu-1/khoan-1/khoan-1-1", 2),
        ("dieu-1/khoan-1/khoan-1-2", 2),
        ("dieu-1/khoan-2", 1),
        ("dieu-1/khoan-2/khoan-2-1", 2),
    ]
    .map(|(p, d)| (p.to_string(), d));
    assert_eq!(got, want);
}

#[test]
fn closing_block_ends_provisions_and_an_attached_regulation_follows() {
    let text = "\
Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc.
Điều 2. Quyết định này có hiệu lực từ ngày ký.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
1. Dòng này thuộc khối ký, không phải khoản.

QUY CHẾ
Làm việc của Ủy ban nhân dân huyện
(Ban hành kèm theo Quyết định số 12/2024/QĐ-UBND)

Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
1. Quy chế này quy định chế độ làm việc.
Điều 2. Nguyên tắc làm việc
Làm việc theo chế độ tập thể.";
    let tree = parse(text);
    check_invariants(&tree);
    assert_eq!(paths(&tree), vec!["dieu-1", "dieu-2", "chuong-i"]);
    assert_eq!(
        tree[1].text,
        "Điều 2. Quyết định này có hiệu lực từ ngày ký."
    );
    assert!(tree[1].children.is_empty());
    // The regulation repeats "Điều 1": its paths get a suffix, children follow it.
    assert_eq!(paths(&tree[2].children), vec!["dieu-1-2", "dieu-2-2"]);
    assert_eq!(
        paths(&tree[2].children[0].children),
        vec!["dieu-1-2/khoan-1"]
    );
    assert!(!tree[2].text.contains("Nơi nhận"));
    // "Nơi nhận:" followed by prose describes a form field and is not the block.
    let tree = parse("Điều 1. Mẫu\nNơi nhận: ghi tên cơ quan nhận.\n1. Khoản.");
    assert_eq!(paths(&tree[0].children), vec!["dieu-1/khoan-1"]);
}

#[test]
fn quoted_amendments_are_body_text() {
    let text = "\
Điều 1. Sửa đổi, bổ sung một số điều của Quyết định số 05/2020/QĐ-UBND
1. Sửa đổi Điều 5 như sau:
“Điều 5. Thời hạn
1. Thời hạn là 05 ngày.
a) Hồ sơ đơn giản;
2. Thời hạn gia hạn là 03 ngày.”.
2. Bổ sung khoản 3 vào Điều 6 như sau:
\"3. Trường hợp đặc biệt
a) do Chủ tịch quyết định.\"
Điều 2. Hiệu lực thi hành
Quyết định này có hiệu lực từ ngày ký.";
    let tree = parse(text);
    check_invariants(&tree);
    let flat = flatten(&tree);
    let got: Vec<&str> = flat.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        got,
        vec!["dieu-1", "dieu-1/khoan-1", "dieu-1/khoan-2", "dieu-2"]
    );
    assert!(get(&tree, "dieu-1/khoan-1")
        .text
        .contains("2. Thời hạn gia hạn là 03 ngày.”."));
    // An opening quote that is never closed hides nothing.
    let tree = parse("Điều 1. A\n“Trích dẫn mở\n1. Khoản một.\nĐiều 2. B");
    assert_eq!(paths(&tree), vec!["dieu-1", "dieu-2"]);
    assert_eq!(paths(&tree[0].children), vec!["dieu-1/khoan-1"]);
}

#[test]
fn seed_plan_parses_as_an_outline() {
    let tree = parse(SEED_PLAN);
    check_invariants(&tree);
    assert_eq!(paths(&tree), vec!["phan-a", "phan-b", "phan-c", "phan-d"]);
    let headings: Vec<_> = tree.iter().map(|p| p.heading.as_deref()).collect();
    assert_eq!(
        headings,
        vec![
            Some("TÌNH HÌNH VÀ SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN"),
            Some("THỰC TRẠNG CẢI CÁCH HÀNH CHÍNH TRONG HỆ THỐNG CHÍNH TRỊ TRONG THỜI GIAN QUA"),
            Some("NHIỆM VỤ, GIẢI PHÁP"),
            Some("TỔ CHỨC THỰC HIỆN"),
        ]
    );
    assert!(tree.iter().all(|p| p.kind == ProvisionKind::Part));

    assert_eq!(
        paths(&tree[0].children),
        vec!["phan-a/muc-i", "phan-a/muc-ii"]
    );
    assert_eq!(
        paths(&tree[1].children),
        vec![
            "phan-b/muc-i",
            "phan-b/muc-ii",
            "phan-b/muc-iii",
            "phan-b/muc-iv",
            "phan-b/muc-v",
            "phan-b/muc-vi",
        ]
    );
    assert_eq!(
        paths(&tree[2].children),
        vec!["phan-c/muc-i", "phan-c/muc-ii"]
    );
    assert_eq!(
        paths(&tree[3].children),
        vec![
            "phan-d/muc-i",
            "phan-d/muc-ii",
            "phan-d/muc-iii",
            "phan-d/muc-iv"
        ]
    );

    let section = get(&tree, "phan-a/muc-i");
    assert_eq!(section.kind, ProvisionKind::Section);
    assert_eq!(section.number, "I");
    assert_eq!(
        section.heading.as_deref(),
        Some("Đặc điểm, tình hình chung huyện Sơn Tây")
    );
    // Bullets and figures are body text of the section.
    assert!(section.children.is_empty());
    assert!(section.text.contains("* Nằm từ"));
    assert!(section
        .text
        .contains("* Dân số: 19.953 người với 5.389 hộ."));
    assert_eq!(
        get(&tree, "phan-b/muc-v").heading.as_deref(),
        Some("Cải cách tài chính công")
    );
    assert!(get(&tree, "phan-b/muc-v")
        .text
        .contains("- Hành chính: 13 cơ quan"));

    let goals = get(&tree, "phan-c/muc-i");
    assert_eq!(
        paths(&goals.children),
        vec!["phan-c/muc-i/khoan-1", "phan-c/muc-i/khoan-2"]
    );
    assert_eq!(goals.children[0].heading.as_deref(), Some("Quan điểm"));
    assert_eq!(
        paths(&get(&tree, "phan-c/muc-i/khoan-2").children),
        vec![
            "phan-c/muc-i/khoan-2/khoan-2-1",
            "phan-c/muc-i/khoan-2/khoan-2-2"
        ]
    );
    let specific = get(&tree, "phan-c/muc-i/khoan-2/khoan-2-2");
    assert_eq!(specific.heading.as_deref(), Some("Mục tiêu cụ thể"));
    assert_eq!(specific.children.len(), 6);
    let institutions = get(&tree, "phan-c/muc-i/khoan-2/khoan-2-2/khoan-2-2-1");
    assert_eq!(institutions.number, "2.2.1");
    assert_eq!(institutions.heading.as_deref(), Some("Cải cách thể chế"));

    let tasks = get(&tree, "phan-c/muc-ii/khoan-1");
    assert_eq!(tasks.heading.as_deref(), Some("Nhiệm vụ"));
    assert_eq!(tasks.children.len(), 6);
    assert_eq!(
        get(&tree, "phan-c/muc-ii/khoan-1/khoan-1-3")
            .heading
            .as_deref(),
        Some("Cải cách bộ máy hành chính nhà nước")
    );
    assert_eq!(get(&tree, "phan-c/muc-ii/khoan-2").children.len(), 6);

    let duties = get(&tree, "phan-d/muc-iv");
    assert_eq!(duties.heading.as_deref(), Some("Trách nhiệm thực hiện"));
    let numbers: Vec<&str> = duties.children.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers, vec!["1", "2", "3", "4", "5", "6"]);
    assert_eq!(duties.children[1].heading.as_deref(), Some("Phòng Nội vụ"));
    // A one-paragraph item has no title.
    assert_eq!(duties.children[2].heading, None);

    for row in flatten(&tree) {
        assert!(!row.text.contains("Nơi nhận"), "{}", row.path);
        assert!(!row.text.contains("Lê Văn Tùng"), "{}", row.path);
        assert!(!row
            .text
            .contains("Đẩy mạnh cải cách hành chính trong hệ thống chính trị, giai đoạn"));
    }
    assert_eq!(parse(&nfd(SEED_PLAN)), tree);
}

#[test]
fn outline_letters_and_numerals_are_told_apart() {
    let text = "\
KẾ HOẠCH
A. MỘT
I. Một
II. Hai
III. Ba
IV. Bốn
V. Năm
B. HAI
I. Một
- gạch đầu dòng
* dấu sao
C. BA
D. BỐN
I. Một
1. Khoản
a) Điểm
b) Điểm
TM. ỦY BAN NHÂN DÂN
E. sau khối ký";
    let tree = parse(text);
    check_invariants(&tree);
    assert_eq!(
        paths(&tree),
        vec!["phan-a", "phan-b", "phan-c", "phan-d", "phan-e"]
    );
    assert_eq!(tree[0].children.len(), 5);
    assert_eq!(tree[0].children[4].path, "phan-a/muc-v");
    assert_eq!(paths(&tree[1].children), vec!["phan-b/muc-i"]);
    assert!(tree[1].children[0].text.ends_with("* dấu sao"));
    assert!(tree[2].children.is_empty());
    assert_eq!(
        paths(&get(&tree, "phan-d/muc-i/khoan-1").children),
        vec!["phan-d/muc-i/khoan-1/diem-a", "phan-d/muc-i/khoan-1/diem-b"]
    );
    assert!(!tree[3].text.contains("TM."));

    // Without letters, sections sit at the top; a letter that does not continue the
    // parts (the first must be A or B) is text.
    let tree = parse("I. MỤC ĐÍCH\n1. Mục đích\nII. YÊU CẦU\nG. Không phải phần");
    check_invariants(&tree);
    assert_eq!(paths(&tree), vec!["muc-i", "muc-ii"]);
    assert_eq!(paths(&tree[0].children), vec!["muc-i/khoan-1"]);
    assert!(tree[1].text.ends_with("G. Không phải phần"));

    // "I." after "H." is a section of H while H has none, then the next part.
    let tree = parse("A. A\nB. B\nC. C\nD. D\nE. E\nF. F\nG. G\nH. H\nI. Một\nII. Hai\nI. Chín");
    check_invariants(&tree);
    let parts: Vec<&str> = tree.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(parts, vec!["A", "B", "C", "D", "E", "F", "G", "H", "I"]);
    assert_eq!(
        paths(&tree[7].children),
        vec!["phan-h/muc-i", "phan-h/muc-ii"]
    );
    assert_eq!(tree[8].path, "phan-i");
    assert_eq!(tree[8].kind, ProvisionKind::Part);
}

#[test]
fn real_articles_from_the_corpus() {
    let tree = parse(REAL_ARTICLES);
    check_invariants(&tree);
    assert_eq!(paths(&tree), vec!["dieu-28", "dieu-4", "dieu-81"]);
    assert_eq!(
        tree[0].heading.as_deref(),
        Some("Trách nhiệm của Chính phủ")
    );
    assert_eq!(
        paths(&get(&tree, "dieu-28/khoan-2").children),
        vec![
            "dieu-28/khoan-2/diem-a",
            "dieu-28/khoan-2/diem-b",
            "dieu-28/khoan-2/diem-c",
            "dieu-28/khoan-2/diem-d",
            "dieu-28/khoan-2/diem-dd",
        ]
    );
    let letters: Vec<&str> = get(&tree, "dieu-4/khoan-2")
        .children
        .iter()
        .map(|p| p.number.as_str())
        .collect();
    assert_eq!(letters, vec!["a", "b", "c", "d", "đ", "e", "g", "h", "k"]);
    assert_eq!(get(&tree, "dieu-4").children.len(), 3);
    // "khoản 2 Điều này" inside clause 3 stays text.
    assert!(get(&tree, "dieu-4/khoan-3")
        .text
        .ends_with("khoản 2 Điều này)."));
    // Written without spaces: "1.Việc", "a)Hết".
    assert_eq!(
        tree[2].heading.as_deref(),
        Some("Chấm dứt việc áp dụng các biện pháp khôi phục khả năng thanh toán")
    );
    assert_eq!(
        paths(&tree[2].children),
        vec!["dieu-81/khoan-1", "dieu-81/khoan-2"]
    );
    assert_eq!(get(&tree, "dieu-81/khoan-1").children.len(), 4);
    assert!(get(&tree, "dieu-81/khoan-1/diem-a")
        .text
        .starts_with("a)Hết hạn"));
    assert_eq!(parse(&nfd(REAL_ARTICLES)), tree);
}

/// Clause numbers as a reader would list them: lines "N." or "N)" up to the first
/// line that starts another structural unit.
fn expected_clauses(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in body.lines().map(str::trim) {
        if ["Mục ", "Chương ", "Nơi nhận", "Điều "]
            .iter()
            .any(|w| line.starts_with(w))
        {
            break;
        }
        let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
        let rest = &line[digits.len()..];
        let marked = rest.starts_with('.') || rest.starts_with(')');
        if !digits.is_empty()
            && digits.len() <= 3
            && !digits.starts_with('0')
            && marked
            && !rest[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(digits);
        }
    }
    out
}

#[test]
fn corpus_sample_articles_parse_into_one_article_with_their_clauses() {
    let mut checked = 0;
    let mut not_nfc = 0;
    let mut with_clauses = 0;
    for line in corpus_sample().lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let title = record["article_title"].as_str().unwrap();
        let body = record["text"].as_str().unwrap();
        let document = format!("Điều 1. {title}\n{body}");
        let tree = parse(&document);
        check_invariants(&tree);
        let flat = flatten(&tree);
        let articles: Vec<_> = flat
            .iter()
            .filter(|f| f.kind == ProvisionKind::Article)
            .collect();
        assert_eq!(articles.len(), 1, "{title}");
        assert_eq!(articles[0].path, "dieu-1");
        assert!(articles[0].heading.is_some());

        let article = get(&tree, "dieu-1");
        let clauses: Vec<String> = article
            .children
            .iter()
            .filter(|c| c.kind == ProvisionKind::Clause)
            .map(|c| c.number.clone())
            .collect();
        let nfc_body: String = body.nfc().collect();
        assert_eq!(clauses, expected_clauses(&nfc_body), "{title}");
        if !clauses.is_empty() {
            with_clauses += 1;
        }

        assert_eq!(parse(&nfd(&document)), tree, "{title}");
        let nfc_document: String = document.nfc().collect();
        if nfc_document != document {
            not_nfc += 1;
            assert_eq!(parse(&nfc_document), tree);
        }
        checked += 1;
    }
    assert_eq!(checked, 200);
    assert!(not_nfc > 0, "the sample has texts that are not NFC");
    assert!(with_clauses > 100);
}

#[test]
fn find_and_flatten() {
    let tree = parse(DECISION);
    assert_eq!(
        find(&tree, "dieu-3/khoan-1/diem-b").map(|p| p.number.as_str()),
        Some("b")
    );
    assert_eq!(
        find(&tree, "chuong-ii/muc-2").map(|p| p.kind),
        Some(ProvisionKind::Section)
    );
    assert!(find(&tree, "dieu-99").is_none());
    assert!(find(&tree, "").is_none());
    assert!(find(&[], "dieu-1").is_none());

    let flat = flatten(&tree);
    assert_eq!(flat[0].ord, 0);
    assert_eq!(flat.last().map(|f| f.ord), Some(23));
    let article = flat.iter().find(|f| f.path == "dieu-3").unwrap();
    assert_eq!(article.depth, 2);
    assert_eq!(article.kind, ProvisionKind::Article);
    assert_eq!(article.heading.as_deref(), Some("Tiếp nhận hồ sơ"));
    assert!(flatten(&[]).is_empty());
}

#[test]
fn kinds_round_trip_and_serialise() {
    for kind in ProvisionKind::ALL {
        assert_eq!(ProvisionKind::from_name(kind.as_str()), Some(kind));
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
        let back: ProvisionKind = serde_json::from_str(&json).unwrap();
        assert_eq!(back, kind);
    }
    assert_eq!(ProvisionKind::from_name("Article"), None);
    assert_eq!(ProvisionKind::Point.label_vi(), "Điểm");

    let tree = parse("Điều 1. A\n1. B");
    let json = serde_json::to_value(&tree[0]).unwrap();
    assert_eq!(json["kind"], "article");
    assert_eq!(json["path"], "dieu-1");
    assert_eq!(json["heading"], "A");
    assert_eq!(json["children"][0]["kind"], "clause");
    assert_eq!(json["children"][0]["path"], "dieu-1/khoan-1");
}

#[test]
fn openapi_schema_lists_the_fields() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(Provision::schema()).unwrap();
    for field in ["kind", "number", "path", "heading", "text", "children"] {
        assert!(schema["properties"].get(field).is_some(), "{field}");
    }
    let kinds = serde_json::to_value(ProvisionKind::schema()).unwrap();
    assert_eq!(
        kinds["enum"],
        serde_json::json!(["part", "chapter", "section", "article", "clause", "point"])
    );
}

#[test]
fn odd_input_does_not_panic() {
    let long_line = "Điều 5 của Luật này ".repeat(20_000);
    let long_heading = format!("Điều 1. {}", "a".repeat(300_000));
    let repeated = "Điều 1.\n1.\na)\n".repeat(3_000);
    let deep = "Điều 1.\n1.\n1.1.\n1.1.1.\n1.1.1.1.\n1.1.1.1.1.\n1.1.1.1.1.1.\nđ)\n";
    let odd = [
        "",
        " ",
        "\n\n\n",
        "   \n\t \r\n \u{A0}",
        "Điều",
        "Điều ",
        "Điều 1",
        "Điều .",
        "Điều 99999. Quá dài",
        "Chương",
        "CHƯƠNG",
        "Mục",
        "Phần thứ",
        "PHẦN THỨ MƯỜI MỘT",
        "1.",
        "a)",
        "đ)",
        "A.",
        "I.",
        "IIII. Không hợp lệ",
        "MMMMCMXCIX.",
        "\u{FEFF}",
        "\u{301}\u{301}\u{301}",
        "“",
        "\"",
        "”\n“\n”",
        "Nơi nhận:",
        "TM.",
        "\r\r\r",
        "\u{2028}Điều 1.\u{2029}1. x\u{000C}a) y",
        "0.\n00.\n1..\n1.)\n1.1.1.1.1.1.1.1.",
        long_line.as_str(),
        long_heading.as_str(),
        repeated.as_str(),
        deep,
    ];
    for input in odd {
        let tree = parse(input);
        check_invariants(&tree);
        assert_eq!(parse(&nfd(input)), tree);
    }
    assert!(parse("").is_empty());
    assert!(parse(" \n\t ").is_empty());
    assert!(parse("Điều").is_empty());
    assert!(parse(&long_line).is_empty());
    let single = parse("Điều 1");
    assert_eq!(paths(&single), vec!["dieu-1"]);
    assert_eq!(single[0].text, "Điều 1");
    assert_eq!(single[0].heading, None);
    assert_eq!(parse(&long_heading)[0].text.len(), long_heading.len());

    let tree = parse(&repeated);
    assert_eq!(tree.len(), 3_000);
    assert_eq!(tree[2_999].path, "dieu-1-3000");
    assert_eq!(tree[2_999].children[0].path, "dieu-1-3000/khoan-1");

    // Five groups at most; the sixth level is text of the fifth.
    let tree = parse(deep);
    let deepest = get(
        &tree,
        "dieu-1/khoan-1/khoan-1-1/khoan-1-1-1/khoan-1-1-1-1/khoan-1-1-1-1-1",
    );
    assert!(deepest.text.contains("1.1.1.1.1.1."));
    assert_eq!(
        paths(&deepest.children),
        vec![format!("{}/diem-dd", deepest.path).as_str()]
    );
}

#[test]
fn generated_input_keeps_the_invariants() {
    const PIECES: [&str; 40] = [
        "Điều 1.",
        "Điều 2:",
        "Điều 3 Tên",
        "ĐIỀU 4.",
        "Điều",
        "Điều 5 của",
        "Chương I",
        "CHƯƠNG II",
        "Chương 3:",
        "TÊN CHƯƠNG",
        "Mục 1",
        "MỤC 2.",
        "Phần thứ nhất",
        "PHẦN II",
        "A.",
        "B.",
        "C.",
        "I.",
        "II.",
        "IV.",
        "V.",
        "1.",
        "2)",
        "1.1.",
        "2.2.1 Tên",
        "a)",
        "b.",
        "đ)",
        "“Điều 9.",
        "”.",
        "\"",
        "Nơi nhận:",
        "KT. GIÁM ĐỐC",
        "- gạch",
        "* sao",
        "",
        "   ",
        "1.700 m",
        "nội dung thường",
        "\u{301}",
    ];
    let mut seed: u64 = 0x5EED;
    let mut next = move |bound: usize| {
        // A fixed linear congruential generator: the same inputs on every run.
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap() % bound
    };
    for _ in 0..400 {
        let lines = 1 + next(40);
        let mut text = String::new();
        for _ in 0..lines {
            text.push_str(PIECES[next(PIECES.len())]);
            if next(4) == 0 {
                text.push(' ');
                text.push_str(PIECES[next(PIECES.len())]);
            }
            text.push_str(["\n", "\r\n", "\n\n"][next(3)]);
        }
        let tree = parse(&text);
        check_invariants(&tree);
        assert_eq!(parse(&nfd(&text)), tree);
    }
}

#[test]
fn paths_read_as_citations() {
    assert_eq!(path_label("dieu-5"), "Điều 5");
    assert_eq!(
        path_label("dieu-5/khoan-2/diem-dd"),
        "Điểm đ Khoản 2 Điều 5"
    );
    assert_eq!(path_label("chuong-ii/dieu-12"), "Điều 12 Chương ii");
    assert_eq!(path_label(&segment(ProvisionKind::Point, "đ")), "Điểm đ");
    assert_eq!(path_label("phu-luc"), "phu-luc");
}
