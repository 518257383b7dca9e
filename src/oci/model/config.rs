//! Image configuration: OCI image-spec config.md ("Properties") and the Docker Image
//! Specification v1.x it derives from (same keys, plus Docker-only ones we do not show).
//!
//! The history is the closest thing an image has to its Dockerfile; [`ImageConfig::history_steps`]
//! renders it so and ties each layer-creating step to its layer.

use std::fmt;

use super::descriptor::{Annotations, Descriptor};
use super::fields::{flag, items, keys, string, strings};
use crate::oci::json::Json;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImageConfig {
    pub architecture: Option<String>,
    pub os: Option<String>,
    pub variant: Option<String>,
    /// `os.version`.
    pub os_version: Option<String>,
    pub created: Option<String>,
    pub author: Option<String>,
    // The runtime defaults, from the nested `config` object.
    pub env: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    /// The keys of `ExposedPorts`, e.g. `80/tcp`.
    pub exposed_ports: Vec<String>,
    /// The keys of `Volumes`.
    pub volumes: Vec<String>,
    pub labels: Annotations,
    pub stop_signal: Option<String>,
    pub history: Vec<HistoryEntry>,
    /// `rootfs.diff_ids` as text (digests of the *uncompressed* layers, so they never equal
    /// the manifest's layer digests; only their order relates them).
    pub diff_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// `/history/N`.
    pub pointer: String,
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
    /// True only when the entry says exactly `"empty_layer": true`.
    pub empty_layer: bool,
    pub author: Option<String>,
}

/// One history entry rendered as a Dockerfile-like line and tied to its layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Position in `history`.
    pub history_index: usize,
    /// `/history/N`, for linking findings.
    pub pointer: String,
    /// `RUN apt-get update`, `CMD ["nginx"]`, …; `None` when `created_by` is missing.
    pub instruction: Option<String>,
    pub created: Option<String>,
    pub comment: Option<String>,
    pub empty_layer: bool,
    /// For a layer-creating step: its position among the layers (the n-th non-empty step is
    /// layer n). `None` for empty-layer steps.
    pub layer_index: Option<usize>,
    /// `rootfs.diff_ids[layer_index]`, when there is one.
    pub diff_id: Option<String>,
    /// The manifest's `layers[layer_index]`, when layers were given and there is one.
    pub layer: Option<Descriptor>,
}

/// The history does not account for the layers: the number of non-empty history entries, the
/// number of diff_ids and (when known) the number of manifest layers should all be equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerMismatch {
    pub non_empty_history: usize,
    pub diff_ids: usize,
    pub layers: Option<usize>,
}

impl fmt::Display for LayerMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the history has {} layer-creating steps but rootfs has {} diff_ids",
            self.non_empty_history, self.diff_ids
        )?;
        match self.layers {
            Some(layers) => write!(f, " and the manifest has {layers} layers"),
            None => Ok(()),
        }?;
        f.write_str("; steps and layers below may be paired wrongly")
    }
}

impl ImageConfig {
    pub fn from_json(json: &Json) -> ImageConfig {
        let runtime = json.get("config");
        let runtime_string = |key| runtime.and_then(|c| string(c, key));
        let runtime_strings = |key| runtime.map(|c| strings(c, key)).unwrap_or_default();
        ImageConfig {
            architecture: string(json, "architecture"),
            os: string(json, "os"),
            variant: string(json, "variant"),
            os_version: string(json, "os.version"),
            created: string(json, "created"),
            author: string(json, "author"),
            env: runtime_strings("Env"),
            entrypoint: runtime_strings("Entrypoint"),
            cmd: runtime_strings("Cmd"),
            working_dir: runtime_string("WorkingDir"),
            user: runtime_string("User"),
            exposed_ports: runtime.map(|c| keys(c, "ExposedPorts")).unwrap_or_default(),
            volumes: runtime.map(|c| keys(c, "Volumes")).unwrap_or_default(),
            labels: runtime
                .map(|c| Annotations::read(c, "Labels"))
                .unwrap_or_default(),
            stop_signal: runtime_string("StopSignal"),
            history: items(json, "", "history")
                .into_iter()
                .map(|(pointer, entry)| HistoryEntry {
                    pointer,
                    created: string(entry, "created"),
                    created_by: string(entry, "created_by"),
                    comment: string(entry, "comment"),
                    empty_layer: flag(entry, "empty_layer"),
                    author: string(entry, "author"),
                })
                .collect(),
            diff_ids: json
                .get("rootfs")
                .map(|r| strings(r, "diff_ids"))
                .unwrap_or_default(),
        }
    }

    /// The history as steps, each non-empty one paired in order with its diff_id and, when
    /// `layers` (the manifest's) are given, its layer descriptor. If the counts disagree
    /// (see [`Self::mismatch`]) the pairing is still done in order, as far as it goes.
    pub fn history_steps(&self, layers: Option<&[Descriptor]>) -> Vec<Step> {
        let mut next_layer = 0;
        self.history
            .iter()
            .enumerate()
            .map(|(history_index, entry)| {
                let layer_index = (!entry.empty_layer).then(|| {
                    next_layer += 1;
                    next_layer - 1
                });
                Step {
                    history_index,
                    pointer: entry.pointer.clone(),
                    instruction: entry.created_by.as_deref().map(instruction),
                    created: entry.created.clone(),
                    comment: entry.comment.clone(),
                    empty_layer: entry.empty_layer,
                    layer_index,
                    diff_id: layer_index.and_then(|i| self.diff_ids.get(i).cloned()),
                    layer: layer_index.and_then(|i| layers?.get(i).cloned()),
                }
            })
            .collect()
    }

    /// The counts that disagree, if any. No history at all is not a mismatch (history is
    /// optional), so only a present history is checked.
    pub fn mismatch(&self, layers: Option<&[Descriptor]>) -> Option<LayerMismatch> {
        if self.history.is_empty() {
            return None;
        }
        let non_empty_history = self.history.iter().filter(|h| !h.empty_layer).count();
        let diff_ids = self.diff_ids.len();
        let layers = layers.map(<[Descriptor]>::len);
        let agree = non_empty_history == diff_ids && layers.is_none_or(|n| n == diff_ids);
        (!agree).then_some(LayerMismatch {
            non_empty_history,
            diff_ids,
            layers,
        })
    }
}

/// `created_by` as a Dockerfile line, the way Docker Hub shows it.
///
/// The classic builder writes `/bin/sh -c #(nop) CMD ["sh"]` for metadata instructions and
/// `/bin/sh -c apt-get …` for RUN (prefixed `|N ARG=… ` when build args were set); BuildKit
/// writes `RUN /bin/sh -c apt-get … # buildkit`, `ENV A=b`, `COPY . / # buildkit`.
fn instruction(created_by: &str) -> String {
    const SHELL: &str = "/bin/sh -c ";
    const NOP: &str = "#(nop) ";
    let line = created_by.trim();
    let line = line.strip_suffix("# buildkit").unwrap_or(line).trim_end();
    if let Some(rest) = line.strip_prefix(SHELL) {
        let rest = rest.trim_start();
        match rest.strip_prefix(NOP) {
            Some(metadata) => metadata.trim().to_owned(),
            None => format!("RUN {rest}"),
        }
    } else if line.starts_with('|') && line.contains(SHELL) {
        format!("RUN {line}")
    } else {
        line.to_owned()
    }
}
