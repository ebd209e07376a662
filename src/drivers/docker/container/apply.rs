//! Making the change a delta describes, through the host's engine API. The delta's action and
//! change paths are the orders: which networks to (re)connect or leave, whether to start, stop or
//! restart; nothing here decides whether to act.

use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as EngineError;
use bollard::models::{NetworkConnectRequest, NetworkDisconnectRequest};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, KillContainerOptions, RemoveContainerOptions,
    RestartContainerOptions, StartContainerOptions, StopContainerOptions,
};
use futures_util::StreamExt;

use super::create;
use super::diff::{RESTART, RUNNING};
use super::health::{Bound, wait_healthy};
use super::live::parse_env_file;
use super::networks::PREFIX as NETWORK_PREFIX;
use super::spec::{ContainerSpec, DesiredState, Pull};
use crate::diff::{Action, Delta};
use crate::drivers::ApplyError;
use crate::facts::HostExec;
use crate::value::Value;

/// How long reading `env_file` on the host may take.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn apply(
    host: &dyn HostExec,
    spec: &ContainerSpec,
    delta: &Delta,
) -> Result<(), ApplyError> {
    let docker = host.docker().await.map_err(ApplyError::Transport)?;
    let engine = Engine {
        docker: &docker,
        spec,
    };
    let started = match delta.action {
        Action::NoOp => false,
        Action::Refused => {
            return Err(ApplyError::Failed(format!(
                "container {}: refused: {:?}",
                spec.name, delta.reason
            )));
        }
        Action::Delete => {
            engine.stop().await?;
            engine.remove().await?;
            false
        }
        Action::Create => engine.create_and_start(host).await?,
        Action::Replace => {
            engine.stop().await?;
            engine.remove().await?;
            engine.create_and_start(host).await?
        }
        Action::Update => engine.update(delta).await?,
        Action::Restart => {
            engine.restart().await?;
            true
        }
    };
    if started {
        let bound = match spec.state {
            DesiredState::Healthy => Bound::Timeout(
                spec.healthy_wait_timeout
                    .map(|s| Duration::from_secs_f64(s.max(0.0))),
            ),
            _ => Bound::Healthcheck,
        };
        wait_healthy(&docker, &spec.name, bound)
            .await
            .map_err(ApplyError::Failed)?;
    }
    Ok(())
}

struct Engine<'a> {
    docker: &'a Docker,
    spec: &'a ContainerSpec,
}

impl Engine<'_> {
    fn failed(&self, doing: &str, error: impl std::fmt::Display) -> ApplyError {
        ApplyError::Failed(format!("container {}: {doing}: {error}", self.spec.name))
    }

    /// Stops it if it runs (or kills it, with `force_kill`).
    async fn stop(&self) -> Result<(), ApplyError> {
        let name = self.spec.name.as_str();
        let result = if self.spec.force_kill {
            let signal = self
                .spec
                .kill_signal
                .clone()
                .unwrap_or_else(|| "SIGKILL".into());
            self.docker
                .kill_container(name, Some(KillContainerOptions { signal }))
                .await
        } else {
            let options = StopContainerOptions {
                t: self.spec.stop_timeout.and_then(|t| i32::try_from(t).ok()),
                signal: None,
            };
            self.docker.stop_container(name, Some(options)).await
        };
        match result {
            Ok(()) => Ok(()),
            // Not running (304) or already gone (404): nothing to stop.
            Err(EngineError::DockerResponseServerError {
                status_code: 304 | 404 | 409,
                ..
            }) => Ok(()),
            Err(e) => Err(self.failed("stopping", e)),
        }
    }

    async fn remove(&self) -> Result<(), ApplyError> {
        let options = RemoveContainerOptions {
            v: !self.spec.keep_volumes,
            force: true,
            link: false,
        };
        match self
            .docker
            .remove_container(&self.spec.name, Some(options))
            .await
        {
            Ok(())
            | Err(EngineError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(()),
            Err(e) => Err(self.failed("removing", e)),
        }
    }

    /// Creates it, connects its other networks, and starts it when it should run. Returns whether
    /// it was started.
    async fn create_and_start(&self, host: &dyn HostExec) -> Result<bool, ApplyError> {
        self.ensure_image().await?;
        let env = self.environment(host).await?;
        let body = create::body(self.spec, env).map_err(|e| self.failed("creating", e))?;
        let options = CreateContainerOptions {
            name: Some(self.spec.name.clone()),
            ..Default::default()
        };
        self.docker
            .create_container(Some(options), body)
            .await
            .map_err(|e| self.failed("creating", e))?;
        for network in create::networks_after_create(self.spec) {
            self.connect(&network.name).await?;
        }
        if self.spec.state.runs() {
            self.start().await?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Pulls the image when the host lacks it and `pull` allows.
    async fn ensure_image(&self) -> Result<(), ApplyError> {
        let Some(reference) = &self.spec.image else {
            return Err(self.failed("creating", "the task names no image"));
        };
        match self.docker.inspect_image(reference).await {
            Ok(_) => return Ok(()),
            Err(EngineError::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => return Err(self.failed(&format!("reading image {reference}"), e)),
        }
        if self.spec.pull == Pull::Never {
            return Err(self.failed(
                "creating",
                format!("image {reference} is not on the host, and pull is never"),
            ));
        }
        let options = CreateImageOptions {
            from_image: Some(reference.clone()),
            ..Default::default()
        };
        let mut progress = self.docker.create_image(Some(options), None, None);
        while let Some(step) = progress.next().await {
            step.map_err(|e| {
                self.failed(
                    &format!("pulling image {reference} (it is not on the host)"),
                    e,
                )
            })?;
        }
        Ok(())
    }

    /// The final environment: `env_file` read on the host now, then `env`.
    async fn environment(&self, host: &dyn HostExec) -> Result<Option<Vec<String>>, ApplyError> {
        let mut vars: Vec<(String, String)> = Vec::new();
        if let Some(path) = &self.spec.env_file {
            let output = host
                .run_script(
                    "exec cat -- \"$1\"",
                    std::slice::from_ref(path),
                    b"",
                    READ_TIMEOUT,
                )
                .await
                .map_err(ApplyError::Transport)?;
            if output.status != 0 {
                return Err(self.failed(
                    &format!("reading env_file {path}"),
                    String::from_utf8_lossy(&output.stderr).trim(),
                ));
            }
            let parsed = parse_env_file(&String::from_utf8_lossy(&output.stdout))
                .map_err(|e| self.failed(&format!("reading env_file {path}"), e))?;
            vars.extend(parsed);
        }
        if let Some(env) = &self.spec.env {
            for (key, value) in env {
                vars.retain(|(k, _)| k != key);
                vars.push((key.clone(), value.clone()));
            }
        }
        if self.spec.env.is_none() && self.spec.env_file.is_none() {
            return Ok(None);
        }
        Ok(Some(
            vars.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        ))
    }

    async fn start(&self) -> Result<(), ApplyError> {
        match self
            .docker
            .start_container(&self.spec.name, None::<StartContainerOptions>)
            .await
        {
            Ok(())
            | Err(EngineError::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            Err(e) => Err(self.failed("starting", e)),
        }
    }

    async fn restart(&self) -> Result<(), ApplyError> {
        let options = RestartContainerOptions {
            t: Some(
                self.spec
                    .stop_timeout
                    .and_then(|t| i32::try_from(t).ok())
                    .unwrap_or(10),
            ),
            signal: None,
        };
        self.docker
            .restart_container(&self.spec.name, Some(options))
            .await
            .map_err(|e| self.failed("restarting", e))
    }

    async fn connect(&self, network: &str) -> Result<(), ApplyError> {
        let desired = self
            .spec
            .networks
            .iter()
            .flatten()
            .find(|n| n.name == network)
            .ok_or_else(|| {
                self.failed("connecting", format!("network {network} is not declared"))
            })?;
        let request = NetworkConnectRequest {
            container: self.spec.name.clone(),
            endpoint_config: Some(create::endpoint(desired)),
        };
        self.docker
            .connect_network(network, request)
            .await
            .map_err(|e| self.failed(&format!("connecting to network {network}"), e))
    }

    async fn disconnect(&self, network: &str) -> Result<(), ApplyError> {
        let request = NetworkDisconnectRequest {
            container: self.spec.name.clone(),
            force: Some(false),
        };
        self.docker
            .disconnect_network(network, request)
            .await
            .map_err(|e| self.failed(&format!("disconnecting from network {network}"), e))
    }

    /// In-place changes, in community.docker's order: limits, networks, run state, restart.
    /// Returns whether the container was (re)started.
    async fn update(&self, delta: &Delta) -> Result<bool, ApplyError> {
        let changes = &delta.changes;
        let in_place = changes
            .iter()
            .any(|c| super::settings::setting(&c.path).is_some_and(|s| s.in_place));
        if in_place {
            let body = create::update_body(self.spec).map_err(|e| self.failed("updating", e))?;
            self.docker
                .update_container(&self.spec.name, body)
                .await
                .map_err(|e| self.failed("updating", e))?;
        }
        for change in changes {
            let Some(network) = change.path.strip_prefix(NETWORK_PREFIX) else {
                continue;
            };
            if change.before.is_some() {
                self.disconnect(network).await?;
            }
            if change.after.is_some() {
                self.connect(network).await?;
            }
        }
        let mut started = false;
        match changes
            .iter()
            .find(|c| c.path == RUNNING)
            .and_then(|c| c.after.as_ref())
        {
            Some(Value::Bool(true)) => {
                self.start().await?;
                started = true;
            }
            Some(_) => self.stop().await?,
            None => {}
        }
        if changes.iter().any(|c| c.path == RESTART) {
            self.restart().await?;
            started = true;
        }
        Ok(started)
    }
}
