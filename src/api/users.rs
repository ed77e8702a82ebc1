//! /api/v1/users: account administration (admin only).

use actix_web::http::StatusCode;
use actix_web::{get, patch, post};

use super::responses::{BodyErrors, IfMatchErrors, ReadErrors, WriteErrors};
use super::review::ok;
use super::route::routes;
use super::tagged_row;
use crate::service::accounts::UserResponse;
use crate::service::accounts::{self, CreateUserRequest, UpdateUserRequest};

routes! {
    tag "users";

    /// All accounts.
    get "/users" => list_users(st, caller: Auth)
        -> [(status = 200, body = Vec<UserResponse>), ReadErrors]
        { ok(accounts::list_users(&st.db, &caller).await?) }

    /// Create an account.
    post "/users" => create_user(st, caller: Auth, body: Json<CreateUserRequest>)
        -> [(status = 201, body = UserResponse), WriteErrors, BodyErrors]
        {
            let u = accounts::add_user(&st.db, &st.hasher, caller, body).await?;
            Ok(tagged_row(StatusCode::CREATED, &u))
        }

    /// One account.
    get "/users/{id}" => get_user(st, caller: Auth, id: Path)
        -> [(status = 200, body = UserResponse, headers(("ETag" = String))), ReadErrors]
        { Ok(tagged_row(StatusCode::OK, &accounts::get_user(&st.db, &caller, id).await?)) }

    /// Change an account's name, password, role, unit or active flag (send `If-Match`).
    patch "/users/{id}" => update_user(
        st, caller: Auth, (id, version): IfMatch, body: Json<UpdateUserRequest>
    ) -> [(status = 200, body = UserResponse), WriteErrors, BodyErrors, IfMatchErrors]
        {
            let u = accounts::change_user(&st.db, &st.hasher, caller, id, version, body).await?;
            Ok(tagged_row(StatusCode::OK, &u))
        }
}
