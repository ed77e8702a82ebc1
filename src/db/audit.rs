//! Appending to and verifying the hash-chained audit log.

use diesel::prelude::*;

use super::models::AuditRow;
use super::schema::{audit_head, audit_log};
use super::{now, Conn, DbResult, Tx};
use crate::domain::audit::{entry_hash, AuditFields, ChainBreak, ChainVerifier};

/// Who did something (None for the system itself or an anonymous member of the public).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub name: String,
}

impl Actor {
    pub fn system() -> Self {
        Actor {
            id: None,
            name: "system".into(),
        }
    }
}

/// One thing that happened, to be written in the caller's transaction.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub details: Option<serde_json::Value>,
}

impl<'a> Event<'a> {
    /// An event with its details and no change of state.
    pub fn detailed(
        action: &'a str,
        entity_type: &'a str,
        entity_id: &'a str,
        details: serde_json::Value,
    ) -> Self {
        Event {
            action,
            entity_type,
            entity_id,
            details: Some(details),
            ..Default::default()
        }
    }
}

/// Appends one entry, inside the write transaction of the change it records (the type
/// says so: a [`Tx`] exists only inside one). Updating `audit_head` first takes its row
/// lock, which orders concurrent writers: entries are numbered in commit order.
pub fn append(tx: &mut Tx<'_>, actor: &Actor, ev: Event<'_>) -> DbResult<AuditRow> {
    let conn = tx.conn();
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::seq.eq(audit_head::seq + 1))
        .execute(conn)?;
    let (seq, prev_hash): (i64, String) = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    let details = ev.details.map(|d| d.to_string());
    let at = now();
    let hash = entry_hash(
        &prev_hash,
        &AuditFields {
            seq,
            at,
            actor_id: actor.id.as_deref(),
            actor_name: &actor.name,
            action: ev.action,
            entity_type: ev.entity_type,
            entity_id: ev.entity_id,
            from_state: ev.from_state,
            to_state: ev.to_state,
            reason: ev.reason,
            details: details.as_deref(),
        },
    );
    let row = AuditRow {
        seq,
        at,
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        action: ev.action.to_owned(),
        entity_type: ev.entity_type.to_owned(),
        entity_id: ev.entity_id.to_owned(),
        from_state: ev.from_state.map(str::to_owned),
        to_state: ev.to_state.map(str::to_owned),
        reason: ev.reason.map(str::to_owned),
        details,
        prev_hash,
        hash: hash.clone(),
    };
    diesel::insert_into(audit_log::table)
        .values(&row)
        .execute(conn)?;
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::hash.eq(hash))
        .execute(conn)?;
    Ok(row)
}

/// The hash of the log's first entry: the name of this database's history (an empty
/// database has none); a copy of the database keeps it.
pub fn first_hash(conn: &mut Conn) -> DbResult<Option<String>> {
    Ok(audit_log::table
        .order(audit_log::seq.asc())
        .select(audit_log::hash)
        .first::<String>(conn)
        .optional()?)
}

pub fn for_entity(
    conn: &mut Conn,
    entity_type: &str,
    entity_id: &str,
    after_seq: i64,
    limit: i64,
) -> DbResult<Vec<AuditRow>> {
    Ok(audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_id.eq(entity_id))
        .filter(audit_log::seq.gt(after_seq))
        .order(audit_log::seq.asc())
        .limit(limit)
        .load(conn)?)
}

/// Result of a full verification.
#[derive(Debug)]
pub struct Verification {
    pub entries: i64,
    pub breaks: Vec<ChainBreak>,
}

/// Walks the whole log in pages and checks every link; `progress` is told the count so far.
pub fn verify(conn: &mut Conn, mut progress: impl FnMut(i64, i64)) -> DbResult<Verification> {
    let (head_seq, head_hash): (i64, String) = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    let mut verifier = ChainVerifier::default();
    let mut last = 0i64;
    let mut entries = 0i64;
    loop {
        let page: Vec<AuditRow> = audit_log::table
            .filter(audit_log::seq.gt(last))
            .order(audit_log::seq.asc())
            .limit(5_000)
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            verifier.push(
                &AuditFields {
                    seq: r.seq,
                    at: r.at,
                    actor_id: r.actor_id.as_deref(),
                    actor_name: &r.actor_name,
                    action: &r.action,
                    entity_type: &r.entity_type,
                    entity_id: &r.entity_id,
                    from_state: r.from_state.as_deref(),
                    to_state: r.to_state.as_deref(),
                    reason: r.reason.as_deref(),
                    details: r.details.as_deref(),
                },
                &r.prev_hash,
                &r.hash,
            );
            last = r.seq;
        }
        entries += page.len() as i64;
        progress(entries, head_seq);
    }
    Ok(Verification {
        entries,
        breaks: verifier.finish(head_seq, &head_hash),
    })
}

/// Document changes after `seq` (what a search index at `seq` has still to apply): how many,
/// and when the oldest was written.
pub fn documents_after(
    conn: &mut Conn,
    seq: i64,
) -> DbResult<(i64, Option<chrono::NaiveDateTime>)> {
    let pending = audit_log::table
        .filter(audit_log::entity_type.eq("document"))
        .filter(audit_log::seq.gt(seq));
    let count: i64 = pending.count().get_result(conn)?;
    let oldest: Option<chrono::NaiveDateTime> = pending
        .select(audit_log::at)
        .order(audit_log::seq.asc())
        .first(conn)
        .optional()?;
    Ok((count, oldest))
}
