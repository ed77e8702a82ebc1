//! Access tokens (JWT, HS256, short-lived) and refresh tokens (opaque, random, stored
//! hashed, rotated on every use; reuse of a rotated token revokes its whole family).

use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AuthError;
use crate::domain::kinds::Role;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub role: Role,
    pub org: Option<String>,
    /// The refresh-token family (login session) this token belongs to.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    /// Token purpose; only `access` is accepted on API calls.
    pub typ: String,
}

const ISSUER_TYP: &str = "access";

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_seconds: i64,
    /// The key of the pages' form tokens, derived from the same secret (never the secret
    /// itself), so that a dev server's random secret makes unguessable form tokens too.
    form_key: [u8; 32],
}

impl TokenKeys {
    /// The key of the pages' form tokens.
    pub fn form_key(&self) -> [u8; 32] {
        self.form_key
    }

    pub fn new(secret: &[u8], access_ttl_seconds: i64) -> Self {
        // Only HS256 is accepted: `alg: none` and any other algorithm fail to decode.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_seconds,
            form_key: {
                let mut h = Sha256::new();
                h.update(b"vanban form tokens\0");
                h.update(secret);
                h.finalize().into()
            },
        }
    }

    pub fn issue(
        &self,
        user_id: &str,
        username: &str,
        role: Role,
        org: Option<String>,
        sid: &str,
    ) -> Result<String, AuthError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            name: username.to_owned(),
            role,
            org,
            sid: sid.to_owned(),
            iat: now,
            exp: now + self.access_ttl_seconds,
            typ: ISSUER_TYP.to_owned(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AuthError::Internal(format!("signing failed: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| AuthError::InvalidToken(e.to_string()))?;
        if data.claims.typ != ISSUER_TYP {
            return Err(AuthError::InvalidToken("not an access token".into()));
        }
        Ok(data.claims)
    }
}

/// A new opaque refresh token (returned once to the client) and the hash stored for it.
pub fn new_refresh_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = refresh_token_hash(&token);
    (token, hash)
}

pub fn refresh_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A random secret for dev mode when none is configured (tokens die with the process).
pub fn random_secret() -> Vec<u8> {
    let bytes: [u8; 32] = rand::random();
    bytes.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60)
    }

    #[test]
    fn issued_token_verifies_with_its_claims() {
        let k = keys();
        let t = k
            .issue("u1", "admin", Role::Admin, None, "fam")
            .expect("issue");
        let c = k.verify(&t).expect("verify");
        assert_eq!(c.sub, "u1");
        assert_eq!(c.role, Role::Admin);
        assert_eq!(c.sid, "fam");
    }

    #[test]
    fn wrong_secret_expired_and_alg_none_are_refused() {
        let k = keys();
        let t = k.issue("u1", "a", Role::Viewer, None, "f").expect("issue");
        let other = TokenKeys::new(b"another-secret-another-secret-xx", 60);
        assert!(other.verify(&t).is_err());

        let expired = TokenKeys::new(b"0123456789abcdef0123456789abcdef", -3600);
        let t = expired
            .issue("u1", "a", Role::Viewer, None, "f")
            .expect("issue");
        assert!(k.verify(&t).is_err());

        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let now = chrono::Utc::now().timestamp();
        let body = b64.encode(
            format!(
                r#"{{"sub":"u1","name":"a","role":"admin","org":null,"sid":"f","iat":{now},"exp":{},"typ":"access"}}"#,
                now + 600
            )
            .as_bytes(),
        );
        assert!(k.verify(&format!("{header}.{body}.")).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(refresh_token_hash(&a), ha);
        assert_ne!(a, ha);
    }
}
