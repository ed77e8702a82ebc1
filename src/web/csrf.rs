//! Form tokens against cross-site requests, for pages without an account (the comment form).
//!
//! The signed double-submit pattern (OWASP's recommendation where there is no server
//! session): the browser holds a random value in a `SameSite=Strict`, `HttpOnly` cookie, and
//! each form carries the HMAC-SHA256 of that value under a key derived from the server's
//! secret. A forged cross-site post has neither the cookie (SameSite) nor a way to compute
//! the token. Written here because actix has no maintained CSRF middleware for this
//! stateless case; the primitives are RustCrypto's `hmac` and `sha2`.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const COOKIE: &str = "vanban_form";

/// The key of the tokens, derived from the server's secret (never the secret itself).
#[derive(Clone)]
pub struct FormKey([u8; 32]);

impl FormKey {
    /// The key of the service's token keys (derived from its secret, see
    /// [`crate::auth::token::TokenKeys::form_key`]).
    pub fn of(keys: &crate::auth::token::TokenKeys) -> Self {
        FormKey(keys.form_key())
    }

    fn mac(&self, nonce: &str) -> Hmac<Sha256> {
        // A key of any length is accepted by HMAC.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        m.update(nonce.as_bytes());
        m
    }

    /// The token a form carries for this browser's nonce.
    pub fn token(&self, nonce: &str) -> String {
        hex::encode(self.mac(nonce).finalize().into_bytes())
    }

    /// Whether `token` is this nonce's token (compared in constant time).
    pub fn check(&self, nonce: &str, token: &str) -> bool {
        match hex::decode(token) {
            Ok(bytes) => self.mac(nonce).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// The browser's nonce, or a new one with the cookie to set.
pub fn nonce(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(c) = req.cookie(COOKIE) {
        let v = c.value();
        if (16..=64).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return (v.to_owned(), None);
        }
    }
    let bytes: [u8; 24] = rand::random();
    let v = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let cookie = Cookie::build(COOKIE, v.clone())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    (v, Some(cookie))
}

/// Whether a posted form carries the token of the browser's cookie.
pub fn verify(req: &HttpRequest, key: &FormKey, token: &str) -> bool {
    req.cookie(COOKIE)
        .is_some_and(|c| key.check(c.value(), token))
}

#[cfg(test)]
mod tests {
    use super::FormKey;

    #[test]
    fn a_token_checks_only_for_its_nonce_and_key() {
        let keys = |s: &[u8]| FormKey::of(&crate::auth::token::TokenKeys::new(s, 60));
        let k = keys(b"s3cret");
        let t = k.token("abcdefghijklmnopqrstu");
        assert!(k.check("abcdefghijklmnopqrstu", &t));
        assert!(!k.check("abcdefghijklmnopqrstv", &t));
        assert!(!keys(b"other").check("abcdefghijklmnopqrstu", &t));
        assert!(!k.check("abcdefghijklmnopqrstu", "zz"));
        assert!(!k.check("abcdefghijklmnopqrstu", ""));
    }
}
