//! Web sessions in the `sessions` KV bucket, shared by every intake replica.
//!
//! The bucket's `max_age` is the session lifetime: NATS forgets a session by itself once it is older,
//! so "expired" and "signed out" both read as "no such session". Keys are the SHA-256 of the session
//! cookie, so reading the bucket never gives a usable cookie. The value is whatever the web layer keeps
//! (its own type); this module only stores, reads and deletes JSON.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bus::{Bus, BusError};

impl Bus {
    /// The session stored under `key`, unless it expired or was deleted.
    pub async fn session<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, BusError> {
        self.kv_get(&self.sessions, key).await
    }

    /// Store a new session under `key`; it expires after [`crate::SESSION_TTL`].
    pub async fn put_session<T: Serialize>(&self, key: &str, session: &T) -> Result<(), BusError> {
        self.kv_put(&self.sessions, key, session).await
    }

    /// Forget a session (sign-out). Forgetting one that is already gone is not an error.
    pub async fn delete_session(&self, key: &str) -> Result<(), BusError> {
        self.kv_purge(&self.sessions, key).await
    }
}
