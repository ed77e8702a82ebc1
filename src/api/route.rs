//! One declaration per route: its OpenAPI entry, its actix route and its handler, from a
//! signature that names what the route takes. The routes of a file under one OpenAPI tag
//! read
//!
//! ```text
//! routes! {
//!     tag "review";
//!
//!     /// Doc comment of the route (the OpenAPI summary and description).
//!     post "/review-flags/{id}/resolve"
//!         => resolve_review_flag(st, caller: Auth, id: Path, body: Json<ResolveFlagRequest>)
//!         -> [(status = 200, body = ReviewFlagResponse), WriteErrors, BodyErrors]
//!         { ok(svc::resolve_review_flag(&st.db, caller, id, body).await?) }
//! }
//! ```
//!
//! (the file imports the method's attribute, `use actix_web::post;`: utoipa recognises
//! the route by it), and the body sees each name bound to what was parsed, in the order written:
//!
//! | written | the handler takes | the body sees | OpenAPI |
//! |---|---|---|---|
//! | `st` (first) | the app state | `st` | |
//! | `c: Auth` | a signed-in account (401 otherwise) | `c: Caller` | `security(("bearer" = []))` |
//! | `c: Public` | an account or the public | `c: Option<Caller>` | `security((), ("bearer" = []))` |
//! | (neither) | anyone, no account read | | no `security` |
//! | `id: Path` | `{id}` of the path | `id`, a canonical UUID (404 if malformed) | the `id` path parameter |
//! | `(id, v): IfMatch` | `{id}` and `If-Match` | `id`, and `v` the row version read (412) | `id` and the `If-Match` header |
//! | `q: Query<Q>` | the query string | `q: Q` | the parameters of `Q` |
//! | `b: Json<B>` | a JSON body | `b: B` | `request_body = B` |
//! | `r: Request` | the request itself | `r: HttpRequest` | |

/// See the module documentation.
macro_rules! routes {
    (
        tag $tag:literal;
        $(
            $(#[$doc:meta])*
            $method:ident $path:literal => $name:ident($st:ident $(, $($args:tt)*)?)
            -> [$($responses:tt)*]
            { $($body:tt)* }
        )+
    ) => {$(
        $crate::api::route::routes!(@munch
            [$(#[$doc])* $method $path $name $st $tag [$($responses)*] { $($body)* }]
            sec[] params[] request[] sig[] prep[];
            $($($args)*)?
        );
    )+};

    // What the route takes, one piece at a time.
    (@munch $head:tt sec[] params[$($p:tt)*] request[$($rq:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*];
        $c:ident: Auth $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec[, security(("bearer" = []))] params[$($p)*] request[$($rq)*]
            sig[$($s)* user: $crate::api::AuthUser,] prep[$($pp)* let $c = user.caller;];
            $($($rest)*)?
        );
    };
    (@munch $head:tt sec[] params[$($p:tt)*] request[$($rq:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*];
        $c:ident: Public $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec[, security((), ("bearer" = []))] params[$($p)*] request[$($rq)*]
            sig[$($s)* user: $crate::api::MaybeUser,] prep[$($pp)* let $c = user.0;];
            $($($rest)*)?
        );
    };
    (@munch $head:tt sec $sec:tt params[$($p:tt)*] request[$($rq:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*];
        $id:ident: Path $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec $sec params[$($p)* ("id" = String, Path),] request[$($rq)*]
            sig[$($s)* $id: actix_web::web::Path<String>,]
            prep[$($pp)* let $id = $crate::api::parse_id(&$id)?;];
            $($($rest)*)?
        );
    };
    (@munch $head:tt sec $sec:tt params[$($p:tt)*] request[$($rq:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*];
        ($id:ident, $v:ident): IfMatch $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec $sec params[$($p)* ("id" = String, Path), ("If-Match" = String, Header),]
            request[$($rq)*]
            sig[$($s)* $id: actix_web::web::Path<String>, if_match: $crate::api::IfMatch,]
            prep[$($pp)* let ($id, $v) = if_match.target(&$id)?;];
            $($($rest)*)?
        );
    };
    (@munch $head:tt sec $sec:tt params[$($p:tt)*] request[$($rq:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*];
        $q:ident: Query<$t:ident> $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec $sec params[$($p)* $t,] request[$($rq)*]
            sig[$($s)* $q: actix_web::web::Query<$t>,] prep[$($pp)* let $q = $q.into_inner();];
            $($($rest)*)?
        );
    };
    (@munch $head:tt sec $sec:tt params[$($p:tt)*] request[] sig[$($s:tt)*] prep[$($pp:tt)*];
        $b:ident: Json<$t:ty> $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec $sec params[$($p)*] request[request_body = $t,]
            sig[$($s)* $b: $crate::api::Json<$t>,] prep[$($pp)* let $b = $b.0;];
            $($($rest)*)?
        );
    };
    (@munch $head:tt sec $sec:tt params[$($p:tt)*] request[$($rq:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*];
        $r:ident: Request $(, $($rest:tt)*)?) => {
        $crate::api::route::routes!(@munch $head
            sec $sec params[$($p)*] request[$($rq)*]
            sig[$($s)* $r: actix_web::HttpRequest,] prep[$($pp)*];
            $($($rest)*)?
        );
    };

    // All read: the OpenAPI entry (`params` only where there are some), then the handler.
    (@munch $head:tt sec[$($sec:tt)*] params[] request[$($rq:tt)*] sig $sig:tt prep $prep:tt;) => {
        $crate::api::route::routes!(@emit $head [$($rq)*] [$($sec)*] sig $sig prep $prep);
    };
    (@munch $head:tt sec[$($sec:tt)*] params[$($p:tt)+] request[$($rq:tt)*] sig $sig:tt prep $prep:tt;) => {
        $crate::api::route::routes!(@emit $head [params($($p)+), $($rq)*] [$($sec)*] sig $sig prep $prep);
    };
    (@emit [$(#[$doc:meta])* $method:ident $path:literal $name:ident $st:ident $tag:literal
            [$($responses:tt)*] { $($body:tt)* }]
        [$($before:tt)*] [$($sec:tt)*] sig[$($s:tt)*] prep[$($pp:tt)*]) => {
        $(#[$doc])*
        #[utoipa::path(tag = $tag, $($before)* responses($($responses)*) $($sec)*)]
        #[$method($path)]
        pub async fn $name(
            $st: $crate::api::State,
            $($s)*
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            $($pp)*
            $($body)*
        }
    };
}
pub(crate) use routes;
