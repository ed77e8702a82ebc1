//! A browser for the staff pages, in the test process: it keeps the cookies the service
//! sets (the form cookie, the session), sends `Accept: text/html`, and posts forms with the
//! form token of its form cookie, as the pages' hidden field carries it.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::test;

use crate::helpers::{Response, TestApp, PASSWORD};

pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

/// The text of a page.
pub fn text(r: &Response) -> String {
    String::from_utf8(r.bytes.clone()).expect("UTF-8 page")
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: BTreeMap::new(),
        }
    }

    /// A browser signed in as `username` (a demo account) through the login page.
    pub async fn signed_in(app: &'a TestApp, username: &str) -> Self {
        let mut b = Browser::new(app);
        b.get("/dang-nhap").await;
        let r = b
            .post(
                "/dang-nhap",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status.as_u16(), 303, "login of {username}: {}", text(&r));
        assert!(b.session().is_some(), "a session cookie");
        b
    }

    /// The session cookie's value, if any.
    pub fn session(&self) -> Option<&str> {
        self.cookies.get("vanban_session").map(String::as_str)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.into(), value.into());
    }

    /// The form token the pages render for this browser's form cookie.
    pub fn token(&self) -> String {
        let keys = vanban::auth::token::TokenKeys::new(crate::helpers::SECRET, 60);
        let nonce = self
            .cookies
            .get("vanban_form")
            .map(String::as_str)
            .unwrap_or("");
        vanban::web::csrf::FormKey::of(&keys).token(nonce)
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &Response) {
        for v in r.headers.get_all(header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let pair = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                let removed = val.is_empty() || v.contains("Max-Age=0");
                if removed {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), val.to_owned());
                }
            }
        }
    }

    pub async fn send(&mut self, mut req: test::TestRequest) -> Response {
        req = req.insert_header((header::ACCEPT, "text/html"));
        if !self.cookies.is_empty() {
            req = req.insert_header((header::COOKIE, self.cookie_header()));
        }
        let r = self.app.send(req).await;
        self.keep(&r);
        r
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(test::TestRequest::get().uri(path)).await
    }

    /// Posts a form with this browser's form token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.token();
        let mut all = vec![("form_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no form token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(fields).expect("a form");
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .set_payload(body);
        self.send(req).await
    }

    /// Posts a multipart form (a file upload) to `path`, which carries the form token in its
    /// query as the page's form does.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> Response {
        let (ct, body) = crate::helpers::multipart(parts);
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header((header::CONTENT_TYPE, ct))
            .set_payload(body);
        self.send(req).await
    }
}
