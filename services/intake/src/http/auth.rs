//! Bearer tokens: who is calling, and what their role lets them do.
//!
//! A token is 32 random bytes, hex-encoded, shown once when issued. The `tokens` KV bucket keeps only
//! its SHA-256, so reading the bucket never reveals a usable token. Deleting that key revokes the token,
//! and with it every web session opened with it. A web session (a cookie, below) stands for the token
//! it was opened with.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use jvap_bus::{Bus, BusError};
use jvap_record::messages::{Role, SubmissionStatus, TokenRecord};
use jvap_record::{Lang, Said};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{AppState, Error, Result, cookies};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    /// The partner code of a partner token.
    pub partner: Option<String>,
    /// The token's key (its SHA-256, as `GET /api/v1/tokens` lists it) and label: who did what, in
    /// the records of admin actions.
    pub token_key: String,
    pub label: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    /// The bearer token of the request; for GET and HEAD (downloads, statuses), the web session's
    /// cookie also does, so pages can link to the API. Requests that change something need the token,
    /// so a cookie alone can never be used to forge them.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        let Some(token) = bearer else {
            let safe = parts.method == Method::GET || parts.method == Method::HEAD;
            if safe && let Some(user) = session_of(&parts.headers, state).await? {
                return Ok(user.caller);
            }
            return Err(Error::Unauthorized(Said::new(
                "this needs an access token: send the header Authorization: Bearer <token>",
                "il faut un jeton d'accès : envoyez l'en-tête Authorization: Bearer <jeton>",
            )));
        };
        let client = super::rate::client_of(parts);
        state
            .limits
            .check_signin_allowed(&client)
            .map_err(|e| Error::TooMany(Box::new(e)))?;
        match caller_of_token_hash(&state.bus, &token_hash(token)).await? {
            Some(caller) => Ok(caller),
            None => {
                state
                    .limits
                    .wrong_token(&client)
                    .map_err(|e| Error::TooMany(Box::new(e)))?;
                Err(Error::Unauthorized(Said::new(
                    "this access token is not valid; ask the Secretariat for one",
                    "ce jeton d'accès n'est pas valable ; demandez-en un au Secrétariat",
                )))
            }
        }
    }
}

/// The caller a stored token stands for, by the token's hash; `None` for an unknown or revoked token.
pub async fn caller_of_token_hash(bus: &Bus, hash: &str) -> Result<Option<Caller>, BusError> {
    let record: Option<TokenRecord> = bus.kv_get(&bus.tokens, hash).await?;
    Ok(record.map(|record| Caller {
        role: record.role,
        partner: record.partner,
        token_key: hash.to_string(),
        label: record.label,
    }))
}

impl Caller {
    /// Refuse callers whose role is not among `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        if roles.contains(&self.role) {
            return Ok(());
        }
        Err(Error::Forbidden(Said::new(
            format!(
                "a {} token may not do this",
                jvap_record::vocabulary::code(&self.role)
            ),
            format!(
                "le rôle {} ne permet pas de faire ceci",
                self.role.label(Lang::Fr)
            ),
        )))
    }

    /// Whether the caller may see a submission: partners see only their own, others see all.
    pub fn may_see(&self, status: &SubmissionStatus) -> bool {
        match self.role {
            Role::Partner => self.partner.as_deref() == Some(status.partner.as_str()),
            Role::Analyst | Role::Admin => true,
        }
    }
}

/// The KV key of a token: its hex SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token: 32 bytes from the operating system's random source, hex-encoded.
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness for a token: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Store a token's record under its hash.
pub async fn store_token(bus: &Bus, token: &str, record: &TokenRecord) -> Result<(), BusError> {
    bus.kv_put(&bus.tokens, &token_hash(token), record).await
}

/// Make the configured bootstrap token a valid admin token (kept as it is when already stored).
pub async fn ensure_bootstrap_admin(bus: &Bus, token: &str) -> Result<(), BusError> {
    let existing: Option<TokenRecord> = bus.kv_get(&bus.tokens, &token_hash(token)).await?;
    if existing.is_some_and(|record| record.role == Role::Admin) {
        return Ok(());
    }
    let record = TokenRecord {
        role: Role::Admin,
        partner: None,
        label: Some("bootstrap (JVAP_ADMIN_TOKEN)".into()),
        created_at: Utc::now(),
    };
    store_token(bus, token, &record).await
}

// Web sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure behind TLS), whose SHA-256
// keys a record in the expiring KV bucket `sessions`, so every intake replica knows it. The record names
// the token (by its hash) and holds the session's CSRF token. Each request reads the token record
// again, so a revoked token ends its sessions at once. Signing in and out are pages ([`crate::web`]);
// they open and close sessions here.

/// The cookie that holds the session id.
pub(crate) const SESSION_COOKIE: &str = "jvap_session";

/// What a session keeps in KV.
#[derive(Debug, Serialize, Deserialize)]
struct SessionRecord {
    /// The SHA-256 of the access token it was opened with (the `tokens` key).
    token: String,
    /// Every form of this session carries it; every POST checks it.
    csrf: String,
    created_at: DateTime<Utc>,
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub caller: Caller,
    /// The CSRF token to put in forms.
    pub csrf: String,
    /// The KV key of the session.
    pub(crate) key: String,
}

/// What a request's session cookie stands for.
pub(crate) enum SessionLookup {
    /// No cookie, or one whose session ended (expired or signed out).
    None,
    /// The session's token was revoked: the session has just ended with it.
    Revoked,
    Live(Session),
}

/// The person the session cookie of `headers` belongs to, if it is a live session of a valid token.
pub(crate) async fn session_of(headers: &HeaderMap, state: &AppState) -> Result<Option<Session>> {
    Ok(match look_up_session(headers, state).await? {
        SessionLookup::Live(session) => Some(session),
        SessionLookup::None | SessionLookup::Revoked => None,
    })
}

/// The session the cookie of `headers` names, and whether it ended because its token was revoked.
pub(crate) async fn look_up_session(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<SessionLookup> {
    let Some(cookie) = cookies::get(headers, SESSION_COOKIE) else {
        return Ok(SessionLookup::None);
    };
    let key = token_hash(cookie);
    let Some(record) = state.bus.session::<SessionRecord>(&key).await? else {
        return Ok(SessionLookup::None);
    };
    let Some(caller) = caller_of_token_hash(&state.bus, &record.token).await? else {
        // The token was revoked: its sessions end with it.
        state.bus.delete_session(&key).await?;
        return Ok(SessionLookup::Revoked);
    };
    Ok(SessionLookup::Live(Session {
        caller,
        csrf: record.csrf,
        key,
    }))
}

/// Open a session for the token whose hash is `token`; the session id to put in [`SESSION_COOKIE`].
pub(crate) async fn open_session(state: &AppState, token: String) -> Result<String> {
    let id = new_token()?;
    let record = SessionRecord {
        token,
        csrf: new_token()?,
        created_at: Utc::now(),
    };
    state.bus.put_session(&token_hash(&id), &record).await?;
    Ok(id)
}

/// End a session.
pub(crate) async fn close_session(state: &AppState, session: &Session) -> Result<()> {
    Ok(state.bus.delete_session(&session.key).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_64_hex_characters_and_never_repeats() {
        let first = new_token().expect("randomness");
        let second = new_token().expect("randomness");
        assert_eq!(first.len(), 64);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(first, second);
    }

    #[test]
    fn the_stored_key_is_the_sha256_of_the_token_not_the_token() {
        let key = token_hash("secret");
        assert_eq!(
            key,
            "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
        );
        assert!(!key.contains("secret"));
    }
}
