//! What the search index and the use cases read alike: the relations that change a
//! document's legal effect, and the version a document is found by.

use super::models::{Document, Relation};
use super::{iso, relations, versions, Conn, DbResult};
use crate::domain::effect::IncomingRelation;
use crate::domain::kinds::RevisionState;

/// The relations acting on a document, as the effect rules see them.
pub fn incoming_relations(conn: &mut Conn, id: &str) -> DbResult<Vec<IncomingRelation>> {
    let mut out = vec![];
    for r in relations::incoming(conn, id)? {
        out.extend(to_incoming(r)?);
    }
    Ok(out)
}

/// The relation as the effect rules see it; a relation without a date is one that
/// cannot change legal effect (based_on, guides, corrects), so it is left out.
pub fn to_incoming(r: Relation) -> DbResult<Option<IncomingRelation>> {
    let Some(effective_on) = r.effective_on else {
        return Ok(None);
    };
    Ok(Some(IncomingRelation {
        kind: r.kind,
        scope: r.scope,
        id: r.id,
        source_id: r.source_id,
        effective_on,
        effective_until: r.effective_until,
    }))
}

/// The version the search index shows for a document: for a quality document its
/// current revision (else the last one issued, else the latest draft); for any other
/// document its latest version.
pub fn indexed_version_id(conn: &mut Conn, doc: &Document) -> DbResult<Option<String>> {
    if doc.kind.is_iso() {
        let revs = iso::revisions(conn, &doc.id)?;
        if let Some(c) = revs.iter().find(|r| r.state == RevisionState::Current) {
            return Ok(Some(c.version_id.clone()));
        }
        if let Some(last) = revs
            .iter()
            .filter(|r| r.revision_no.is_some())
            .max_by_key(|r| r.revision_no)
        {
            return Ok(Some(last.version_id.clone()));
        }
    }
    Ok(versions::latest(conn, &doc.id)?.map(|v| v.id))
}
