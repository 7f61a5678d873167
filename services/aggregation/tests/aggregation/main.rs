//! The aggregation service against a real nats-server and a real database. Every scenario runs on
//! SQLite (a temp file) and on PostgreSQL (a throwaway cluster): `<scenario>::on_sqlite` and
//! `<scenario>::on_postgres`.

#[macro_use]
mod helpers;

mod baseline;
mod builder;
mod database;
mod delivery;
mod ids;
mod publishing;
mod revalidation;
mod versions;
