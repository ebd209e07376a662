//! Which of an image's layers an engine already has. An engine stores a layer under its *chain ID*
//! (the layer together with everything below it), so a layer is reusable only on top of the same
//! layers: the chain ID of layer n is sha256("<chain n-1> <diff ID n>").

use std::collections::BTreeSet;

use bollard::Docker;
use bollard::query_parameters::ListImagesOptions;
use sha2::{Digest, Sha256};

/// The chain ID of every prefix of `diff_ids` (`sha256:<hex>` strings, bottom layer first).
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut chains: Vec<String> = Vec::with_capacity(diff_ids.len());
    for diff_id in diff_ids {
        let chain = match chains.last() {
            None => diff_id.clone(),
            Some(parent) => format!(
                "sha256:{}",
                hex::encode(Sha256::digest(format!("{parent} {diff_id}")))
            ),
        };
        chains.push(chain);
    }
    chains
}

/// The chain IDs of the layers every image on the engine is made of (so every layer it stores, but
/// those only a container still holds).
pub async fn present_chains(engine: &Docker) -> Result<BTreeSet<String>, bollard::errors::Error> {
    let images = engine
        .list_images(Some(ListImagesOptions {
            all: false,
            ..Default::default()
        }))
        .await?;
    let mut chains = BTreeSet::new();
    for image in images {
        let inspect = match engine.inspect_image(&image.id).await {
            Ok(inspect) => inspect,
            // Removed since the listing: its layers may be gone too.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => continue,
            Err(e) => return Err(e),
        };
        let layers = inspect.root_fs.and_then(|r| r.layers).unwrap_or_default();
        chains.extend(chain_ids(&layers));
    }
    Ok(chains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_follow_the_image_spec() {
        // The example of the OCI image spec (config.md, "Layer ChainID").
        let a = "sha256:a".to_string();
        let b = "sha256:b".to_string();
        let chains = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(chains[0], a);
        let expected = format!(
            "sha256:{}",
            hex::encode(Sha256::digest(b"sha256:a sha256:b"))
        );
        assert_eq!(chains[1], expected);
        assert!(chain_ids(&[]).is_empty());
    }

    #[test]
    fn a_changed_lower_layer_changes_every_chain_above_it() {
        let one = ["sha256:1", "sha256:2", "sha256:3"].map(String::from);
        let other = ["sha256:9", "sha256:2", "sha256:3"].map(String::from);
        let (x, y) = (chain_ids(&one), chain_ids(&other));
        assert!(x.iter().zip(&y).all(|(a, b)| a != b));
    }
}
