//! Signing in and out, the language switch, and [`View`]: who is asking and in which language.
//!
//! Sign-in takes an access token once and opens a session ([`crate::http::auth`]), whose CSRF token
//! every form carries and every POST checks. The sign-in form itself is protected by a second cookie
//! whose value the form must repeat (double submit).

use axum::Form;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jvap_bus::SESSION_TTL;
use jvap_record::Lang;
use maud::html;
use serde::Deserialize;

use super::i18n::{self, LANG_COOKIE, Words};
use super::{Notice, PageError, layout};
use crate::http::auth::{self, SESSION_COOKIE, Session, SessionLookup, token_hash};
use crate::http::rate::{Action, Client};
use crate::http::{AppState, Error, cookies};

/// The cookie the sign-in form repeats as its CSRF token.
const SIGNIN_COOKIE: &str = "jvap_signin";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/signin", post(sign_in))
        .route("/signout", post(sign_out))
        .route("/lang/{lang}", get(switch_language))
}

/// A signed-in person: the session the cookie names ([`crate::http::auth`]).
pub(crate) type SignedIn = Session;

impl SignedIn {
    /// Refuse a form whose CSRF token is not this session's.
    pub(crate) fn check_csrf(&self, view: &View, sent: Option<&str>) -> Result<(), PageError> {
        if sent.is_some_and(|sent| constant_time_eq(sent.as_bytes(), self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(view.fail(Error::BadRequest(i18n::both(|w| w.form_expired))))
        }
    }
}

/// What every page handler needs: the language, the round, and who is signed in, if anyone.
pub(crate) struct View {
    pub lang: Lang,
    pub words: &'static Words,
    pub round: String,
    pub max_upload_bytes: usize,
    pub user: Option<SignedIn>,
    /// The path and query of this request, where the language switch comes back to.
    pub here: String,
    /// The request came over TLS: cookies get `Secure`.
    pub over_tls: bool,
    /// The request carried a session cookie (which may have expired).
    had_session_cookie: bool,
    /// The session ended with this request because its token was revoked.
    revoked: bool,
}

impl View {
    /// The signed-in person, or a redirect to the sign-in page (saying the access was revoked, or
    /// that the session expired, when the browser had one).
    pub(crate) fn user(&self) -> Result<&SignedIn, PageError> {
        self.user.as_ref().ok_or_else(|| {
            PageError::Redirect(if self.revoked {
                "/?notice=revoked".into()
            } else if self.had_session_cookie {
                "/?notice=expired".into()
            } else {
                "/".into()
            })
        })
    }
}

impl FromRequestParts<AppState> for View {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<View, PageError> {
        let lang = i18n::lang_of(&parts.headers);
        let mut view = View {
            lang,
            words: i18n::words(lang),
            round: state.round.to_string(),
            max_upload_bytes: state.max_upload_bytes,
            user: None,
            here: parts
                .uri
                .path_and_query()
                .map_or("/".into(), |pq| pq.as_str().to_string()),
            over_tls: cookies::over_tls(&parts.headers),
            had_session_cookie: cookies::get(&parts.headers, SESSION_COOKIE).is_some(),
            revoked: false,
        };
        match auth::look_up_session(&parts.headers, state)
            .await
            .map_err(|e| view.fail(e))?
        {
            SessionLookup::Live(session) => view.user = Some(session),
            SessionLookup::Revoked => view.revoked = true,
            SessionLookup::None => {}
        }
        Ok(view)
    }
}

/// The sign-in page (the home page of anyone not signed in).
pub(super) fn signin_page(view: &View, notice: Option<Notice>, status: StatusCode) -> Response {
    let w = view.words;
    let message = notice.and_then(|notice| match notice {
        Notice::Expired => Some(w.session_expired),
        Notice::Revoked => Some(w.access_revoked),
        Notice::SignedOut => Some(w.signed_out),
        // Meant for a signed-in admin; says nothing to anyone else.
        Notice::SummaryRequested | Notice::RoundClosed => None,
    });
    signin_response(view, message.map(|m| (m, false)), status)
}

/// The sign-in page with an optional message (`true` when it is a problem), and a fresh sign-in cookie.
fn signin_response(view: &View, message: Option<(&str, bool)>, status: StatusCode) -> Response {
    let w = view.words;
    let csrf = match auth::new_token() {
        Ok(csrf) => csrf,
        Err(e) => return view.fail(e).into_response(),
    };
    let body = html! {
        h1 { (w.signin_title) }
        p { (w.signin_intro) }
        @if let Some((message, problem)) = message {
            @if problem {
                p.problem #problem role="alert" { (message) }
            } @else {
                p.notice role="status" { (message) }
            }
        }
        form.card method="post" action="/signin" {
            input type="hidden" name="csrf" value=(csrf);
            label for="token" { (w.token_label) }
            p.hint #token-hint { (w.token_hint) }
            input #token type="password" name="token" required autocomplete="current-password"
                aria-describedby="token-hint" spellcheck="false";
            button type="submit" { (w.signin_button) }
        }
        (layout::templates_section(view))
    };
    let cookie = cookies::set(view.over_tls, SIGNIN_COOKIE, &csrf, None);
    (
        status,
        [(header::SET_COOKIE, cookie)],
        layout::page(view, w.signin_title, html! {}, body),
    )
        .into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    token: String,
    csrf: String,
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    view: View,
    client: Client,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let w = view.words;
    let Ok(Form(form)) = form else {
        return Ok(signin_response(
            &view,
            Some((w.form_expired, true)),
            StatusCode::BAD_REQUEST,
        ));
    };
    let expected = cookies::get(&headers, SIGNIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Ok(signin_response(
            &view,
            Some((w.form_expired, true)),
            StatusCode::FORBIDDEN,
        ));
    }
    let token = form.token.trim();
    let hash = token_hash(token);
    state
        .limits
        .take(Action::SignIn, &client, &hash)
        .map_err(|e| view.fail(Error::TooMany(Box::new(e))))?;
    let known = !token.is_empty()
        && auth::caller_of_token_hash(&state.bus, &hash)
            .await
            .map_err(|e| view.fail(e))?
            .is_some();
    if !known {
        return Ok(signin_response(
            &view,
            Some((w.bad_token, true)),
            StatusCode::UNAUTHORIZED,
        ));
    }
    let id = auth::open_session(&state, hash)
        .await
        .map_err(|e| view.fail(e))?;
    let secure = view.over_tls;
    let session = cookies::set(secure, SESSION_COOKIE, &id, Some(SESSION_TTL.as_secs()));
    let signin = cookies::clear(secure, SIGNIN_COOKIE);
    Ok((
        // Two cookies: `AppendHeaders`, since an array of headers keeps only the last of a name.
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, signin)]),
        Redirect::to("/"),
    )
        .into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn sign_out(
    State(state): State<AppState>,
    view: View,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let user = view.user()?;
    user.check_csrf(&view, form.csrf.as_deref())?;
    auth::close_session(&state, user)
        .await
        .map_err(|e| view.fail(e))?;
    Ok((
        [(
            header::SET_COOKIE,
            cookies::clear(view.over_tls, SESSION_COOKIE),
        )],
        Redirect::to("/?notice=signed_out"),
    )
        .into_response())
}

#[derive(Deserialize)]
struct SwitchQuery {
    next: Option<String>,
}

/// `/lang/{en|fr}?next=/path`: keep the choice in a cookie for a year and go back to the page. A
/// `next` with a control character is refused (400): browsers drop tabs and new lines from a URL, so
/// `/<tab>/evil.example/` would lead to another site; any other `next` off this site goes home.
async fn switch_language(
    headers: HeaderMap,
    Path(lang): Path<String>,
    Query(query): Query<SwitchQuery>,
) -> Response {
    let chosen = lang.parse::<Lang>().ok();
    let next = query.next.unwrap_or_else(|| "/".into());
    if next.chars().any(char::is_control) {
        let words = i18n::words(chosen.unwrap_or_else(|| i18n::lang_of(&headers)));
        return (StatusCode::BAD_REQUEST, words.bad_link).into_response();
    }
    let next = if is_local_path(&next) {
        next
    } else {
        "/".into()
    };
    let Some(lang) = chosen else {
        return Redirect::to(&next).into_response();
    };
    let secure = cookies::over_tls(&headers);
    let cookie = cookies::set(secure, LANG_COOKIE, lang.code(), Some(365 * 24 * 3600));
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

/// A path on this site (never `//host`, `/\host` or a full URL), so the switch cannot send people
/// elsewhere. Control characters are refused before.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_only_goes_back_to_this_site() {
        assert!(is_local_path("/submissions/abc?severity=error"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("evil.example"));
    }

    #[test]
    fn csrf_tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
