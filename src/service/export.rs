//! Tables as CSV for spreadsheets: every report that offers CSV writes it here.

use std::borrow::Cow;

use crate::error::{ApiResult, AppError};

/// A CSV file (RFC 4180, CRLF line ends) with a byte-order mark first, so that spreadsheet
/// programs read the Vietnamese as UTF-8. Every cell goes through [`neutralise_formula`]:
/// text from the public (comment names, bodies) and from staff reaches these files, and a
/// spreadsheet must show it, never evaluate it.
pub fn csv_table<R, F>(header: &[&str], rows: R) -> ApiResult<Vec<u8>>
where
    R: IntoIterator<Item = Vec<F>>,
    F: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header.iter().map(|h| neutralise_formula(h.as_bytes())))
        .map_err(AppError::internal)?;
    for row in rows {
        w.write_record(row.iter().map(|cell| neutralise_formula(cell.as_ref())))
            .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// A cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a
/// tab, a carriage return or a line feed: OWASP's list, and LF because some programs strip
/// it) gets a single quote in front, which spreadsheets show as text and do not evaluate.
/// A cell that is a plain number (`-3`, `+2.5`, `-1e3`) is left alone: a spreadsheet reads
/// it as that number and nothing else, and counts must stay numbers.
pub fn neutralise_formula(cell: &[u8]) -> Cow<'_, [u8]> {
    match cell.first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n') if !is_plain_number(cell) => {
            let mut out = Vec::with_capacity(cell.len() + 1);
            out.push(b'\'');
            out.extend_from_slice(cell);
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(cell),
    }
}

/// `[+-]digits[.digits][(e|E)[+-]digits]`, nothing else (no spaces, `inf`, `NaN` or hex).
fn is_plain_number(cell: &[u8]) -> bool {
    fn digits(s: &[u8]) -> usize {
        s.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let mut s = cell;
    if let Some((b'+' | b'-', rest)) = s.split_first() {
        s = rest;
    }
    let int = digits(s);
    s = &s[int..];
    let mut frac = 0;
    if let Some((b'.', rest)) = s.split_first() {
        frac = digits(rest);
        s = &rest[frac..];
    }
    if int + frac == 0 {
        return false;
    }
    if let Some((b'e' | b'E', rest)) = s.split_first() {
        let rest = match rest.split_first() {
            Some((b'+' | b'-', r)) => r,
            _ => rest,
        };
        let exp = digits(rest);
        if exp == 0 {
            return false;
        }
        s = &rest[exp..];
    }
    s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::{csv_table, is_plain_number, neutralise_formula};

    #[test]
    fn fields_are_quoted_when_needed_and_excel_reads_utf8() {
        let out = csv_table(
            &["a", "b"],
            [vec!["Quyết định", "a, b"], vec!["say \"x\"", "line\nbreak"]],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\u{feff}a,b\r\nQuyết định,\"a, b\"\r\n\"say \"\"x\"\"\",\"line\nbreak\"\r\n"
        );
    }

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        let n = |s: &str| String::from_utf8(neutralise_formula(s.as_bytes()).into_owned()).unwrap();
        for (cell, want) in [
            ("=1+1", "'=1+1"),
            ("+1+1", "'+1+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("\n=1+1", "'\n=1+1"),
            ("-", "'-"),
            ("- gạch đầu dòng", "'- gạch đầu dòng"),
            ("-inf", "'-inf"),
            ("+", "'+"),
            ("-1e", "'-1e"),
            ("-.", "'-."),
            // Plain numbers, and text that does not start with a trigger, are unchanged.
            ("-3", "-3"),
            ("+2.5", "+2.5"),
            ("-0.5e-3", "-0.5e-3"),
            ("-.5", "-.5"),
            ("12", "12"),
            ("a=1", "a=1"),
            (" =1", " =1"),
            ("", ""),
        ] {
            assert_eq!(n(cell), want, "{cell:?}");
        }
        assert!(is_plain_number(b"7") && !is_plain_number(b"1 2") && !is_plain_number(b""));
    }

    #[test]
    fn every_cell_of_a_table_is_neutralised() {
        let out = csv_table(&["count", "name"], [vec!["-2", "=cmd|' /C calc'!A0"]]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}count,name\r\n-2,'=cmd|' /C calc'!A0\r\n"
        );
    }
}
