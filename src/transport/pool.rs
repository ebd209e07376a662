//! Connecting to many hosts at once, a bounded number at a time (Ansible's `--forks`), where one
//! unreachable host fails alone; and the per-host counters a plan reports.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::connection::{Connection, HostCounters, HostStats, Transport};
use super::error::TransportError;
use super::local::LocalTransport;
use super::run_dir::RunDir;
use super::spec::{ConnectionKind, ConnectionSpec, HostKeyPolicy};
use super::ssh::{SshDefaults, SshTransport};

#[derive(Clone, Debug)]
pub struct TransportOptions {
    /// Hosts connected to at the same time.
    pub forks: usize,
    /// For hosts whose variables do not choose (`StrictHostKeyChecking` in their ssh args).
    /// `Strict` unless the user asked for `--accept-new-host-keys`.
    pub host_key_policy: HostKeyPolicy,
    /// ssh's ConnectTimeout unless the host sets one (Ansible's default `timeout` is 10 s).
    pub connect_timeout: Duration,
    /// Keepalive probes on the master connection: with ssh's default of 3 missed answers, a dead
    /// host is noticed after about 3 intervals even while no command runs.
    pub server_alive_interval: Duration,
    /// Commands at once on one host; sshd's MaxSessions is 10 by default.
    pub max_channels: usize,
    /// How long a new forward is watched for the immediate close that means nothing listens.
    pub forward_probe: Duration,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            forks: 5,
            host_key_policy: HostKeyPolicy::Strict,
            connect_timeout: Duration::from_secs(10),
            server_alive_interval: Duration::from_secs(5),
            max_channels: 8,
            forward_probe: Duration::from_millis(300),
        }
    }
}

#[derive(Debug)]
pub struct ConnectionPool {
    options: TransportOptions,
    run_dir: Arc<RunDir>,
    stats: Mutex<BTreeMap<String, Arc<HostStats>>>,
}

impl ConnectionPool {
    /// Creates the run directory (control sockets, generated ssh configs, forwarded sockets).
    pub fn new(options: TransportOptions) -> std::io::Result<ConnectionPool> {
        Ok(ConnectionPool {
            options,
            run_dir: Arc::new(RunDir::create()?),
            stats: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn options(&self) -> &TransportOptions {
        &self.options
    }

    /// Connects to one host.
    pub async fn connect(&self, spec: &ConnectionSpec) -> Result<Connection, TransportError> {
        connect(
            spec,
            &self.options,
            self.run_dir.clone(),
            self.stats_for(&spec.host),
        )
        .await
    }

    /// Connects to every host, at most `forks` at a time. The results come in the order of `specs`;
    /// each host fails or succeeds on its own.
    pub async fn connect_all(
        &self,
        specs: Vec<ConnectionSpec>,
    ) -> Vec<(String, Result<Connection, TransportError>)> {
        let forks = Arc::new(Semaphore::new(self.options.forks.max(1)));
        let mut tasks = JoinSet::new();
        let count = specs.len();
        for (index, spec) in specs.into_iter().enumerate() {
            let forks = forks.clone();
            let options = self.options.clone();
            let run_dir = self.run_dir.clone();
            let stats = self.stats_for(&spec.host);
            tasks.spawn(async move {
                let result = match forks.acquire().await {
                    Ok(_permit) => connect(&spec, &options, run_dir, stats).await,
                    Err(_) => Err(TransportError::Disconnected {
                        host: spec.host.clone(),
                        what: "connecting".into(),
                        detail: "the connection pool was shut down".into(),
                    }),
                };
                (index, spec.host, result)
            });
        }
        let mut results: Vec<Option<(String, Result<Connection, TransportError>)>> =
            (0..count).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            // A connect task only panics on a bug; its host is then missing and reported below.
            if let Ok((index, host, result)) = joined {
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some((host, result));
                }
            }
        }
        results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    (
                        String::new(),
                        Err(TransportError::Disconnected {
                            host: String::new(),
                            what: "connecting".into(),
                            detail: "the connect task failed".into(),
                        }),
                    )
                })
            })
            .collect()
    }

    /// Connections, round trips and forwards per host so far, by host name.
    pub fn counters(&self) -> BTreeMap<String, HostCounters> {
        self.stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .map(|(host, stats)| (host.clone(), stats.snapshot()))
            .collect()
    }

    fn stats_for(&self, host: &str) -> Arc<HostStats> {
        self.stats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(host.to_string())
            .or_default()
            .clone()
    }
}

async fn connect(
    spec: &ConnectionSpec,
    options: &TransportOptions,
    run_dir: Arc<RunDir>,
    stats: Arc<HostStats>,
) -> Result<Connection, TransportError> {
    let transport = match &spec.kind {
        ConnectionKind::Local => Transport::Local(LocalTransport),
        ConnectionKind::Ssh(ssh) => {
            let defaults = SshDefaults {
                host_key_policy: options.host_key_policy,
                connect_timeout: options.connect_timeout,
                server_alive_interval: options.server_alive_interval,
            };
            let transport = SshTransport::connect(&spec.host, ssh, &defaults, &run_dir).await?;
            stats.connected();
            Transport::Ssh(transport)
        }
    };
    Ok(Connection::new(
        spec.host.clone(),
        transport,
        options.max_channels,
        stats,
        run_dir,
        options.forward_probe,
    ))
}
