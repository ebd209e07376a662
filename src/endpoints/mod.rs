//! The APIs behind a host's forwarded sockets and ports: the Docker engine (bollard), and later the
//! Kafka admin protocol and WildFly's management API. Each is opened once per host, on that host's one
//! SSH connection, and reused for the whole run.

pub mod docker;
