//! Reaching hosts: one ssh master connection per host (or this machine for `ansible_connection=local`),
//! commands as argument vectors with a timeout enforced on the host, atomic uploads, forwarded sockets.

mod command;
mod connection;
mod error;
mod forward;
mod host_exec;
mod local;
mod pipes;
mod pool;
mod run_dir;
mod scripts;
mod spec;
mod ssh;
mod ssh_args;
mod sudo_exec;

pub use command::{KILL_AFTER, LOCAL_GRACE, Output, describe};
pub use connection::{Connection, HostCounters, Transport};
pub use error::TransportError;
pub use forward::LocalSocket;
pub use local::LocalTransport;
pub use pool::{ConnectionPool, TransportOptions};
pub use spec::{ConnectionKind, ConnectionSpec, HostKeyPolicy, SshSpec};
pub use ssh::SshTransport;
pub use sudo_exec::{SUDO_WRAPPER, SudoExec};
