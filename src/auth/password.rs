//! argon2id password hashing. Slow on purpose: call it off the async executor.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::sync::LazyLock;

use super::AuthError;

pub fn hash(password: &str) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Internal(format!("hashing failed: {e}")))
}

/// A hash of nothing in particular, verified for unknown usernames so that the
/// response time does not reveal which usernames exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("vanban-dummy-password").unwrap_or_default());

pub fn verify(password: &str, phc: Option<&str>) -> bool {
    let phc = phc.unwrap_or(DUMMY_HASH.as_str());
    let ok = PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && !std::ptr::eq(phc, DUMMY_HASH.as_str())
}

/// A random password for generated accounts: 20 characters from an unambiguous alphabet.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn validate_new(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("at least 10 characters".into());
    }
    if n > 256 {
        return Err("at most 256 characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let h = hash("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&h)));
        assert!(!verify("wrong", Some(&h)));
        assert!(!verify("anything", Some("not a phc string")));
    }

    #[test]
    fn unknown_user_never_verifies() {
        assert!(!verify("vanban-dummy-password", None));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate();
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate());
        assert!(validate_new(&a).is_ok());
        assert!(validate_new("short").is_err());
    }
}
