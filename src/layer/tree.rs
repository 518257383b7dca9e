//! The merged filesystem of an image: its layers applied in order, as image-spec `layer.md`
//! ("Whiteouts", "Changeset over existing files") says a runtime applies them.
//!
//! Rules, in the order they are applied for each layer `L`:
//! 1. opaque whiteouts `dir/.wh..wh..opq` hide every lower child of `dir` — "first, wherever
//!    they sit in the tar";
//! 2. whiteouts `dir/.wh.name` delete `dir/name` and everything under it, from lower layers
//!    only (a file of the same layer is never hidden by its own layer's whiteout);
//! 3. the other entries, in tar order: a directory over a directory replaces its attributes
//!    only; any other collision (file over file, file over directory, directory over file …)
//!    replaces the lower entry and hides its whole subtree. A non-directory ancestor of a new
//!    entry is hidden too (the entry needs a directory there).
//!
//! Nothing is dropped: every entry of every layer stays as a [`Version`] of its path's
//! [`Node`], with a [`Status`] saying whether it is live or which layer overwrote or deleted
//! it. So the tree "up to layer n" is read from the same data (a version is live at `n` when it
//! is from a layer ≤ n and not hidden by a layer ≤ n), and nothing is recomputed per layer.
//!
//! Paths are keyed lexically (tar names cleaned: `.` and empty components dropped, `..`
//! removing the previous component and stopping at the root, as containerd cleans names).
//! Symlinked ancestors are not followed while merging (a runtime would write `a/b` through a
//! symlink `a`); [`Tree::resolve`] follows symlinks for display.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

use thiserror::Error;

use super::pipeline::Listing;
use super::tar::{join, split_last};
use super::{Entry, EntryKind, Whiteout};

/// Index of a node in [`Tree::nodes`]; the root is 0.
pub type NodeId = u32;
const NONE: u32 = u32::MAX;
/// Symlinks followed by [`Tree::resolve`] before giving up (as dag.dev and Linux' 40… here 64).
pub const MAX_HOPS: usize = 64;

/// Whether a version is still visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Live,
    /// The same path was written again by layer `by` (or later in the same layer).
    Overwritten {
        by: u32,
    },
    /// Removed by layer `by`: a whiteout, an opaque directory, or a non-directory written over
    /// an ancestor.
    Deleted {
        by: u32,
    },
}

impl Status {
    /// The layer that hid this version, if any.
    pub fn by(self) -> Option<u32> {
        match self {
            Status::Live => None,
            Status::Overwritten { by } | Status::Deleted { by } => Some(by),
        }
    }
}

/// How a version relates to the tree of the layers below its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// The path did not exist below.
    Added,
    /// The path existed below (whatever the content; compare the entries to see what differs).
    Modified,
}

/// One entry of one layer, placed in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    pub node: NodeId,
    pub layer: u32,
    /// Index in that layer's [`Listing::entries`].
    pub entry: u32,
    pub status: Status,
    pub change: Change,
    /// The entry is a directory (kept here so merging never looks entries up).
    pub dir: bool,
}

impl Version {
    /// Visible in the tree of layers `0..=n`.
    pub fn live_at(&self, n: u32) -> bool {
        self.layer <= n && self.status.by().is_none_or(|by| by > n)
    }
}

/// A path of the merged filesystem (it may have no live version).
#[derive(Clone, Debug)]
pub struct Node {
    /// Cleaned path, `/`-separated, no leading `/`; empty for the root.
    pub path: Box<[u8]>,
    pub parent: NodeId,
    first_child: u32,
    next_sibling: u32,
    first_version: u32,
    last_version: u32,
}

/// A whiteout entry and what it targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhiteoutRef {
    pub layer: u32,
    pub entry: u32,
    /// The deleted path (`.wh.`) or the opaque directory; `None` for aufs meta names.
    pub target: Option<NodeId>,
    pub opaque: bool,
}

/// Why a symlink chain could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("more than {MAX_HOPS} symlinks followed resolving {path} (a loop?)")]
    TooManyHops { path: String },
    #[error("symlink target of {path} climbs above the root")]
    Escapes { path: String },
    #[error("{path} does not exist in the merged filesystem")]
    NotFound { path: String },
    #[error("{path} is not a directory")]
    NotADirectory { path: String },
}

/// The merged filesystem of layers pushed in order.
pub struct Tree {
    layers: Vec<Listing>,
    nodes: Vec<Node>,
    versions: Vec<(Version, u32)>,
    whiteouts: Vec<WhiteoutRef>,
    /// Path hash → node; a path whose hash is taken by another path goes to `overflow`.
    /// Keeps one copy of each path (in its node) instead of two.
    index: HashMap<u64, NodeId>,
    overflow: HashMap<Box<[u8]>, NodeId>,
    hasher: RandomState,
}

impl Default for Tree {
    fn default() -> Tree {
        Tree::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        let mut tree = Tree {
            layers: Vec::new(),
            nodes: Vec::new(),
            versions: Vec::new(),
            whiteouts: Vec::new(),
            index: HashMap::new(),
            overflow: HashMap::new(),
            hasher: RandomState::new(),
        };
        tree.create(Box::default(), 0);
        tree
    }

    /// A tree of these layers, bottom first.
    pub fn from_layers(layers: impl IntoIterator<Item = Listing>) -> Tree {
        let mut tree = Tree::new();
        for layer in layers {
            tree.push_layer(layer);
        }
        tree
    }

    pub fn layers(&self) -> &[Listing] {
        &self.layers
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// All versions of all nodes (in the order they were applied).
    pub fn versions(&self) -> impl ExactSizeIterator<Item = &Version> + '_ {
        self.versions.iter().map(|(v, _)| v)
    }

    /// A version by its index in [`Tree::versions`].
    pub fn version(&self, i: u32) -> Option<&Version> {
        self.versions.get(i as usize).map(|(v, _)| v)
    }

    /// The versions of one node, lowest layer first.
    pub fn versions_of(&self, id: NodeId) -> impl Iterator<Item = &Version> + '_ {
        let mut next = self
            .nodes
            .get(id as usize)
            .map_or(NONE, |n| n.first_version);
        std::iter::from_fn(move || {
            let (v, after) = self.versions.get(next as usize)?;
            next = *after;
            Some(v)
        })
    }

    /// The live version of a node in the final tree.
    pub fn live(&self, id: NodeId) -> Option<&Version> {
        self.versions_of(id).find(|v| v.status == Status::Live)
    }

    pub fn whiteouts(&self) -> &[WhiteoutRef] {
        &self.whiteouts
    }

    /// The entry behind a version.
    pub fn entry(&self, layer: u32, entry: u32) -> &Entry {
        &self.layers[layer as usize].entries[entry as usize]
    }

    /// The children of a node (every path ever seen under it).
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut next = self.nodes.get(id as usize).map_or(NONE, |n| n.first_child);
        std::iter::from_fn(move || {
            let node = self.nodes.get(next as usize)?;
            let this = next;
            next = node.next_sibling;
            Some(this)
        })
    }

    /// The node of a path (cleaned as tar names are).
    pub fn lookup(&self, path: &[u8]) -> Option<NodeId> {
        self.find(&clean(path))
    }

    fn find(&self, path: &[u8]) -> Option<NodeId> {
        let h = self.hasher.hash_one(path);
        match self.index.get(&h) {
            Some(&id) if *self.nodes[id as usize].path == *path => Some(id),
            Some(_) => self.overflow.get(path).copied(),
            None => None,
        }
    }

    fn create(&mut self, path: Box<[u8]>, parent: NodeId) -> NodeId {
        let id = self.nodes.len() as NodeId;
        let h = self.hasher.hash_one(&*path);
        match self.index.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert(path.clone(), id);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(id);
            }
        }
        let next_sibling = if id == 0 {
            NONE
        } else {
            std::mem::replace(&mut self.nodes[parent as usize].first_child, id)
        };
        self.nodes.push(Node {
            path,
            parent,
            first_child: NONE,
            next_sibling,
            first_version: NONE,
            last_version: NONE,
        });
        id
    }

    fn get_or_create(&mut self, path: &[u8]) -> NodeId {
        if let Some(id) = self.find(path) {
            return id;
        }
        // Create the missing ancestors, top-down.
        let mut missing = vec![path];
        let mut parent = 0;
        let mut p = path;
        while !p.is_empty() {
            p = split_last(p).0;
            if let Some(id) = self.find(p) {
                parent = id;
                break;
            }
            missing.push(p);
        }
        for p in missing.into_iter().rev() {
            parent = self.create(p.into(), parent);
        }
        parent
    }

    fn add_version(&mut self, v: Version) {
        let idx = self.versions.len() as u32;
        self.versions.push((v, NONE));
        let node = &mut self.nodes[v.node as usize];
        if node.last_version == NONE {
            node.first_version = idx;
        } else {
            let last = node.last_version as usize;
            self.versions[last].1 = idx;
        }
        self.nodes[v.node as usize].last_version = idx;
    }

    /// Sets `status` on the live versions of `id` for which `pick` holds; returns the
    /// (last) replaced version.
    fn mark(
        &mut self,
        id: NodeId,
        status: Status,
        pick: impl Fn(&Version) -> bool,
    ) -> Option<Version> {
        let mut last = None;
        let mut next = self.nodes[id as usize].first_version;
        while let Some((v, after)) = self.versions.get_mut(next as usize) {
            if v.status == Status::Live && pick(v) {
                last = Some(*v);
                v.status = status;
            }
            next = *after;
        }
        last
    }

    /// Marks every live version strictly below `id` as deleted by `by`.
    fn hide_below(&mut self, id: NodeId, by: u32) {
        let mut stack: Vec<NodeId> = self.children(id).collect();
        while let Some(n) = stack.pop() {
            let mut next = self.nodes[n as usize].first_version;
            while let Some((v, after)) = self.versions.get_mut(next as usize) {
                if v.status == Status::Live {
                    v.status = Status::Deleted { by };
                }
                next = *after;
            }
            stack.extend(self.children(n));
        }
    }

    /// Applies the next layer on top. Returns its index.
    pub fn push_layer(&mut self, listing: Listing) -> u32 {
        let layer = self.layers.len() as u32;
        let mut whiteouts = Vec::new();
        let mut opaque = Vec::new();
        for (i, e) in listing.entries.iter().enumerate() {
            match e.whiteout() {
                Some(Whiteout::Opaque(dir)) => opaque.push((i, clean(&dir))),
                Some(Whiteout::Delete(target)) => whiteouts.push((i, clean(&target))),
                Some(Whiteout::Meta) => self.whiteouts.push(WhiteoutRef {
                    layer,
                    entry: i as u32,
                    target: None,
                    opaque: false,
                }),
                None => {}
            }
        }
        // 1. Opaque directories, first.
        for (i, dir) in opaque {
            let target = self.get_or_create(&dir);
            self.hide_below(target, layer);
            self.whiteouts.push(WhiteoutRef {
                layer,
                entry: i as u32,
                target: Some(target),
                opaque: true,
            });
        }
        // 2. Whiteouts: lower layers only (this layer's entries are not in the tree yet).
        for (i, path) in whiteouts {
            let target = self.find(&path);
            if let Some(target) = target {
                if target != 0 {
                    self.mark(target, Status::Deleted { by: layer }, |_| true);
                }
                self.hide_below(target, layer);
            }
            self.whiteouts.push(WhiteoutRef {
                layer,
                entry: i as u32,
                target,
                opaque: false,
            });
        }
        // 3. Everything else, in tar order.
        for (i, e) in listing.entries.iter().enumerate() {
            if e.whiteout().is_some() {
                continue;
            }
            let path = clean(&e.path);
            let id = self.get_or_create(&path);
            // Non-directory ancestors give way to the directory this entry needs.
            let mut a = if id == 0 {
                NONE
            } else {
                self.nodes[id as usize].parent
            };
            while a != NONE {
                self.mark(a, Status::Deleted { by: layer }, |v| !v.dir);
                a = if a == 0 {
                    NONE
                } else {
                    self.nodes[a as usize].parent
                };
            }
            let is_dir = e.kind == EntryKind::Dir;
            let old = self.mark(id, Status::Overwritten { by: layer }, |_| true);
            let change = match old {
                None => Change::Added,
                // A same-layer duplicate inherits how the path relates to the layers below.
                Some(old) if old.layer == layer => old.change,
                Some(_) => Change::Modified,
            };
            // Only a directory over a directory keeps what is below.
            if id != 0 && (!is_dir || old.is_some_and(|o| !o.dir)) {
                self.hide_below(id, layer);
            }
            self.add_version(Version {
                node: id,
                layer,
                entry: i as u32,
                status: Status::Live,
                change,
                dir: is_dir,
            });
        }
        self.layers.push(listing);
        layer
    }

    /// Follows symlinks (across layers, in the final tree) until `path` names a
    /// non-symlink, at most [`MAX_HOPS`] links. Absolute targets start at the image root; a
    /// relative target climbing above the root is an error rather than being clamped, since
    /// it shows a hostile or broken link.
    pub fn resolve(&self, path: &[u8]) -> Result<Vec<u8>, LinkError> {
        let show = |p: &[u8]| super::path::display(p);
        let mut todo: Vec<Vec<u8>> = components(path).rev().map(<[u8]>::to_vec).collect();
        let mut done: Vec<u8> = Vec::new();
        let mut hops = 0;
        while let Some(part) = todo.pop() {
            if part == b".." {
                if done.is_empty() {
                    return Err(LinkError::Escapes { path: show(path) });
                }
                done.truncate(split_last(&done).0.len());
                continue;
            }
            let next = join(&done, &part);
            let live = self
                .find(&next)
                .and_then(|id| self.live(id))
                .map(|v| self.entry(v.layer, v.entry));
            let Some(entry) = live else {
                return Err(LinkError::NotFound { path: show(&next) });
            };
            match entry.kind {
                EntryKind::Symlink => {
                    hops += 1;
                    if hops > MAX_HOPS {
                        return Err(LinkError::TooManyHops { path: show(path) });
                    }
                    let target = entry.link.as_deref().unwrap_or_default();
                    if target.first() == Some(&b'/') {
                        done.clear();
                    }
                    todo.extend(components(target).rev().map(<[u8]>::to_vec));
                }
                EntryKind::Dir => done = next,
                _ if todo.is_empty() => done = next,
                _ => return Err(LinkError::NotADirectory { path: show(&next) }),
            }
        }
        Ok(done)
    }
}

/// Non-empty, non-`.` components.
fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&b| b == b'/')
        .filter(|p| !p.is_empty() && *p != b".")
}

/// The tree key of a tar name: `..` removes the previous component and stops at the root.
pub fn clean(path: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(path.len());
    for part in components(path) {
        if part == b".." {
            out.truncate(split_last(&out).0.len());
        } else {
            if !out.is_empty() {
                out.push(b'/');
            }
            out.extend_from_slice(part);
        }
    }
    out
}
