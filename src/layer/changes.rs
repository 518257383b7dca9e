//! What each layer changed, and where the bytes went (definitions in `docs/layers.md`).
//!
//! - Per layer, "this layer only" (dive's Ctrl+L): entries *added* (path absent below),
//!   *modified* (path present below, written again), *removed* (a lower version deleted by this
//!   layer's whiteouts, opaque directories or replaced ancestors).
//! - Efficiency, dive's definition (`dive/filetree/efficiency.go`): for every path, the
//!   smallest of its copies over the sum of all its copies, summed over paths; a deletion
//!   counts as a copy of size 0 (so a deleted file is entirely waste). Unlike dive, a deleted
//!   directory contributes a 0-size copy to each path under it instead of its subtree's size
//!   to its own path, so nothing is counted twice. Given in parts per million, as an integer:
//!   the page formats no floats.
//! - Reclaimable bytes: the sizes of the copies that are not visible in the final image
//!   (overwritten or deleted by a later layer, or by a later entry of the same layer): the
//!   N−1 copies a rebuild could avoid, not dive's "wasted bytes" which also counts the copy
//!   that is kept (dive#684).
//!
//! All of it is one linear pass over the tree's versions. Sizes are what headers declare (a
//! sparse file may claim 2^63 bytes), so byte sums saturate instead of overflowing.

use super::tree::{Change, NodeId, Status, Tree};

/// Summary of one layer's changes relative to the layers below it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayerChanges {
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    /// Bytes of the added / modified entries, and of the lower versions removed.
    pub added_bytes: u64,
    pub modified_bytes: u64,
    pub removed_bytes: u64,
    /// Bytes of this layer's own entries that a later layer (or a later entry of this layer)
    /// overwrites or deletes.
    pub wasted_bytes: u64,
    /// Bytes of lower (and same-layer) versions this layer hides.
    pub hidden_bytes: u64,
    pub whiteouts: u64,
}

/// Per-layer change summaries, one per layer of the tree.
pub fn layer_changes(tree: &Tree) -> Vec<LayerChanges> {
    let mut out = vec![LayerChanges::default(); tree.layers().len()];
    for v in tree.versions() {
        let size = tree.entry(v.layer, v.entry).size;
        if let Some(own) = out.get_mut(v.layer as usize) {
            match v.change {
                Change::Added => {
                    own.added += 1;
                    own.added_bytes = own.added_bytes.saturating_add(size);
                }
                Change::Modified => {
                    own.modified += 1;
                    own.modified_bytes = own.modified_bytes.saturating_add(size);
                }
            }
            if v.status != Status::Live {
                own.wasted_bytes = own.wasted_bytes.saturating_add(size);
            }
        }
        if let Some(by) = v.status.by() {
            if let Some(hider) = out.get_mut(by as usize) {
                hider.hidden_bytes = hider.hidden_bytes.saturating_add(size);
                // Removed: a *lower* version; one of this layer's own entries hidden by a
                // later entry of the same layer is still counted as added or modified.
                if matches!(v.status, Status::Deleted { .. }) && v.layer < by {
                    hider.removed += 1;
                    hider.removed_bytes = hider.removed_bytes.saturating_add(size);
                }
            }
        }
    }
    for w in tree.whiteouts() {
        if let Some(l) = out.get_mut(w.layer as usize) {
            l.whiteouts += 1;
        }
    }
    out
}

/// One copy of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Copy {
    pub layer: u32,
    pub entry: u32,
    pub size: u64,
    pub status: Status,
}

/// A path with bytes a rebuild could reclaim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Culprit {
    pub node: NodeId,
    /// Every copy of the path, lowest layer first.
    pub copies: Vec<Copy>,
    /// Σ sizes of the copies not visible in the final image.
    pub reclaimable: u64,
}

/// The image's efficiency figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Efficiency {
    /// Σ over paths of the smallest copy (deletions are 0-size copies) ×10⁶ / Σ of all copies;
    /// 1,000,000 when there are no bytes at all.
    pub score_ppm: u32,
    /// Σ of all copies' sizes, over all layers.
    pub total_bytes: u64,
    /// Σ over paths of the smallest copy.
    pub minimal_bytes: u64,
    /// Σ sizes of copies overwritten or deleted later (N−1 per path).
    pub reclaimable_bytes: u64,
    /// Paths with reclaimable bytes, most reclaimable first (then in order of first
    /// appearance in the layers).
    pub culprits: Vec<Culprit>,
}

pub fn efficiency(tree: &Tree) -> Efficiency {
    let mut eff = Efficiency::default();
    for id in 0..tree.nodes().len() as NodeId {
        let mut min: Option<u64> = None;
        let mut reclaimable = 0u64;
        for v in tree.versions_of(id) {
            let size = tree.entry(v.layer, v.entry).size;
            eff.total_bytes = eff.total_bytes.saturating_add(size);
            // A deletion is a 0-size copy: the path's minimum is then 0.
            let smallest = if matches!(v.status, Status::Deleted { .. }) {
                0
            } else {
                size
            };
            min = Some(min.map_or(smallest, |m| m.min(smallest)));
            if v.status != Status::Live {
                reclaimable = reclaimable.saturating_add(size);
            }
        }
        eff.minimal_bytes = eff.minimal_bytes.saturating_add(min.unwrap_or(0));
        eff.reclaimable_bytes = eff.reclaimable_bytes.saturating_add(reclaimable);
        if reclaimable > 0 {
            let copies = tree
                .versions_of(id)
                .map(|v| Copy {
                    layer: v.layer,
                    entry: v.entry,
                    size: tree.entry(v.layer, v.entry).size,
                    status: v.status,
                })
                .collect();
            eff.culprits.push(Culprit {
                node: id,
                copies,
                reclaimable,
            });
        }
    }
    eff.score_ppm = ppm(eff.minimal_bytes, eff.total_bytes);
    // Most reclaimable first, then in the order the paths first appeared (node ids are
    // unique, so an unstable sort is deterministic).
    let mut keyed: Vec<(u64, u32)> = eff
        .culprits
        .iter()
        .enumerate()
        .map(|(i, c)| (u64::MAX - c.reclaimable, i as u32))
        .collect();
    keyed.sort_unstable();
    let mut culprits: Vec<Option<Culprit>> = std::mem::take(&mut eff.culprits)
        .into_iter()
        .map(Some)
        .collect();
    eff.culprits = keyed
        .iter()
        .filter_map(|&(_, i)| culprits.get_mut(i as usize).and_then(Option::take))
        .collect();
    eff
}

/// `part / whole` in parts per million, rounded down; 1,000,000 for an empty whole. Both
/// are scaled down together until the product fits a u64 (sizes are header-declared and a
/// sparse file may claim 2^63 bytes), which keeps the ratio to within one part per million.
fn ppm(mut part: u64, mut whole: u64) -> u32 {
    if whole == 0 {
        return 1_000_000;
    }
    while part > u64::MAX / 1_000_000 {
        part >>= 1;
        whole >>= 1;
    }
    (part * 1_000_000 / whole.max(1)).min(1_000_000) as u32
}
