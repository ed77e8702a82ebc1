use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::models::{Document, DocumentChanges};
use super::schema::documents;
use super::{Conn, DbResult};
use crate::domain::kinds::{DocumentKind, DocumentState, LegalEffect};

pub fn insert(conn: &mut Conn, d: &Document) -> DbResult<Document> {
    Ok(diesel::insert_into(documents::table)
        .values(d)
        .returning(documents::all_columns)
        .get_result(conn)?)
}

pub fn get(conn: &mut Conn, id: &str) -> DbResult<Document> {
    Ok(documents::table.find(id).first(conn)?)
}

pub fn by_external_id(conn: &mut Conn, external_id: &str) -> DbResult<Option<Document>> {
    Ok(documents::table
        .filter(documents::external_id.eq(external_id))
        .first(conn)
        .optional()?)
}

pub fn by_number_key(conn: &mut Conn, key: &str) -> DbResult<Vec<Document>> {
    Ok(documents::table
        .filter(documents::number_key.eq(key))
        .order(documents::id.asc())
        .load(conn)?)
}

/// What has been promulgated: published, or withdrawn since.
const PROMULGATED: [DocumentState; 2] = [DocumentState::Published, DocumentState::Withdrawn];

/// The documents one of `units` holds: issued by it and never passed on, or inherited by it
/// in a reorganisation (`documents.holder_id`).
#[diesel::dsl::auto_type]
pub fn held_by(units: Vec<String>) -> _ {
    let again: Vec<String> = units.clone();
    documents::holder_id.eq_any(units).or(documents::holder_id
        .is_null()
        .and(documents::issuer_id.eq_any(again)))
}

/// The promulgated documents a unit holds (issued by it and not passed on, or inherited by
/// it in a reorganisation) but those of the kinds left out, by signing date and number.
pub fn promulgated_by(
    conn: &mut Conn,
    unit_id: &str,
    left_out: &[DocumentKind],
) -> DbResult<Vec<Document>> {
    Ok(documents::table
        .filter(held_by(vec![unit_id.to_owned()]))
        .filter(documents::state.eq_any(PROMULGATED))
        .filter(documents::kind.ne_all(left_out))
        .order((
            documents::signed_on.asc(),
            documents::number_key.asc(),
            documents::id.asc(),
        ))
        .load(conn)?)
}

/// The promulgated documents among these ids.
pub fn promulgated_among(conn: &mut Conn, ids: &[&str]) -> DbResult<Vec<Document>> {
    Ok(documents::table
        .filter(documents::id.eq_any(ids))
        .filter(documents::state.eq_any(PROMULGATED))
        .load(conn)?)
}

super::versioned_update!(documents, Document, DocumentChanges);

/// Records, once, that a version of the document was approved: it can no longer be deleted.
pub fn mark_ever_approved(conn: &mut Conn, doc: &Document) -> DbResult<()> {
    if !doc.ever_approved {
        let changes = DocumentChanges {
            ever_approved: Some(true),
            ..Default::default()
        };
        update(conn, &doc.id, doc.row_version, &changes)?;
    }
    Ok(())
}

pub fn delete(conn: &mut Conn, id: &str) -> DbResult<()> {
    use super::schema::{provisions, relations, versions};
    let version_ids: Vec<String> = versions::table
        .filter(versions::document_id.eq(id))
        .select(versions::id)
        .load(conn)?;
    diesel::delete(provisions::table.filter(provisions::version_id.eq_any(&version_ids)))
        .execute(conn)?;
    diesel::delete(versions::table.filter(versions::document_id.eq(id))).execute(conn)?;
    diesel::delete(
        relations::table.filter(relations::source_id.eq(id).or(relations::target_id.eq(id))),
    )
    .execute(conn)?;
    diesel::delete(documents::table.find(id)).execute(conn)?;
    Ok(())
}

/// Who is asking, for the draft rule: drafts are visible only to their issuer's staff
/// (the issuer or a unit under it), their author, legal officers and approvers.
#[derive(Debug, Clone)]
pub enum Visibility {
    PublishedOnly,
    Everything,
    Scoped {
        user_id: String,
        /// The user's unit and the units above it: a draft is visible when its issuer is one of them.
        org_chain: Vec<String>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: Option<String>,
    pub issuer_id: Option<String>,
    /// Documents that belong to this unit now (its own, or inherited by it).
    pub holder_id: Option<String>,
    pub field: Option<String>,
    pub year: Option<i32>,
    pub state: Option<String>,
    pub legal_effect: Option<(LegalEffect, NaiveDate)>,
    /// Accent- and case-folded fragment matched in the title or the number.
    pub text: Option<String>,
    pub external: Option<bool>,
    /// Documents strictly after this (created_at, id) position in the list order.
    pub after: Option<(NaiveDateTime, String)>,
    pub limit: i64,
}

pub fn published_states() -> [&'static str; 2] {
    [
        DocumentState::Published.as_str(),
        DocumentState::Withdrawn.as_str(),
    ]
}

/// SQL for one legal effect on a date, mirroring `domain::effect::legal_effect`.
/// The date is formatted from a `NaiveDate`, never from request text.
pub fn effect_sql(effect: LegalEffect, on: NaiveDate) -> String {
    let d = on.format("%Y-%m-%d").to_string();
    let drafts = DocumentState::ALL
        .iter()
        .filter(|s| s.is_draft())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",");
    let rel = |kinds: &str, scope: &str, extra: &str| {
        format!(
            "EXISTS (SELECT 1 FROM relations r WHERE r.target_id = documents.id \
             AND r.kind IN ({kinds}) {scope} AND r.effective_on IS NOT NULL \
             AND r.effective_on <= '{d}' {extra})"
        )
    };
    // Every comparison with a nullable column is guarded with IS NOT NULL: a NULL would
    // make the whole condition NULL, and NOT NULL is not TRUE.
    let not_yet = format!(
        "(documents.state IN ({drafts}) OR (COALESCE(documents.effective_from, documents.signed_on) IS NOT NULL \
         AND COALESCE(documents.effective_from, documents.signed_on) > '{d}'))"
    );
    let expired = format!(
        "((documents.effective_until IS NOT NULL AND documents.effective_until <= '{d}') OR {})",
        rel("'repeals','replaces'", "AND r.scope = 'full'", "")
    );
    let running = format!("AND (r.effective_until IS NULL OR r.effective_until > '{d}')");
    let suspended = rel("'suspends'", "AND r.scope = 'full'", &running);
    let part_suspended = rel("'suspends'", "AND r.scope = 'partial'", &running);
    let partial = rel("'repeals','replaces'", "AND r.scope = 'partial'", "");
    // The rules in their order: each effect is "none of the earlier ones, and this one".
    let ordered = [
        (LegalEffect::NotYetEffective, not_yet),
        (LegalEffect::Expired, expired),
        (LegalEffect::Suspended, suspended),
        (LegalEffect::PartiallySuspended, part_suspended),
        (LegalEffect::PartiallyExpired, partial),
    ];
    let mut parts: Vec<String> = vec![];
    for (e, cond) in &ordered {
        if *e == effect {
            parts.push(cond.clone());
            return format!("({})", parts.join(" AND "));
        }
        parts.push(format!("NOT {cond}"));
    }
    // in_force: none of them.
    format!("({})", parts.join(" AND "))
}

/// Escapes LIKE wildcards in user text (the escape character is `\`).
fn like_pattern(fragment: &str) -> String {
    let mut p = String::with_capacity(fragment.len() + 2);
    p.push('%');
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One page of documents, newest first, in a stable order (created_at, id).
pub fn list(conn: &mut Conn, vis: &Visibility, f: &ListFilter) -> DbResult<Vec<Document>> {
    let mut q = documents::table.into_boxed();
    match vis {
        Visibility::Everything => {}
        Visibility::PublishedOnly => {
            q = q.filter(documents::state.eq_any(published_states()));
        }
        Visibility::Scoped { user_id, org_chain } => {
            q = q.filter(
                documents::state
                    .eq_any(published_states())
                    .or(documents::issuer_id
                        .assume_not_null()
                        .eq_any(org_chain.clone()))
                    .or(documents::created_by.assume_not_null().eq(user_id.clone())),
            );
        }
    }
    if let Some(k) = &f.kind {
        q = q.filter(documents::kind.eq(k.clone()));
    }
    if let Some(h) = &f.holder_id {
        q = q.filter(held_by(vec![h.clone()]));
    }
    if let Some(i) = &f.issuer_id {
        q = q.filter(documents::issuer_id.eq(i.clone()));
    }
    if let Some(field) = &f.field {
        q = q.filter(documents::field.eq(field.clone()));
    }
    if let Some(s) = &f.state {
        q = q.filter(documents::state.eq(s.clone()));
    }
    if let Some(e) = f.external {
        q = q.filter(documents::external.eq(e));
    }
    if let Some(y) = f.year {
        if let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, 31),
        ) {
            q = q.filter(documents::signed_on.between(from, to));
        }
    }
    if let Some(text) = &f.text {
        let title = like_pattern(&crate::domain::number::title_key(text));
        let number = like_pattern(&crate::domain::number::number_key(text));
        q = q.filter(
            documents::title_key
                .like(title)
                .escape('\\')
                .or(documents::number_key
                    .assume_not_null()
                    .like(number)
                    .escape('\\')),
        );
    }
    if let Some((effect, on)) = f.legal_effect {
        q = q.filter(sql::<Bool>(&effect_sql(effect, on)));
    }
    if let Some((at, id)) = &f.after {
        q = q.filter(
            documents::created_at.lt(*at).or(documents::created_at
                .eq(*at)
                .and(documents::id.lt(id.clone()))),
        );
    }
    Ok(
        q.order((documents::created_at.desc(), documents::id.desc()))
            .limit(f.limit)
            .load(conn)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn effect_sql_only_embeds_the_formatted_date() {
        let d = NaiveDate::from_ymd_opt(2016, 6, 30).expect("date");
        let s = effect_sql(LegalEffect::InForce, d);
        assert!(s.contains("'2016-06-30'"));
        assert!(s.contains("'drafting'"));
    }
}
