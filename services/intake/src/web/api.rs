//! `/api`: the HTTP API as a page people read, rendered from the same OpenAPI document that
//! `/api/v1/openapi.json` serves ([`crate::http::openapi::document`]), so it can never describe another
//! API than the one running. Each operation shows its method and path, who may call it, how to
//! authenticate, its parameters, request body and responses; then every schema with its fields.
//! Headings follow the page's language; the descriptions come from the handlers, in English.

use std::sync::LazyLock;

use axum::response::Html;
use jvap_record::messages::Role;
use maud::{Markup, html};
use serde_json::Value;

use super::View;
use super::i18n::Words;
use super::layout::{self, column_heads};
use crate::http::openapi;

/// `GET /api`.
pub(super) async fn page(view: View) -> Html<String> {
    let w = view.words;
    let document = document();
    let operations = operations(document);
    let body = html! {
        h1 { (w.api_title) }
        p { (w.api_intro) }
        @if let Some(description) = document["info"]["description"].as_str() { (text(description)) }
        p { a href="/api/v1/openapi.json" { (w.api_document) } }

        section aria-labelledby="api-auth" {
            h2 #api-auth { (w.api_auth_title) }
            dl.facts {
                @for (name, scheme) in object(&document["components"]["securitySchemes"]) {
                    dt { code { (name) } }
                    dd { (text(scheme["description"].as_str().unwrap_or_default())) }
                }
            }
        }

        nav aria-labelledby="api-contents" {
            h2 #api-contents { (w.api_contents) }
            ul {
                @for op in &operations {
                    li { a href={ "#" (op.anchor()) } { code { (op.method.to_uppercase()) " " (op.path) } } " — " (op.summary()) }
                }
            }
        }

        @for op in &operations { (operation(w, op)) }

        section aria-labelledby="api-schemas" {
            h2 #api-schemas { (w.api_schemas) }
            @for (name, schema) in object(&document["components"]["schemas"]) { (schema_section(&view, name, schema)) }
        }
    };
    layout::page(&view, w.api_title, html! {}, body)
}

/// The document as JSON, which is simpler to walk than utoipa's types and is exactly what clients read.
fn document() -> &'static Value {
    static VALUE: LazyLock<Value> =
        LazyLock::new(|| serde_json::to_value(openapi::document()).unwrap_or(Value::Null));
    &VALUE
}

/// One method on one path.
struct Operation<'a> {
    path: &'a str,
    method: &'a str,
    spec: &'a Value,
}

impl Operation<'_> {
    fn anchor(&self) -> String {
        format!(
            "op-{}",
            self.spec["operationId"].as_str().unwrap_or_default()
        )
    }

    fn summary(&self) -> &str {
        self.spec["summary"].as_str().unwrap_or_default()
    }
}

/// Every operation, by path and then method, as the document orders them.
fn operations(document: &Value) -> Vec<Operation<'_>> {
    object(&document["paths"])
        .flat_map(|(path, item)| {
            object(item).map(move |(method, spec)| Operation { path, method, spec })
        })
        .collect()
}

fn operation(w: &Words, op: &Operation) -> Markup {
    let spec = op.spec;
    let roles: Vec<&str> = spec["x-roles"]
        .as_array()
        .map(|roles| roles.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let security: Vec<&str> = spec["security"]
        .as_array()
        .map(|all| {
            all.iter()
                .flat_map(|s| object(s).map(|(name, _)| name))
                .collect()
        })
        .unwrap_or_default();
    let parameters = spec["parameters"].as_array().cloned().unwrap_or_default();
    html! {
        section.card aria-labelledby=(op.anchor()) {
            h2 #(op.anchor()) { code { (op.method.to_uppercase()) " " (op.path) } }
            p { strong { (op.summary()) } }
            @if let Some(description) = spec["description"].as_str() { (text(description)) }
            dl.facts {
                dt { (w.api_roles) }
                dd {
                    @if roles.is_empty() { (w.api_anyone) }
                    @else {
                        @for (i, role) in roles.iter().enumerate() {
                            @if i > 0 { ", " }
                            (role.parse::<Role>().map_or(*role, |role| w.role(role)))
                        }
                    }
                }
                dt { (w.api_auth) }
                dd {
                    @if security.is_empty() { (w.api_none) }
                    @else {
                        @for (i, name) in security.iter().enumerate() {
                            @if i > 0 { " | " }
                            code { (name) }
                        }
                    }
                }
            }
            @if !parameters.is_empty() {
                table {
                    caption { (w.api_parameters) }
                    (column_heads(&[w.col_name, w.col_in, w.col_required, w.col_type, w.col_description]))
                    tbody {
                        @for parameter in &parameters {
                            tr {
                                th scope="row" { code { (parameter["name"].as_str().unwrap_or_default()) } }
                                td { (parameter["in"].as_str().unwrap_or_default()) }
                                td { (yes_no(w, parameter["required"].as_bool().unwrap_or(false))) }
                                td { (type_of(&parameter["schema"])) }
                                td { (text(parameter["description"].as_str().unwrap_or_default())) }
                            }
                        }
                    }
                }
            }
            @if spec["requestBody"].is_object() {
                p { strong { (w.api_body) } ": " (content(&spec["requestBody"]["content"])) }
            }
            table {
                caption { (w.api_responses) }
                (column_heads(&[w.col_status, w.col_description, w.col_content]))
                tbody {
                    @for (status, response) in object(&spec["responses"]) {
                        tr {
                            th scope="row" { (status) }
                            td { (text(response["description"].as_str().unwrap_or_default())) }
                            td { (content(&response["content"])) }
                        }
                    }
                }
            }
        }
    }
}

/// A schema's fields as a table, or its values for an enumeration.
fn schema_section(view: &View, name: &str, schema: &Value) -> Markup {
    let w = view.words;
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|all| all.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        h3 #{ "schema-" (name) } { code { (name) } }
        @if let Some(description) = schema["description"].as_str() { (text(description)) }
        @if schema["properties"].is_object() {
            table {
                caption.visually-hidden { (name) }
                (column_heads(&[w.col_name, w.col_required, w.col_type, w.col_description]))
                tbody {
                    @for (field, property) in object(&schema["properties"]) {
                        tr {
                            th scope="row" { code { (field) } }
                            td { (yes_no(w, required.contains(&field))) }
                            td { (type_of(property)) }
                            td { (text(property["description"].as_str().unwrap_or_default())) }
                        }
                    }
                }
            }
        } @else {
            p { (type_of(schema)) }
        }
    }
}

/// The media types of a body and their schemas, e.g. `application/json: SubmissionStatus`.
fn content(content: &Value) -> Markup {
    html! {
        @for (i, (media, body)) in object(content).enumerate() {
            @if i > 0 { br; }
            code { (media) }
            @if body["schema"].is_object() { ": " (type_of(&body["schema"])) }
        }
    }
}

/// A schema's type as people read it: a link to a named schema, `string or null`, `array of …`, an
/// enumeration's values, with the format in brackets.
fn type_of(schema: &Value) -> Markup {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return html! { a href={ "#schema-" (name) } { (name) } };
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(all) = schema[combinator].as_array() {
            return html! {
                @for (i, one) in all.iter().enumerate() {
                    @if i > 0 { " or " }
                    (type_of(one))
                }
            };
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return html! {
            @for (i, value) in values.iter().enumerate() {
                @if i > 0 { " | " }
                code { (value.as_str().map_or_else(|| value.to_string(), str::to_string)) }
            }
        };
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(all) => all.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    html! {
        @if types.is_empty() { "any" }
        @for (i, kind) in types.iter().enumerate() {
            @if i > 0 { " or " }
            @if *kind == "array" { "array of " (type_of(&schema["items"])) } @else { (kind) }
        }
        @if let Some(format) = schema["format"].as_str() { " (" (format) ")" }
    }
}

/// A description: paragraphs, with `code` in backticks shown as code.
fn text(description: &str) -> Markup {
    html! {
        @for paragraph in description.split("\n\n").filter(|p| !p.trim().is_empty()) {
            p {
                @for (i, piece) in paragraph.split('`').enumerate() {
                    @if i % 2 == 1 { code { (piece) } } @else { (piece) }
                }
            }
        }
    }
}

fn yes_no(w: &Words, yes: bool) -> &'static str {
    if yes { w.yes } else { w.no }
}

/// The entries of a JSON object (none for anything else).
fn object(value: &Value) -> impl Iterator<Item = (&str, &Value)> {
    value
        .as_object()
        .into_iter()
        .flat_map(|map| map.iter().map(|(key, value)| (key.as_str(), value)))
}
