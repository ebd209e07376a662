//! One SSH connection per host that has resources, opened in parallel; a host that cannot be reached
//! becomes an error for that host only.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::facts::HostExec;
use crate::inventory::Inventory;
use crate::plan::planner::HostHandle;
use crate::transport::{ConnectionPool, ConnectionSpec, HostKeyPolicy, TransportOptions};

pub struct Connected {
    /// Kept alive for the whole command: dropping it closes every master connection.
    pub pool: ConnectionPool,
    pub hosts: BTreeMap<String, HostHandle>,
}

impl Connected {
    /// `ssh: 3 hosts, 3 connections, 6 round trips, 0 forwards (h1 1/2/0, ...)`: what the command cost
    /// on the wire.
    pub fn stats(&self) -> String {
        let counters = self.pool.counters();
        let connections: u64 = counters.values().map(|c| c.connections).sum();
        let round_trips: u64 = counters.values().map(|c| c.round_trips).sum();
        let forwards: u64 = counters.values().map(|c| c.forwards).sum();
        let per_host: Vec<String> = counters
            .iter()
            .map(|(host, c)| format!("{host} {}/{}/{}", c.connections, c.round_trips, c.forwards))
            .collect();
        format!(
            "ssh: {} hosts, {connections} connections, {round_trips} round trips, {forwards} forwards (per host connections/round trips/forwards: {})",
            counters.len(),
            per_host.join(", ")
        )
    }
}

pub async fn connect(
    inventory: &Inventory,
    hosts: &[String],
    forks: usize,
    accept_new: bool,
) -> Result<Connected, String> {
    let options = TransportOptions {
        forks: forks.max(1),
        host_key_policy: if accept_new {
            HostKeyPolicy::AcceptNew
        } else {
            HostKeyPolicy::Strict
        },
        ..TransportOptions::default()
    };
    let pool = ConnectionPool::new(options)
        .map_err(|e| format!("cannot create the run directory: {e}"))?;
    let mut handles: BTreeMap<String, HostHandle> = BTreeMap::new();
    let mut specs = Vec::new();
    for host in hosts {
        let spec = inventory
            .host_vars(host)
            .map_err(|problems| {
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .and_then(|vars| ConnectionSpec::from_vars(host, &vars).map_err(|e| e.to_string()));
        match spec {
            Ok(spec) => specs.push(spec),
            Err(why) => {
                handles.insert(host.clone(), Err(why));
            }
        }
    }
    for (host, result) in pool.connect_all(specs).await {
        let handle: HostHandle = result
            .map(|c| Arc::new(c) as Arc<dyn HostExec>)
            .map_err(|e| e.to_string());
        handles.insert(host, handle);
    }
    Ok(Connected {
        pool,
        hosts: handles,
    })
}
