//! `GLOSSARY.md` against the code: its vocabulary section is generated from every
//! `vocabulary!` in `src/`, and the test fails when the file differs. Regenerate with
//! `UPDATE_GLOSSARY=1 cargo test --test glossary`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod source;

use std::path::Path;

const BEGIN: &str = "<!-- vocabulary: generated from the vocabulary! labels in src/ by `UPDATE_GLOSSARY=1 cargo test --test glossary`; do not edit by hand -->";
const END: &str = "<!-- end of vocabulary -->";

/// One `vocabulary!`: the enum, its doc comment, where it is, and `(variant, text, label)`.
struct Vocabulary {
    name: String,
    doc: String,
    file: String,
    values: Vec<(String, String, String)>,
}

#[test]
fn glossary_matches_the_vocabularies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = source::sources();
    let vocabularies: Vec<Vocabulary> = files
        .iter()
        .flat_map(|(path, text)| vocabularies(path, text))
        .collect();
    assert!(
        vocabularies.iter().any(|v| v.name == "DocumentKind"),
        "no vocabulary! found in src/"
    );
    let section = render(&vocabularies);

    let path = root.join("GLOSSARY.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!("GLOSSARY.md lacks the markers {BEGIN:?} and {END:?}");
    };
    let current = &text[begin..end + END.len()];
    if current == section {
        return;
    }
    if std::env::var_os("UPDATE_GLOSSARY").is_some() {
        let updated = format!("{}{section}{}", &text[..begin], &text[end + END.len()..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "GLOSSARY.md's vocabulary section differs from the vocabulary! labels in src/.\n\
         Regenerate it: UPDATE_GLOSSARY=1 cargo test --test glossary\n\n\
         expected:\n{section}"
    );
}

/// The vocabulary section: one table per vocabulary, in the order of the files.
fn render(vocabularies: &[Vocabulary]) -> String {
    let mut out = format!("{BEGIN}\n");
    for v in vocabularies {
        out.push_str(&format!("\n### `{}` (`{}`)\n\n", v.name, v.file));
        if !v.doc.is_empty() {
            out.push_str(&format!("{}\n\n", v.doc));
        }
        out.push_str("| Tiếng Việt | value | variant |\n|---|---|---|\n");
        for (variant, text, label) in &v.values {
            out.push_str(&format!(
                "| {label} | `{text}` | `{}::{variant}` |\n",
                v.name
            ));
        }
    }
    out.push('\n');
    out.push_str(END);
    out
}

/// Every `vocabulary! { /// doc  Name { Variant => "text", "label"; ... } }` of a file.
fn vocabularies(path: &str, text: &str) -> Vec<Vocabulary> {
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if !line.ends_with("vocabulary! {") || line.starts_with("macro_rules!") {
            continue;
        }
        let mut doc = Vec::new();
        let mut name = String::new();
        for line in lines.by_ref() {
            if let Some(d) = line.strip_prefix("///") {
                doc.push(d.trim().to_owned());
            } else if let Some(n) = line.strip_suffix('{') {
                name = n.trim().to_owned();
                break;
            }
        }
        let mut values = Vec::new();
        for line in lines.by_ref() {
            if line.starts_with('}') {
                break;
            }
            let Some((variant, rest)) = line.split_once("=>") else {
                continue;
            };
            let quoted: Vec<&str> = rest.split('"').skip(1).step_by(2).collect();
            if let [text, label] = quoted[..] {
                values.push((variant.trim().to_owned(), text.to_owned(), label.to_owned()));
            }
        }
        out.push(Vocabulary {
            name,
            doc: doc.join(" "),
            file: path.to_owned(),
            values,
        });
    }
    out
}
