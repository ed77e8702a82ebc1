//! Tests of the Vietnamese analysis chain, alone and inside a tantivy index.

use super::*;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Schema, TantivyDocument, Term, Value, STORED};
use tantivy::{doc, Index, IndexReader};

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

fn has_mark(s: &str) -> bool {
    s.chars().any(is_combining_mark)
}

// --- normalize_text -------------------------------------------------------------

#[test]
fn glide_clusters_take_the_tone_on_the_first_vowel() {
    for (second, first) in [
        ("hoà", "hòa"),
        ("hoá", "hóa"),
        ("thuỷ", "thủy"),
        ("uỷ ban", "ủy ban"),
        ("khoẻ", "khỏe"),
        ("toà án", "tòa án"),
        ("xoá", "xóa"),
        ("tuỳ", "tùy"),
        ("huỷ bỏ", "hủy bỏ"),
        ("nguỵ", "ngụy"),
        ("đoá", "đóa"),
        ("loè", "lòe"),
    ] {
        assert_eq!(normalize_text(second), first, "{second}");
        assert_eq!(normalize_text(first), first, "{first}");
    }
}

#[test]
fn every_tone_of_every_glide_cluster_is_unified() {
    for (glide, vowel) in [('o', 'a'), ('o', 'e'), ('u', 'y')] {
        for tone in TONE_MARKS {
            for onset in ["", "h", "th", "ng", "kh"] {
                let on_vowel = nfc(&format!("{onset}{glide}{vowel}{tone}"));
                let on_glide = nfc(&format!("{onset}{glide}{tone}{vowel}"));
                assert_ne!(on_vowel, on_glide);
                assert_eq!(normalize_text(&on_vowel), on_glide);
                assert_eq!(normalize_text(&on_glide), on_glide);
                let upper = on_vowel.to_uppercase();
                assert_eq!(normalize_text(&upper), on_glide.to_uppercase());
            }
        }
    }
}

#[test]
fn case_is_kept() {
    assert_eq!(normalize_text("Uỷ ban"), "Ủy ban");
    assert_eq!(normalize_text("UỶ BAN NHÂN DÂN"), "ỦY BAN NHÂN DÂN");
    assert_eq!(normalize_text("Hoà Bình"), "Hòa Bình");
    assert_eq!(normalize_text("QUI ĐỊNH"), "QUY ĐỊNH");
    assert_eq!(normalize_text("Quí"), "Quý");
}

#[test]
fn syllables_that_agree_in_both_placements_are_unchanged() {
    for word in [
        "hoàng", "toán", "khoảng", "hoạch", "huỳnh", "huých", "thuở", "quá", "quý", "quả", "quốc",
        "quyết", "quyền", "quân", "quở", "ngoài", "xoáy", "khuỷu", "khuya", "khoèo", "xoắn",
        "tuần", "chuyện", "huyền", "người", "mùa", "mưa", "kìa", "giữa", "thuế", "cải", "cách",
        "hành", "chính", "nghiêng", "hòa", "ủy", "thủy",
    ] {
        assert_eq!(normalize_text(word), word, "{word}");
    }
}

#[test]
fn marks_on_the_wrong_letter_move_to_the_canonical_one() {
    assert_eq!(normalize_text("hòang"), "hoàng");
    assert_eq!(normalize_text("tóan"), "toán");
    assert_eq!(normalize_text("hủynh"), "huỷnh");
    assert_eq!(normalize_text("qúa"), "quá");
    assert_eq!(normalize_text("qủa"), "quả");
    assert_eq!(normalize_text("qúy"), "quý");
    assert_eq!(normalize_text("qúi"), "quý");
    assert_eq!(normalize_text("qúai"), "quái");
}

#[test]
fn i_and_y_are_unified_where_both_spell_one_word() {
    for (i, y) in [
        ("qui định", "quy định"),
        ("quí", "quý"),
        ("quì", "quỳ"),
        ("quỉ", "quỷ"),
        ("quĩ", "quỹ"),
        ("quị", "quỵ"),
        ("kĩ thuật", "kỹ thuật"),
        ("kì họp", "kỳ họp"),
        ("kí hiệu", "ký hiệu"),
        ("kỉ luật", "kỷ luật"),
        ("lí do", "lý do"),
        ("quản lí", "quản lý"),
        ("mĩ thuật", "mỹ thuật"),
        ("bác sĩ", "bác sỹ"),
        ("tỉ lệ", "tỷ lệ"),
        ("song hỉ", "song hỷ"),
    ] {
        assert_eq!(normalize_text(i), y, "{i}");
        assert_eq!(normalize_text(y), y, "{y}");
    }
}

#[test]
fn i_stays_where_y_would_be_another_word() {
    for word in [
        "khi",
        "thi",
        "thì",
        "chi",
        "chỉ",
        "vì",
        "vị",
        "nghị",
        "bị",
        "phí",
        "trị",
        "ti vi",
        "ki-lô-gam",
        "sơ mi",
        "li ti",
        "mi-li-mét",
        "Mê-hi-cô",
        "quit",
        "quít",
        "di",
        "gì",
    ] {
        assert_eq!(normalize_text(word), word, "{word}");
    }
}

#[test]
fn nfd_input_comes_out_nfc_and_canonical() {
    assert_eq!(normalize_text(&nfd("hoà giải")), "hòa giải");
    assert_eq!(normalize_text(&nfd("Uỷ ban")), "Ủy ban");
    assert_eq!(normalize_text(&nfd("Nghị định")), "Nghị định");
    assert_eq!(normalize_text(&nfd("quí")), "quý");
}

#[test]
fn non_syllables_are_left_alone() {
    for word in [
        "dungbiên",
        "hoàbình",
        "hoà2",
        "ǹoa",
        "koala",
        "Zürich",
        "Œuvre",
    ] {
        assert_eq!(normalize_text(word), word, "{word}");
    }
    assert_eq!(normalize_text("thuỷ_điện"), "thủy_điện");
    // Punctuation and spacing survive.
    assert_eq!(normalize_text("(hoà), uỷ-ban!"), "(hòa), ủy-ban!");
}

#[test]
fn no_panic_on_odd_input() {
    let long = "a".repeat(100_000);
    let marks = format!("a{}", "\u{301}".repeat(1000));
    for s in [
        "",
        " ",
        "\n\t",
        "😀🇻🇳",
        "\u{301}",
        "\u{301}\u{323}hoà",
        " \u{301} ",
        "a\u{301}\u{301}",
        "q\u{301}",
        "İstanbul",
        "ﬁ ß ǅ",
        long.as_str(),
        marks.as_str(),
        "\u{0}\u{ffff}",
    ] {
        let _ = normalize_text(s);
        let _ = query_terms(s);
        let _ = folded_terms(s);
        let _ = number_key(s);
        let _ = looks_like_number(s);
        for term in query_terms(s).iter().chain(folded_terms(s).iter()) {
            assert!(!term.is_empty());
            assert!(!has_mark(term), "{term:?}");
        }
    }
}

// --- tokenizers -----------------------------------------------------------------

fn tokens(mut tokenizer: impl Tokenizer, text: &str) -> Vec<Token> {
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

#[test]
fn tokenizer_splits_lowercases_and_counts_positions() {
    let text = "Đề án: Cải cách HÀNH CHÍNH (2016-2020)";
    let toks = tokens(VietnameseTokenizer::exact(), text);
    let terms: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        terms,
        ["đề", "án", "cải", "cách", "hành", "chính", "2016", "2020"]
    );
    for (i, t) in toks.iter().enumerate() {
        assert_eq!(t.position, i);
        assert_eq!(t.position_length, 1);
    }
    assert_eq!(&text[toks[2].offset_from..toks[2].offset_to], "Cải");
    assert_eq!(
        folded_terms(text),
        ["de", "an", "cai", "cach", "hanh", "chinh", "2016", "2020"]
    );
}

#[test]
fn nfd_words_are_not_split_and_match_nfc() {
    let text = "Nghị định về hoà giải ở cơ sở, Uỷ ban nhân dân";
    let decomposed = nfd(text);
    assert_eq!(query_terms(&decomposed), query_terms(text));
    assert_eq!(folded_terms(&decomposed), folded_terms(text));
    assert_eq!(
        query_terms(&decomposed),
        [
            "nghị", "định", "về", "hòa", "giải", "ở", "cơ", "sở", "ủy", "ban", "nhân", "dân"
        ]
    );
    // Offsets point into the NFD text as given.
    let toks = tokens(VietnameseTokenizer::exact(), &decomposed);
    assert_eq!(
        &decomposed[toks[3].offset_from..toks[3].offset_to],
        nfd("hoà")
    );
}

#[test]
fn both_placements_and_spellings_give_one_term() {
    for (a, b) in [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("uỷ ban", "ủy ban"),
        ("khoẻ", "khỏe"),
        ("quí", "quý"),
        ("qui định", "quy định"),
        ("kĩ thuật", "kỹ thuật"),
        ("lí do", "lý do"),
        ("mĩ thuật", "mỹ thuật"),
    ] {
        assert_eq!(query_terms(a), query_terms(b), "{a} / {b}");
        assert_eq!(query_terms(&nfd(a)), query_terms(b), "nfd {a}");
        assert_eq!(folded_terms(a), folded_terms(b), "{a} / {b}");
    }
    assert_eq!(folded_terms("Quí"), ["quy"]);
}

#[test]
fn exact_terms_keep_tones_apart_and_folded_terms_join_them() {
    let exact: Vec<Vec<String>> = ["cải", "cái", "cài", "cãi", "cai"]
        .iter()
        .map(|w| query_terms(w))
        .collect();
    for (i, a) in exact.iter().enumerate() {
        for b in exact.iter().skip(i + 1) {
            assert_ne!(a, b);
        }
    }
    for w in ["cải", "cái", "cài", "cãi", "CAI", "cạI"] {
        assert_eq!(folded_terms(w), ["cai"]);
    }
    assert_eq!(folded_terms("Đường"), ["duong"]);
}

#[test]
fn numbers_in_running_text_are_split_into_words() {
    assert_eq!(query_terms("09/2015/QĐ-TTg"), ["09", "2015", "qđ", "ttg"]);
    assert_eq!(folded_terms("09/2015/QĐ-TTg"), ["09", "2015", "qd", "ttg"]);
}

#[test]
fn long_words_are_dropped_but_keep_their_position() {
    let long = "x".repeat(MAX_WORD_BYTES + 1);
    let text = format!("một {long} cửa");
    let toks = tokens(VietnameseTokenizer::exact(), &text);
    let got: Vec<(usize, &str)> = toks.iter().map(|t| (t.position, t.text.as_str())).collect();
    assert_eq!(got, [(0, "một"), (2, "cửa")]);
    let huge = "ệ".repeat(200_000);
    assert!(query_terms(&huge).is_empty());
}

#[test]
fn stray_marks_are_separators_or_dropped() {
    // A mark with no letter before it does not start a word.
    assert_eq!(query_terms("\u{301} hoà \u{323}"), ["hòa"]);
    // A mark NFC cannot attach is dropped from the term.
    assert_eq!(query_terms("q\u{301}"), ["q"]);
    assert_eq!(query_terms("a\u{301}\u{301}"), ["á"]);
    // Emoji and symbols separate words.
    assert_eq!(query_terms("hoà😀giải"), ["hòa", "giải"]);
    assert!(query_terms("").is_empty());
    assert!(query_terms(" \n\t ").is_empty());
}

#[test]
fn number_tokenizer_emits_one_key() {
    let toks = tokens(NumberTokenizer::default(), "09/2015/QĐ-TTg");
    assert_eq!(toks.len(), 1);
    assert_eq!(toks[0].text, "9/2015/QD-TTG");
    assert_eq!(toks[0].position, 0);
    assert!(tokens(NumberTokenizer::default(), "").is_empty());
    assert!(tokens(NumberTokenizer::default(), "  ").is_empty());
}

// --- number_key and looks_like_number -----------------------------------------------

#[test]
fn spellings_of_one_number_share_a_key() {
    let k = number_key("09/2015/QĐ-TTg");
    assert_eq!(k, "9/2015/QD-TTG");
    for other in [
        "9/2015/qd-ttg",
        "09/2015/qd-ttg",
        "9/2015/QĐ-TTg",
        " 09 / 2015 / QĐ-TTg ",
        "09/2015/qđ-ttg",
    ] {
        assert_eq!(number_key(other), k, "{other}");
    }
    assert_eq!(number_key(&nfd("09/2015/QĐ-TTg")), k);
    assert_ne!(number_key("09/2015/QĐ-TTg"), number_key("90/2015/QĐ-TTg"));
    assert_ne!(number_key("09/2015/QĐ-TTg"), number_key("09/2015/QĐ-UBND"));
    assert_eq!(number_key("100/2019/NĐ-CP"), "100/2019/ND-CP");
    assert_eq!(number_key("00/2019/NĐ-CP"), "0/2019/ND-CP");
    assert_eq!(number_key("05/2014/TT-BTP"), "5/2014/TT-BTP");
    assert_eq!(number_key("83-CP"), "83-CP");
    assert_eq!(number_key(""), "");
}

#[test]
fn number_shapes_are_recognised() {
    for s in [
        "09/2015/QĐ-TTg",
        "732/QĐ-TTg",
        "83-CP",
        "05/2014/TT-BTP",
        "57/2020/QH14",
        "01/2003/TTLT-BTP-BNV",
        "1.234/QĐ-UBND",
        "9/2015/qd-ttg",
        " 09 / 2015 / QĐ-TTg ",
    ] {
        assert!(looks_like_number(s), "{s}");
    }
    // Whatever is accepted, number_key turns into the stored key.
    for s in ["9/2015/qd-ttg", " 09 / 2015 / QĐ-TTg ", "009/2015/QĐ-TTg"] {
        assert!(looks_like_number(s), "{s}");
        assert_eq!(number_key(s), "9/2015/QD-TTG", "{s}");
    }
    assert!(looks_like_number(&nfd("09/2015/QĐ-TTg")));
    for s in [
        "17/10/2005",
        "2016-2020",
        "10/2005",
        "12345",
        "Quyết định",
        "cải cách hành chính",
        "QĐ-TTg",
        "3-4 ngày",
        "09/2015/",
        "09//QĐ",
        "(83-CP)",
        "83-CP.",
        "83-.CP",
        "",
        " ",
        "😀",
    ] {
        assert!(!looks_like_number(s), "{s}");
    }
    assert!(!looks_like_number(&format!("1/{}", "A".repeat(80))));
}

// --- end to end -------------------------------------------------------------------

struct Fixture {
    index: Index,
    reader: IndexReader,
    exact: tantivy::schema::Field,
    folded: tantivy::schema::Field,
    number: tantivy::schema::Field,
    id: tantivy::schema::Field,
}

const DOCS: [(u64, &str, &str); 9] = [
    (
        0,
        "Đề án đẩy mạnh cải cách hành chính giai đoạn 2016-2020",
        "09/2015/QĐ-TTg",
    ),
    (1, "Mua cái bàn cho phòng họp", "12/2016/QĐ-UBND"),
    (2, "Hướng dẫn cài đặt phần mềm một cửa", "05/2014/TT-BTP"),
    (3, "Không được cãi nhau tại nơi tiếp công dân", "83-CP"),
    (4, "Tổ hoà giải ở cơ sở", "15/2014/NĐ-CP"),
    (5, "Ủy ban nhân dân huyện Sơn Tây", "01/2016/QĐ-UBND"),
    (6, "Uỷ ban nhân dân xã Sơn Dung", "02/2016/QĐ-UBND"),
    (7, "Quy chế một cửa liên thông", "03/2016/QĐ-UBND"),
    (8, "Cải tạo trụ sở làm việc", "04/2016/QĐ-UBND"),
];

fn fixture() -> tantivy::Result<Fixture> {
    let mut builder = Schema::builder();
    let exact = builder.add_text_field("body", exact_field_options().set_stored());
    let folded = builder.add_text_field("body_folded", folded_field_options());
    let number = builder.add_text_field("number", number_field_options());
    let id = builder.add_u64_field("id", STORED);
    let index = Index::create_in_ram(builder.build());
    register(index.tokenizers());
    let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
    for (doc_id, body, num) in DOCS {
        // Document 4 arrives decomposed (NFD), as 3.9% of the corpus does.
        let body = if doc_id == 4 {
            nfd(body)
        } else {
            body.to_owned()
        };
        writer.add_document(doc!(
            id => doc_id,
            exact => body.clone(),
            folded => body,
            number => num,
        ))?;
    }
    writer.commit()?;
    let reader = index.reader()?;
    Ok(Fixture {
        index,
        reader,
        exact,
        folded,
        number,
        id,
    })
}

impl Fixture {
    fn search(&self, query: &dyn Query) -> tantivy::Result<Vec<u64>> {
        let searcher = self.reader.searcher();
        let hits = searcher.search(query, &TopDocs::with_limit(20).order_by_score())?;
        let mut ids = Vec::new();
        for (_, address) in hits {
            let doc: TantivyDocument = searcher.doc(address)?;
            ids.extend(doc.get_first(self.id).and_then(|v| v.as_u64()));
        }
        Ok(ids)
    }

    /// Both text fields, the folded one at 0.3.
    fn parse(&self, text: &str) -> Vec<u64> {
        let mut parser = QueryParser::for_index(&self.index, vec![self.exact, self.folded]);
        parser.set_field_boost(self.folded, 0.3);
        let query = parser.parse_query(text).expect("query parses");
        self.search(&*query).expect("search runs")
    }

    /// Every exact term must match (built outside the query parser).
    fn all_exact(&self, text: &str) -> Vec<u64> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = query_terms(text)
            .iter()
            .map(|t| {
                let term = Term::from_field_text(self.exact, t);
                let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Must, q)
            })
            .collect();
        let mut ids = self
            .search(&BooleanQuery::new(clauses))
            .expect("search runs");
        ids.sort_unstable();
        ids
    }
}

#[test]
fn index_ranks_exact_above_folded_and_unifies_spellings() {
    let f = fixture().expect("index builds");

    let hits = f.parse("cải cách");
    assert_eq!(hits.first(), Some(&0), "{hits:?}");

    let hits = f.parse("cai cach");
    assert_eq!(hits.first(), Some(&0), "{hits:?}");
    assert!(hits.contains(&1) && hits.contains(&2) && hits.contains(&3));

    // `cải` must not drown in `cái`, `cài`, `cãi`: both exact hits come first.
    let hits = f.parse("cải");
    assert_eq!(hits.len(), 5, "{hits:?}");
    let mut top: Vec<u64> = hits.iter().take(2).copied().collect();
    top.sort_unstable();
    assert_eq!(top, [0, 8], "{hits:?}");

    // NFD document, main-vowel placement; NFC query, glide placement (and the reverse).
    assert_eq!(f.parse("hòa giải").first(), Some(&4));
    assert_eq!(f.parse(&nfd("hoà giải")).first(), Some(&4));
    assert_eq!(f.all_exact("hòa giải"), [4]);

    assert_eq!(f.all_exact("uỷ ban"), [5, 6]);
    assert_eq!(f.all_exact("ủy ban"), [5, 6]);
    assert_eq!(f.all_exact(&nfd("UỶ BAN")), [5, 6]);
}

#[test]
fn index_phrases_work_across_syllables() {
    let f = fixture().expect("index builds");
    assert_eq!(f.parse("\"cải cách hành chính\""), [0]);
    assert_eq!(f.parse("\"cai cach hanh chinh\""), [0]);
    assert!(f.parse("\"hành cải\"").is_empty());
    assert_eq!(f.parse("\"một cửa liên thông\""), [7]);
    let mut hits = f.parse("\"một cửa\"");
    hits.sort_unstable();
    assert_eq!(hits, [2, 7]);
    // Proximity: `một` and `thông` are two positions apart with one word between.
    assert!(f.parse("\"một thông\"~1").is_empty());
    assert_eq!(f.parse("\"một thông\"~2"), [7]);
}

#[test]
fn index_finds_numbers_in_any_spelling() {
    let f = fixture().expect("index builds");
    for spelling in [
        "9/2015/qd-ttg",
        "09/2015/QĐ-TTg",
        "9/2015/QĐ-TTg",
        "09 / 2015 / qđ-ttg",
    ] {
        let term = Term::from_field_text(f.number, &number_key(spelling));
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        assert_eq!(f.search(&query).expect("search runs"), [0], "{spelling}");
    }
    let term = Term::from_field_text(f.number, &number_key("83-cp"));
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    assert_eq!(f.search(&query).expect("search runs"), [3]);
}

#[test]
fn query_parser_reaches_the_number_field() {
    let f = fixture().expect("index builds");
    let mut parser = QueryParser::for_index(&f.index, vec![f.exact, f.folded, f.number]);
    parser.set_field_boost(f.folded, 0.3);
    for q in ["9/2015/qd-ttg", "09/2015/QĐ-TTg", "\"9/2015/QĐ-TTg\""] {
        let query = parser.parse_query(q).expect("query parses");
        assert_eq!(f.search(&*query).expect("search runs"), [0], "{q}");
    }
}

// --- real corpus ------------------------------------------------------------------

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/phapdien_articles.sample200.jsonl"
);

/// The string value of `"field": "…"` in one JSON line (enough JSON for the test data).
fn json_string(line: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\": \"");
    let start = line.find(&key)? + key.len();
    let mut out = String::new();
    let mut chars = line[start..].chars();
    let hex = |chars: &mut std::str::Chars<'_>| {
        let s: String = chars.take(4).collect();
        u32::from_str_radix(&s, 16).ok()
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hi = hex(&mut chars)?;
                    let code = if (0xD800..0xDC00).contains(&hi) {
                        chars.next()?;
                        chars.next()?;
                        let lo = hex(&mut chars)?;
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    out.push(char::from_u32(code)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// 50 article texts: every decomposed one in the sample, then the first NFC ones.
fn corpus_texts() -> Vec<String> {
    let data = std::fs::read_to_string(CORPUS).expect("corpus sample is readable");
    let texts: Vec<String> = data
        .lines()
        .filter_map(|line| json_string(line, "text"))
        .collect();
    let (mut picked, rest): (Vec<String>, Vec<String>) =
        texts.into_iter().partition(|t| nfc(t) != *t);
    picked.extend(rest);
    picked.truncate(50);
    picked
}

/// Moves the tone of open `oa`/`oe`/`uy` syllables to the second vowel: the other
/// placement, built independently of `respell`.
fn to_second_vowel_placement(text: &str) -> String {
    let mut out = String::new();
    for word in nfc(text).split_inclusive(|c: char| !c.is_alphanumeric()) {
        let (body, tail) = match word.char_indices().last() {
            Some((i, c)) if !c.is_alphanumeric() => word.split_at(i),
            _ => (word, ""),
        };
        let mut chars: Vec<char> = body.nfd().collect();
        let n = chars.len();
        if n >= 3 && TONE_MARKS.contains(&chars[n - 2]) {
            let glide = chars[n - 3].to_ascii_lowercase();
            let vowel = chars[n - 1].to_ascii_lowercase();
            let before_is_vowel = n >= 4
                && (matches!(
                    chars[n - 4].to_ascii_lowercase(),
                    'a' | 'e' | 'i' | 'o' | 'u' | 'y'
                ) || VOWEL_MARKS.contains(&chars[n - 4]));
            let q_before = n >= 4 && chars[n - 4].eq_ignore_ascii_case(&'q');
            if !before_is_vowel
                && !q_before
                && matches!((glide, vowel), ('o', 'a') | ('o', 'e') | ('u', 'y'))
            {
                chars.swap(n - 2, n - 1);
            }
        }
        out.extend(chars.into_iter().nfc());
        out.push_str(tail);
    }
    out
}

#[test]
fn corpus_nfd_and_nfc_give_identical_tokens_without_marks() {
    let texts = corpus_texts();
    assert_eq!(texts.len(), 50);
    let decomposed = texts.iter().filter(|t| nfc(t) != **t).count();
    assert!(
        decomposed >= 5,
        "the sample should hold NFD articles: {decomposed}"
    );
    let mut moved = 0;
    for text in &texts {
        let exact = query_terms(&nfc(text));
        let folded = folded_terms(&nfc(text));
        assert!(!exact.is_empty());
        assert_eq!(query_terms(&nfd(text)), exact);
        assert_eq!(query_terms(text), exact);
        assert_eq!(folded_terms(&nfd(text)), folded);
        assert_eq!(folded_terms(text), folded);
        for term in exact.iter().chain(folded.iter()) {
            assert!(!has_mark(term), "mark in {term:?}");
        }
        assert!(folded.iter().all(|t| !t.contains('đ')));
        // The other tone placement gives the same terms too.
        let other = to_second_vowel_placement(text);
        if other != nfc(text) {
            moved += 1;
        }
        assert_eq!(query_terms(&other), exact);
        assert_eq!(query_terms(&nfd(&other)), exact);
        // normalize_text is idempotent and agrees with the tokenizer.
        let normalized = normalize_text(text);
        assert_eq!(normalize_text(&normalized), normalized);
        assert_eq!(query_terms(&normalized), exact);
    }
    assert!(moved > 0, "no text had a glide cluster with a tone mark");
}

/// The analysis without the cache: every word of `text`, exact and folded.
fn uncached(text: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut cursor = 0;
    while let Some((from, to)) = next_word(text, cursor) {
        cursor = to;
        if to - from > MAX_WORD_BYTES {
            continue;
        }
        let word = &text[from..to];
        let (mut exact, mut folded, mut scratch) = (String::new(), String::new(), String::new());
        if word.is_ascii() {
            analyze_word(word, false, &mut exact, &mut scratch);
            analyze_word(word, true, &mut folded, &mut scratch);
        } else {
            analyze_unicode_word(word, false, &mut exact, &mut scratch);
            analyze_unicode_word(word, true, &mut folded, &mut scratch);
        }
        out.push((exact, folded));
    }
    out
}

#[test]
fn the_word_cache_changes_nothing() {
    let texts = corpus_texts();
    for round in 0..2 {
        for text in &texts {
            for t in [text.clone(), nfd(text), text.to_uppercase()] {
                let words = query_words(&t);
                let expected = uncached(&t);
                assert_eq!(words.len(), expected.len(), "round {round}");
                for (w, (exact, folded)) in words.iter().zip(&expected) {
                    assert_eq!((&w.exact, &w.folded), (exact, folded), "round {round}");
                }
                assert_eq!(
                    query_terms(&t),
                    expected.iter().map(|e| e.0.clone()).collect::<Vec<_>>()
                );
                assert_eq!(
                    folded_terms(&t),
                    expected.iter().map(|e| e.1.clone()).collect::<Vec<_>>()
                );
            }
        }
    }
    // Past a generation the cache goes on giving the same terms.
    let mut many = String::new();
    for i in 0..(WORD_CACHE_GENERATION + 10) {
        many.push_str(&format!("hoà{i} "));
    }
    assert_eq!(query_terms(&many).len(), WORD_CACHE_GENERATION + 10);
    assert_eq!(query_terms("Hoà Bình"), vec!["hòa", "bình"]);
}

#[test]
fn word_ranges_are_the_tokens() {
    let long = "x".repeat(MAX_WORD_BYTES + 1);
    for text in corpus_texts()
        .into_iter()
        .chain([format!("một {long} hai"), "—(đ) ̀a".to_owned()])
    {
        let mut tokenizer = VietnameseTokenizer::exact();
        let mut stream = tokenizer.token_stream(&text);
        let mut tokens = vec![];
        while stream.advance() {
            let t = stream.token();
            tokens.push((t.offset_from, t.offset_to, t.text.clone()));
        }
        let ranges: Vec<(usize, usize, String)> = word_ranges(&text)
            .map(|(from, to)| {
                let mut term = String::new();
                exact_term(&text[from..to], &mut term);
                (from, to, term)
            })
            .collect();
        assert_eq!(ranges, tokens);
    }
}

#[test]
fn pairs_join_neighbouring_terms() {
    for text in corpus_texts() {
        let terms = query_terms(&text);
        let expected: Vec<String> = terms
            .windows(2)
            .map(|w| format!("{}_{}", w[0], w[1]))
            .collect();
        assert_eq!(syllable_pairs(&text), expected.join(" "));
    }
    assert_eq!(syllable_pairs("Cải cách"), "cải_cách");
    assert_eq!(syllable_pairs("một"), "");
}

#[test]
fn letters_recognised_without_tables_are_letters() {
    for c in ('\u{0}'..='\u{24F}').chain('\u{1E00}'..='\u{1EFF}') {
        if let Some(fast) = is_letter_fast(c) {
            assert_eq!(fast, c.is_alphanumeric(), "{c:?}");
            assert!(!is_combining_mark(c));
        }
    }
}
