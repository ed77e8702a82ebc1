//! Content-addressed files. The hash is the key and is checked again on every read.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::models::Blob;
use super::schema::blobs;
use super::{now, Conn, DbError, DbResult};

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Stores the bytes unless the same content is already there; returns the hash.
pub fn put(conn: &mut Conn, content_type: &str, data: Vec<u8>) -> DbResult<String> {
    let sha = sha256_hex(&data);
    let exists: i64 = blobs::table
        .filter(blobs::sha256.eq(&sha))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(blobs::table)
            .values(&Blob {
                sha256: sha.clone(),
                content_type: content_type.to_owned(),
                size: data.len() as i64,
                data,
                created_at: now(),
            })
            .execute(conn)?;
    }
    Ok(sha)
}

/// Reads a file and verifies its hash: a mismatch is corruption, never served.
/// The content type and size of a stored file, without its bytes.
pub fn meta(conn: &mut Conn, sha: &str) -> DbResult<(String, i64)> {
    Ok(blobs::table
        .find(sha)
        .select((blobs::content_type, blobs::size))
        .first(conn)?)
}

pub fn get(conn: &mut Conn, sha: &str) -> DbResult<Blob> {
    let blob: Blob = blobs::table.find(sha).first(conn)?;
    if sha256_hex(&blob.data) != blob.sha256 {
        return Err(DbError::Corrupt(blob.sha256));
    }
    Ok(blob)
}
