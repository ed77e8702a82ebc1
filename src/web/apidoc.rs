//! The API reference for integrators, rendered from the OpenAPI document this binary
//! serves (`/api/v1/openapi.json`): nothing is fetched from the network.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::{get, web, HttpRequest};
use askama::Template;
use serde_json::Value;

use super::page::{html, PageResult};

struct Param {
    name: String,
    location: String,
    required: bool,
    description: String,
}

struct Reply {
    status: String,
    description: String,
    types: String,
}

struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    public: bool,
    params: Vec<Param>,
    body: Option<String>,
    replies: Vec<Reply>,
}

struct Tag {
    name: String,
    operations: Vec<Operation>,
}

struct Field {
    name: String,
    kind: String,
    required: bool,
    description: String,
}

struct Schema {
    name: String,
    description: String,
    fields: Vec<Field>,
    values: String,
}

#[derive(Template)]
#[template(path = "apidoc.html", config = "src/web/askama.toml")]
struct ApiDoc {
    version: String,
    tags: Vec<Tag>,
    schemas: Vec<Schema>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// A schema reference or inline type as a short name: `DocumentResponse`, `array of X`.
fn type_name(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(any) = s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)
    {
        return any
            .iter()
            .map(type_name)
            .filter(|t| t != "null")
            .collect::<Vec<_>>()
            .join(" | ");
    }
    match s.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!(
                "array of {}",
                s.get("items").map(type_name).unwrap_or_default()
            )
        }
        Some(Value::String(t)) => match s.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.clone(),
        },
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".to_owned(),
    }
}

fn content_types(v: &Value) -> String {
    v.get("content")
        .and_then(Value::as_object)
        .map(|c| {
            c.iter()
                .map(|(mime, m)| match m.get("schema") {
                    Some(s) => format!("{mime}: {}", type_name(s)),
                    None => mime.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

fn build(doc: &Value) -> ApiDoc {
    let mut tags: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
    let empty = serde_json::Map::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let tag = op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .unwrap_or("other")
                .to_owned();
            let public = match op.get("security").and_then(Value::as_array) {
                None => true,
                Some(reqs) => reqs
                    .iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty())),
            };
            let params = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| Param {
                            name: text(p, "name"),
                            location: text(p, "in"),
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            description: text(p, "description"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let replies = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| Reply {
                            status: status.clone(),
                            description: text(r, "description"),
                            types: content_types(r),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let anchor = format!(
                "{method}-{}",
                path.trim_start_matches('/')
                    .replace(['/', '{', '}'], "-")
                    .trim_matches('-')
            );
            tags.entry(tag).or_default().push(Operation {
                anchor,
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                description: text(op, "description"),
                public,
                params,
                body: op.get("requestBody").map(content_types),
                replies,
            });
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|all| {
            all.iter()
                .map(|(name, s)| {
                    let required: Vec<&str> = s
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let fields = s
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|ps| {
                            ps.iter()
                                .map(|(f, p)| Field {
                                    name: f.clone(),
                                    kind: type_name(p),
                                    required: required.contains(&f.as_str()),
                                    description: text(p, "description"),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let values = s
                        .get("enum")
                        .and_then(Value::as_array)
                        .map(|e| {
                            e.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    Schema {
                        name: name.clone(),
                        description: text(s, "description"),
                        fields,
                        values,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    ApiDoc {
        version: doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        tags: tags
            .into_iter()
            .map(|(name, operations)| Tag { name, operations })
            .collect(),
        schemas,
    }
}

/// The reference, built once from the document of this process.
#[get("/tai-lieu-api")]
pub async fn reference(req: HttpRequest, doc: web::Data<utoipa::openapi::OpenApi>) -> PageResult {
    static PAGE: OnceLock<ApiDoc> = OnceLock::new();
    let page = PAGE.get_or_init(|| build(&serde_json::to_value(doc.get_ref()).unwrap_or_default()));
    html(&req, page, false)
}
