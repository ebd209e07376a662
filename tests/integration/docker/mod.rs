//! End-to-end checks of the Docker kinds on hosts that run their own Docker engine.

mod ansible_parity;
mod container;
mod delivery;
mod example_role;
mod image;
mod network_volume;
mod observe;
mod prune;
mod testbed;
