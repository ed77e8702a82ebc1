//! Tables as CSV for spreadsheets: every report that offers CSV writes it here.

use crate::error::{ApiResult, AppError};

/// A CSV file (RFC 4180, CRLF line ends) with a byte-order mark first, so that spreadsheet
/// programs read the Vietnamese as UTF-8.
pub fn csv_table<R, F>(header: &[&str], rows: R) -> ApiResult<Vec<u8>>
where
    R: IntoIterator<Item = Vec<F>>,
    F: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(AppError::internal)?;
    for row in rows {
        w.write_record(&row).map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::csv_table;

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
}
