//! A line diff between two texts (what changed between two revisions).
//!
//! The common head and tail are taken off first, then the longest common subsequence of
//! the lines in between is found by dynamic programming. That table grows with the
//! product of the two middles, so past [`MAX_CELLS`] the middle is reported as removed
//! and added whole: still a correct diff, only a coarser one, and never a memory spike
//! on a large text.

use serde::Serialize;
use utoipa::ToSchema;

/// Largest LCS table (cells) built for one diff: 4 bytes each, so at most 16 MB.
pub const MAX_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    /// In both texts.
    Equal,
    /// Only in the new text.
    Insert,
    /// Only in the old text.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DiffLine {
    pub op: DiffOp,
    pub text: String,
}

fn line(op: DiffOp, text: &str) -> DiffLine {
    DiffLine {
        op,
        text: text.to_owned(),
    }
}

/// The lines of `old` and `new`, each marked equal, inserted or deleted, in order.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out: Vec<DiffLine> = a[..head].iter().map(|l| line(DiffOp::Equal, l)).collect();
    if (am.len() + 1).saturating_mul(bm.len() + 1) > MAX_CELLS {
        out.extend(am.iter().map(|l| line(DiffOp::Delete, l)));
        out.extend(bm.iter().map(|l| line(DiffOp::Insert, l)));
    } else {
        out.extend(lcs_diff(am, bm));
    }
    out.extend(a[a.len() - tail..].iter().map(|l| line(DiffOp::Equal, l)));
    out
}

fn lcs_diff(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    // suffix[i * w + j] = length of the LCS of a[i..] and b[j..].
    let mut suffix = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            suffix[i * w + j] = if a[i] == b[j] {
                suffix[(i + 1) * w + j + 1] + 1
            } else {
                suffix[(i + 1) * w + j].max(suffix[i * w + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(line(DiffOp::Equal, a[i]));
            i += 1;
            j += 1;
        } else if suffix[(i + 1) * w + j] >= suffix[i * w + j + 1] {
            out.push(line(DiffOp::Delete, a[i]));
            i += 1;
        } else {
            out.push(line(DiffOp::Insert, b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| line(DiffOp::Delete, l)));
    out.extend(b[j..].iter().map(|l| line(DiffOp::Insert, l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(d: &[DiffLine]) -> String {
        d.iter()
            .map(|l| match l.op {
                DiffOp::Equal => format!(" {}", l.text),
                DiffOp::Insert => format!("+{}", l.text),
                DiffOp::Delete => format!("-{}", l.text),
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    fn rebuild(d: &[DiffLine], keep: DiffOp) -> Vec<String> {
        d.iter()
            .filter(|l| l.op == DiffOp::Equal || l.op == keep)
            .map(|l| l.text.clone())
            .collect()
    }

    #[test]
    fn a_changed_step_is_one_deletion_and_one_insertion() {
        let old = "Bước 1. Tiếp nhận hồ sơ\nBước 2. Thụ lý trong 05 ngày\nBước 3. Trả kết quả";
        let new = "Bước 1. Tiếp nhận hồ sơ\nBước 2. Thụ lý trong 03 ngày\nBước 3. Trả kết quả";
        assert_eq!(
            ops(&diff_lines(old, new)),
            " Bước 1. Tiếp nhận hồ sơ|-Bước 2. Thụ lý trong 05 ngày|+Bước 2. Thụ lý trong 03 ngày| Bước 3. Trả kết quả"
        );
    }

    #[test]
    fn both_texts_can_be_rebuilt_from_the_diff() {
        let old = "a\nb\nc\nd\ne\nf";
        let new = "a\nx\nc\nd\ny\nf\ng";
        let d = diff_lines(old, new);
        assert_eq!(rebuild(&d, DiffOp::Delete), old.lines().collect::<Vec<_>>());
        assert_eq!(rebuild(&d, DiffOp::Insert), new.lines().collect::<Vec<_>>());
        // The LCS keeps a, c, d, f.
        assert_eq!(d.iter().filter(|l| l.op == DiffOp::Equal).count(), 4);
    }

    #[test]
    fn identical_and_empty_texts() {
        assert!(diff_lines("a\nb", "a\nb")
            .iter()
            .all(|l| l.op == DiffOp::Equal));
        assert_eq!(ops(&diff_lines("", "a")), "+a");
        assert_eq!(ops(&diff_lines("a", "")), "-a");
        assert!(diff_lines("", "").is_empty());
    }

    #[test]
    fn a_huge_middle_is_replaced_whole_but_still_correct() {
        let old: String = (0..3000).map(|i| format!("o{i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("n{i}\n")).collect();
        let d = diff_lines(&old, &new);
        assert_eq!(d.len(), 6000);
        assert_eq!(rebuild(&d, DiffOp::Delete).len(), 3000);
        assert_eq!(rebuild(&d, DiffOp::Insert)[0], "n0");
    }
}
