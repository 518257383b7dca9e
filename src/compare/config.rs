//! Differences between two image configurations (image-spec config.md "Properties", read by
//! [`ImageConfig`]): platform fields, the runtime defaults (env by variable name, entrypoint,
//! cmd, user, working dir, ports, volumes, labels) and the history aligned step by step.
//!
//! History alignment is a longest common subsequence over `created_by` (after trimming the
//! common prefix and suffix, which is most of it for related images), so a step inserted in
//! the middle is one insertion rather than every later step "changed" (what a comparison by
//! position shows; container-diff#239 is the same trap for layers). Above [`MAX_ALIGNMENT_CELLS`] the middle is not aligned: its steps
//! show as removed and added, in linear memory.

use std::collections::BTreeSet;

use super::{keyed_diff, KeyedChange};
use crate::oci::model::{HistoryEntry, ImageConfig};

/// Largest middle part ((left steps + 1) × (right steps + 1)) aligned by LCS: 4M cells of
/// u32 = 16 MiB.
pub const MAX_ALIGNMENT_CELLS: usize = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ConfigOptions {
    /// Ignore `created` (of the image and of each history step), as diffoci `--semantic`:
    /// a rebuild of the same Dockerfile then compares equal.
    pub ignore_timestamps: bool,
}

/// A single-valued field that differs (`field` is its config.md name, e.g. `os.version`,
/// `config.User`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub left: Option<String>,
    pub right: Option<String>,
}

/// A set-valued field (`ExposedPorts`, `Volumes`): members added and removed, sorted.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SetDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl SetDiff {
    fn of(left: &[String], right: &[String]) -> SetDiff {
        let left: BTreeSet<&String> = left.iter().collect();
        let right: BTreeSet<&String> = right.iter().collect();
        SetDiff {
            added: right.difference(&left).map(|s| (*s).clone()).collect(),
            removed: left.difference(&right).map(|s| (*s).clone()).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// One row of the aligned history. Indices are into each config's `history`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryRow {
    /// The same step on both sides; `changes` lists what else differs (`created`,
    /// `comment`, `author`, `empty_layer`), empty when nothing does.
    Same {
        left: usize,
        right: usize,
        created_by: Option<String>,
        changes: Vec<FieldChange>,
    },
    Removed {
        left: usize,
        created_by: Option<String>,
    },
    Added {
        right: usize,
        created_by: Option<String>,
    },
}

impl HistoryRow {
    pub fn is_unchanged(&self) -> bool {
        matches!(self, HistoryRow::Same { changes, .. } if changes.is_empty())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ConfigDiff {
    /// Platform, `created`, `author` and the single-valued runtime fields that differ.
    pub fields: Vec<FieldChange>,
    /// `config.Entrypoint` and `config.Cmd`, when they differ (as JSON-ish lists).
    pub entrypoint: Option<(Vec<String>, Vec<String>)>,
    pub cmd: Option<(Vec<String>, Vec<String>)>,
    /// By variable name; the values are whole `NAME=value` entries.
    pub env: Vec<KeyedChange>,
    pub labels: Vec<KeyedChange>,
    pub exposed_ports: SetDiff,
    pub volumes: SetDiff,
    /// Every step of both histories, aligned.
    pub history: Vec<HistoryRow>,
}

impl ConfigDiff {
    /// Nothing differs (the aligned history is all unchanged steps).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.entrypoint.is_none()
            && self.cmd.is_none()
            && self.env.is_empty()
            && self.labels.is_empty()
            && self.exposed_ports.is_empty()
            && self.volumes.is_empty()
            && self.history.iter().all(HistoryRow::is_unchanged)
    }
}

fn field(name: &'static str, left: &Option<String>, right: &Option<String>) -> Option<FieldChange> {
    (left != right).then(|| FieldChange {
        field: name,
        left: left.clone(),
        right: right.clone(),
    })
}

fn list(left: &[String], right: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    (left != right).then(|| (left.to_vec(), right.to_vec()))
}

/// `NAME=value` → (`NAME`, the whole entry); an entry without `=` is its own name.
fn env_pairs(env: &[String]) -> Vec<(String, String)> {
    env.iter()
        .map(|entry| {
            let name = entry.split_once('=').map_or(entry.as_str(), |(n, _)| n);
            (name.to_owned(), entry.clone())
        })
        .collect()
}

pub fn diff_configs(left: &ImageConfig, right: &ImageConfig, options: ConfigOptions) -> ConfigDiff {
    let mut fields: Vec<FieldChange> = [
        field("os", &left.os, &right.os),
        field("architecture", &left.architecture, &right.architecture),
        field("variant", &left.variant, &right.variant),
        field("os.version", &left.os_version, &right.os_version),
        field("author", &left.author, &right.author),
        field("config.User", &left.user, &right.user),
        field("config.WorkingDir", &left.working_dir, &right.working_dir),
        field("config.StopSignal", &left.stop_signal, &right.stop_signal),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !options.ignore_timestamps {
        fields.extend(field("created", &left.created, &right.created));
    }
    ConfigDiff {
        fields,
        entrypoint: list(&left.entrypoint, &right.entrypoint),
        cmd: list(&left.cmd, &right.cmd),
        env: keyed_diff(&env_pairs(&left.env), &env_pairs(&right.env)),
        labels: keyed_diff(&left.labels.0, &right.labels.0),
        exposed_ports: SetDiff::of(&left.exposed_ports, &right.exposed_ports),
        volumes: SetDiff::of(&left.volumes, &right.volumes),
        history: align_history(&left.history, &right.history, options),
    }
}

/// The aligned history (see the module docs).
pub fn align_history(
    left: &[HistoryEntry],
    right: &[HistoryEntry],
    options: ConfigOptions,
) -> Vec<HistoryRow> {
    let same = |i: usize, j: usize| match (left.get(i), right.get(j)) {
        (Some(a), Some(b)) => a.created_by == b.created_by,
        _ => false,
    };
    let prefix = (0..left.len().min(right.len()))
        .take_while(|&k| same(k, k))
        .count();
    let suffix = (0..left.len().min(right.len()) - prefix)
        .take_while(|&k| same(left.len() - 1 - k, right.len() - 1 - k))
        .count();
    let (n, m) = (left.len() - prefix - suffix, right.len() - prefix - suffix);

    let mut pairs: Vec<(Option<usize>, Option<usize>)> =
        (0..prefix).map(|k| (Some(k), Some(k))).collect();
    if (n + 1).saturating_mul(m + 1) <= MAX_ALIGNMENT_CELLS {
        // lcs[i][j]: length of the LCS of left[prefix+i..] and right[prefix+j..] (middle only).
        let width = m + 1;
        let mut lcs = vec![0u32; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * width + j] = if same(prefix + i, prefix + j) {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && same(prefix + i, prefix + j) {
                pairs.push((Some(prefix + i), Some(prefix + j)));
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
                pairs.push((Some(prefix + i), None));
                i += 1;
            } else {
                pairs.push((None, Some(prefix + j)));
                j += 1;
            }
        }
    } else {
        pairs.extend((prefix..prefix + n).map(|i| (Some(i), None)));
        pairs.extend((prefix..prefix + m).map(|j| (None, Some(j))));
    }
    pairs.extend((0..suffix).map(|k| (Some(prefix + n + k), Some(prefix + m + k))));

    pairs
        .into_iter()
        .filter_map(|pair| match pair {
            (Some(l), Some(r)) => {
                let (a, b) = (left.get(l)?, right.get(r)?);
                Some(HistoryRow::Same {
                    left: l,
                    right: r,
                    created_by: a.created_by.clone(),
                    changes: step_changes(a, b, options),
                })
            }
            (Some(l), None) => Some(HistoryRow::Removed {
                left: l,
                created_by: left.get(l)?.created_by.clone(),
            }),
            (None, Some(r)) => Some(HistoryRow::Added {
                right: r,
                created_by: right.get(r)?.created_by.clone(),
            }),
            (None, None) => None,
        })
        .collect()
}

fn step_changes(a: &HistoryEntry, b: &HistoryEntry, options: ConfigOptions) -> Vec<FieldChange> {
    let flag = |e: &HistoryEntry| Some(e.empty_layer.to_string());
    let mut changes: Vec<FieldChange> = [
        field("comment", &a.comment, &b.comment),
        field("author", &a.author, &b.author),
        field("empty_layer", &flag(a), &flag(b)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !options.ignore_timestamps {
        changes.extend(field("created", &a.created, &b.created));
    }
    changes
}
