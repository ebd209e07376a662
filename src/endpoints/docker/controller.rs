//! The controller's own Docker engine (the workstation's or the CI runner's): where images delivered
//! without a registry come from. Reached as the `docker` CLI would: `DOCKER_HOST`, else the local
//! socket.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use bollard::Docker;

/// An image as an engine describes it: what delivery needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLayers {
    /// `sha256:<hex>`.
    pub id: String,
    /// The diff IDs of its layers, bottom first.
    pub diff_ids: Vec<String>,
}

/// Where the controller's engine is, for messages.
pub fn address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

/// A client for the controller's engine, with the API version agreed.
pub async fn connect() -> Result<Docker, String> {
    let unreachable = |e: bollard::errors::Error| {
        format!(
            "the controller's Docker engine ({}) does not answer: {e}",
            address()
        )
    };
    Docker::connect_with_defaults()
        .map_err(unreachable)?
        .negotiate_version()
        .await
        .map_err(unreachable)
}

/// The image `reference` names in `engine`; `None` when there is none.
pub async fn inspect(engine: &Docker, reference: &str) -> Result<Option<ImageLayers>, String> {
    match engine.inspect_image(reference).await {
        Ok(image) => {
            let id = image
                .id
                .ok_or_else(|| format!("the engine described {reference} without an ID"))?;
            let diff_ids = image.root_fs.and_then(|r| r.layers).unwrap_or_default();
            Ok(Some(ImageLayers { id, diff_ids }))
        }
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(None),
        Err(e) => Err(format!(
            "reading {reference} from the controller's Docker engine ({}): {e}",
            address()
        )),
    }
}

/// [`inspect`] for code that runs outside the async runtime (the resolver, which reads every
/// controller-side input before anything connects). Answers are kept for the process, so every
/// host of a run is planned against the same image even if the tag moves meanwhile.
pub fn inspect_blocking(reference: &str) -> Result<Option<ImageLayers>, String> {
    type Answers = Mutex<BTreeMap<String, Result<Option<ImageLayers>, String>>>;
    static ANSWERS: OnceLock<Answers> = OnceLock::new();
    let answers = ANSWERS.get_or_init(Default::default);
    if let Some(answer) = answers
        .lock()
        .map_err(|_| "the controller image cache is poisoned".to_string())?
        .get(reference)
    {
        return answer.clone();
    }
    // A thread of its own, so this works whether or not the caller is inside a runtime.
    let owned = reference.to_string();
    let answer = std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start a runtime to ask the engine: {e}"))?;
                runtime.block_on(async {
                    let engine = connect().await?;
                    inspect(&engine, &owned).await
                })
            })
            .join()
            .unwrap_or_else(|_| Err("the controller engine query panicked".to_string()))
    });
    if let Ok(mut answers) = answers.lock() {
        answers.insert(reference.to_string(), answer.clone());
    }
    answer
}
