//! How fast one client may knock: sign-in attempts and uploads per minute, per client address and
//! per token ([`crate::config::Rates`]). Beyond, the answer is 429 with `Retry-After`, in the
//! caller's language, before any token is looked up or any byte of a file is read: the cost of a
//! burst falls on its sender.
//!
//! Counting is [`governor`]'s (GCRA, one cell per attempt, the burst is the per-minute figure). It is
//! per replica: two replicas let through twice as much, which is still a bound. The web sign-in form
//! takes a cell on every attempt; an API request takes one only when its token is wrong, and once an
//! address has used its budget of wrong tokens, every bearer token from it is refused until the
//! budget refills, so a right guess cannot be told from a wrong one.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use jvap_record::Said;

use super::quota::Exceeded;
use crate::config::Rates;

/// Forget counters of keys unseen for a while after this many checks, so a flood of addresses
/// cannot grow the maps without bound.
const PRUNE_EVERY: u64 = 4096;

/// The address a request came from (its TCP peer), or `unknown` when served without one (tests of
/// the bare router).
#[derive(Debug, Clone)]
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Client, Self::Rejection> {
        Ok(client_of(parts))
    }
}

/// The client of a request (see [`Client`]).
pub fn client_of(parts: &Parts) -> Client {
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    Client(address)
}

/// What is being counted.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    SignIn,
    Upload,
}

/// One limit: a keyed counter, and the keys refused until a time.
struct Gate {
    limiter: DefaultKeyedRateLimiter<String>,
    blocked: Mutex<HashMap<String, Instant>>,
    checks: AtomicU64,
    clock: DefaultClock,
}

impl Gate {
    fn new(per_minute: u32) -> Gate {
        let burst = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Gate {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(burst)),
            blocked: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
            clock: DefaultClock::default(),
        }
    }

    /// Take one cell for each key; the longest wait when any has none left.
    fn take(&self, keys: &[String]) -> Result<(), Duration> {
        self.prune();
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Err(not_until) = self.limiter.check_key(key) {
                let for_key = not_until.wait_time_from(self.clock.now());
                wait = wait.max(for_key);
                if let Ok(mut blocked) = self.blocked.lock() {
                    blocked.insert(key.clone(), Instant::now() + for_key);
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// The wait when a key used its budget up and it has not refilled, without taking a cell.
    fn blocked(&self, keys: &[String]) -> Result<(), Duration> {
        let Ok(blocked) = self.blocked.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let wait = keys
            .iter()
            .filter_map(|key| blocked.get(key))
            .map(|until| until.saturating_duration_since(now))
            .max()
            .unwrap_or_default();
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    fn prune(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        if let Ok(mut blocked) = self.blocked.lock() {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
            blocked.shrink_to_fit();
        }
    }
}

/// The limits of one intake replica.
pub struct Limits {
    signin: Gate,
    uploads: Gate,
}

impl Limits {
    pub fn new(rates: &Rates) -> Limits {
        Limits {
            signin: Gate::new(rates.signin_per_minute),
            uploads: Gate::new(rates.uploads_per_minute),
        }
    }

    fn gate(&self, action: Action) -> &Gate {
        match action {
            Action::SignIn => &self.signin,
            Action::Upload => &self.uploads,
        }
    }

    /// Count one attempt of `action` by `client` with the token of key `token`.
    pub fn take(&self, action: Action, client: &Client, token: &str) -> Result<(), Exceeded> {
        let keys = [format!("address {}", client.0), format!("token {token}")];
        self.gate(action)
            .take(&keys)
            .map_err(|wait| too_many(action, wait))
    }

    /// Count one wrong token sent by `client` to the API.
    pub fn wrong_token(&self, client: &Client) -> Result<(), Exceeded> {
        let keys = [format!("address {}", client.0)];
        self.signin
            .take(&keys)
            .map_err(|wait| too_many(Action::SignIn, wait))
    }

    /// Refuse `client` while it has used its budget of sign-in attempts up.
    pub fn check_signin_allowed(&self, client: &Client) -> Result<(), Exceeded> {
        let keys = [format!("address {}", client.0)];
        self.signin
            .blocked(&keys)
            .map_err(|wait| too_many(Action::SignIn, wait))
    }
}

/// What the client is told, in both languages, with the seconds to wait.
fn too_many(action: Action, wait: Duration) -> Exceeded {
    let seconds = wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0);
    let (en, fr) = match action {
        Action::SignIn => (
            format!("too many sign-in attempts from here; try again in {seconds} seconds"),
            format!(
                "trop de tentatives de connexion depuis ici ; réessayez dans {seconds} secondes"
            ),
        ),
        Action::Upload => (
            format!(
                "too many uploads in the last minute; send this file again in {seconds} seconds"
            ),
            format!(
                "trop d'envois dans la dernière minute ; renvoyez ce fichier dans {seconds} secondes"
            ),
        ),
    };
    Exceeded {
        message: Said::new(en, fr),
        retry_after: Some(seconds),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(per_minute: u32) -> Rates {
        Rates {
            signin_per_minute: per_minute,
            uploads_per_minute: per_minute,
            body_timeout_secs: 30,
        }
    }

    #[test]
    fn the_burst_passes_then_each_key_waits_and_is_told_how_long() {
        let limits = Limits::new(&rates(3));
        let here = Client("192.0.2.1".into());
        for _ in 0..3 {
            limits
                .take(Action::Upload, &here, "t1")
                .expect("within the burst");
        }
        let refused = limits.take(Action::Upload, &here, "t1").expect_err("over");
        let wait = refused.retry_after.expect("a wait");
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(
            refused.message.fr.contains("renvoyez"),
            "{}",
            refused.message.fr
        );
        // Another address with another token is not held back by this one.
        let there = Client("192.0.2.2".into());
        limits
            .take(Action::Upload, &there, "t2")
            .expect("its own budget");
        // The same token from another address is: the token is a key too.
        let other = Client("192.0.2.3".into());
        assert!(limits.take(Action::Upload, &other, "t1").is_err());
    }

    #[test]
    fn wrong_tokens_use_up_the_address_then_every_token_from_it_waits() {
        let limits = Limits::new(&rates(2));
        let here = Client("198.51.100.7".into());
        limits.check_signin_allowed(&here).expect("fresh");
        limits.wrong_token(&here).expect("first");
        limits.wrong_token(&here).expect("second");
        assert!(limits.wrong_token(&here).is_err());
        assert!(limits.check_signin_allowed(&here).is_err());
        let elsewhere = Client("198.51.100.8".into());
        limits
            .check_signin_allowed(&elsewhere)
            .expect("not this one");
    }
}
