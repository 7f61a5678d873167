//! The harness starts real servers that the services can use.

use jvap_tests::{NatsServer, Postgres};

#[tokio::test]
async fn nats_server_starts_with_jetstream_and_the_bus_sets_up_its_buckets() {
    let nats = NatsServer::start().expect("nats-server starts");
    let bus = jvap_bus::Bus::connect(&nats.url())
        .await
        .expect("bus connects");
    bus.uploads
        .put("hello", b"bytes")
        .await
        .expect("put object");
    assert_eq!(
        bus.uploads.get("hello").await.unwrap().as_deref(),
        Some(&b"bytes"[..])
    );
    assert_eq!(bus.uploads.get("absent").await.unwrap(), None);
}

#[test]
fn postgres_starts_and_accepts_connections() {
    let pg = Postgres::start().expect("postgres starts");
    assert!(pg.url().starts_with("postgres://"));
    let port = pg
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse::<u16>()
        .unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
}
