//! The audit log's hash chain. Each entry's hash covers the previous hash and every
//! field of the entry in a fixed order, so editing, deleting or reordering any row
//! breaks the chain from that row on.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub details: Option<&'a str>,
}

pub fn entry_hash(prev_hash: &str, f: &AuditFields<'_>) -> String {
    // A JSON array is an unambiguous encoding: no field can bleed into the next.
    let canonical = serde_json::json!([
        prev_hash,
        f.seq,
        f.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        f.actor_id,
        f.actor_name,
        f.action,
        f.entity_type,
        f.entity_id,
        f.from_state,
        f.to_state,
        f.reason,
        f.details,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// A break in the chain found by [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// A sequence number is missing: rows were deleted.
    Gap { expected: i64, found: i64 },
    /// The row's stored previous hash is not the hash of the row before it.
    Link { seq: i64 },
    /// The row's content no longer matches its hash: it was edited.
    Content { seq: i64 },
    /// The head (last sequence and hash) disagrees with the last row: rows at the end were deleted.
    Head { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Gap { expected, found } => {
                write!(f, "entry {expected} is missing (next found: {found}): rows were deleted")
            }
            ChainBreak::Link { seq } => write!(f, "entry {seq} does not link to the entry before it"),
            ChainBreak::Content { seq } => write!(f, "entry {seq} was modified after it was written"),
            ChainBreak::Head { head_seq, last_seq } => write!(
                f,
                "the log ends at entry {last_seq} but {head_seq} entries were written: rows were deleted"
            ),
        }
    }
}

/// Incremental verifier: feed rows in sequence order, then call [`ChainVerifier::finish`].
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub breaks: Vec<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            breaks: vec![],
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, fields: &AuditFields<'_>, stored_prev: &str, stored_hash: &str) {
        if fields.seq != self.expected_seq {
            self.breaks.push(ChainBreak::Gap {
                expected: self.expected_seq,
                found: fields.seq,
            });
        }
        if stored_prev != self.prev_hash {
            self.breaks.push(ChainBreak::Link { seq: fields.seq });
        }
        if entry_hash(stored_prev, fields) != stored_hash {
            self.breaks.push(ChainBreak::Content { seq: fields.seq });
        }
        self.expected_seq = fields.seq + 1;
        self.prev_hash = stored_hash.to_owned();
    }

    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Vec<ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if head_seq != last_seq || head_hash != self.prev_hash {
            self.breaks.push(ChainBreak::Head { head_seq, last_seq });
        }
        self.breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(seq: i64, action: &str) -> AuditFields<'_> {
        AuditFields {
            seq,
            at: chrono::DateTime::from_timestamp(1_700_000_000 + seq, 0)
                .expect("valid")
                .naive_utc(),
            actor_id: Some("u1"),
            actor_name: "admin",
            action,
            entity_type: "document",
            entity_id: "d1",
            from_state: None,
            to_state: Some("drafting"),
            reason: None,
            details: None,
        }
    }

    fn chain(n: i64) -> Vec<(AuditFields<'static>, String, String)> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|i| {
                let f = fields(i, "create");
                let h = entry_hash(&prev, &f);
                let row = (f, prev.clone(), h.clone());
                prev = h;
                row
            })
            .collect()
    }

    fn verify(rows: &[(AuditFields<'_>, String, String)], head: (i64, &str)) -> Vec<ChainBreak> {
        let mut v = ChainVerifier::default();
        for (f, p, h) in rows {
            v.push(f, p, h);
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let last = rows[4].2.clone();
        assert!(verify(&rows, (5, &last)).is_empty());
    }

    #[test]
    fn edit_delete_and_truncation_are_detected() {
        let rows = chain(5);
        let last = rows[4].2.clone();

        let mut edited = rows.clone();
        edited[2].0.action = "delete";
        assert_eq!(
            verify(&edited, (5, &last)),
            vec![ChainBreak::Content { seq: 3 }]
        );

        let mut deleted = rows.clone();
        deleted.remove(1);
        let found = verify(&deleted, (5, &last));
        assert!(found.contains(&ChainBreak::Gap {
            expected: 2,
            found: 3
        }));
        assert!(found.contains(&ChainBreak::Link { seq: 3 }));

        let truncated = &rows[..4];
        assert_eq!(
            verify(truncated, (5, &last)),
            vec![ChainBreak::Head {
                head_seq: 5,
                last_seq: 4
            }]
        );
    }
}
