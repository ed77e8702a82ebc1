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

/// The threads that run argon2, apart from everything else: a burst of logins queues
/// here instead of taking every core from the requests that only read. Known and unknown
/// usernames take the same path (a verify against the stored or the dummy hash).
pub struct Hasher {
    /// None when the threads could not be started: then tokio's blocking threads.
    pool: Option<rayon::ThreadPool>,
}

impl Hasher {
    /// `threads` 0 means one per core.
    pub fn new(threads: usize) -> Self {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("vanban-argon2-{i}"))
            .build()
            .inspect_err(|e| tracing::warn!(error = %e, "no password hashing threads"))
            .ok();
        // Computed once, off the request path.
        LazyLock::force(&DUMMY_HASH);
        Hasher { pool }
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        match &self.pool {
            Some(pool) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                pool.spawn(move || {
                    let _ = tx.send(f());
                });
                rx.await.ok()
            }
            None => tokio::task::spawn_blocking(f).await.ok(),
        }
    }

    /// [`verify`] on the hashing threads.
    pub async fn verify(&self, password: String, phc: Option<String>) -> bool {
        self.run(move || verify(&password, phc.as_deref()))
            .await
            .unwrap_or(false)
    }

    /// [`hash`] on the hashing threads.
    pub async fn hash(&self, password: String) -> Result<String, AuthError> {
        self.run(move || hash(&password))
            .await
            .unwrap_or_else(|| Err(AuthError::Internal("hashing thread stopped".into())))
    }
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
