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
//! Cost: nodes are keyed by (parent, name), so placing an entry costs its own path length,
//! never the square of it (a hostile 1 MiB path of 500,000 components stays linear), and a
//! subtree is only walked to hide it when something below it is live ("clear" marks), so
//! repeated opaque markers or whiteouts of a big directory cannot make merging quadratic.
//!
//! Paths are keyed lexically (tar names cleaned: `.` and empty components dropped, `..`
//! removing the previous component and stopping at the root, as containerd cleans names).
//! Symlinked ancestors are not followed while merging (a runtime would write `a/b` through a
//! symlink `a`); [`Tree::resolve`] follows symlinks for display.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

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

/// A path of the merged filesystem (it may have no live version, or no version at all: an
/// implicit directory that only exists because something is under it).
#[derive(Clone, Debug)]
pub struct Node {
    /// Where the last path component is in [`Tree::names`]: [`Tree::name`] gives it,
    /// [`Tree::path`] the whole path. One arena, not an allocation per node (a million of
    /// them for a big layer).
    name_at: usize,
    name_len: u32,
    pub parent: NodeId,
    first_child: u32,
    next_sibling: u32,
    first_version: u32,
    last_version: u32,
    /// No live version strictly below (so hiding this subtree has nothing to do).
    clear_below: bool,
}

// One node per path of the image (a million for a big layer): see tests/listing_memory.rs.
const NODE_SIZE: usize = if cfg!(target_pointer_width = "32") {
    32
} else {
    40
};
const _: () = assert!(std::mem::size_of::<Node>() <= NODE_SIZE);

/// What a whiteout entry does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WhiteoutKind {
    /// `.wh.name`: deletes the target.
    Delete,
    /// `.wh..wh..opq`: hides the target directory's lower children.
    Opaque,
    /// Another `.wh..wh.` name (aufs bookkeeping): no effect; target is its directory.
    Meta,
}

/// A whiteout entry and what it targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhiteoutRef {
    pub layer: u32,
    pub entry: u32,
    /// The deleted path, the opaque directory, or (meta) the directory the entry is in.
    pub target: NodeId,
    pub kind: WhiteoutKind,
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
    /// Shared: the worker keeps each listing once, for every tree it builds over it.
    layers: Vec<Arc<Listing>>,
    nodes: Vec<Node>,
    /// The nodes' names, one after the other.
    names: Vec<u8>,
    /// Each version and the index of the next version of the same node.
    versions: Vec<(Version, u32)>,
    whiteouts: Vec<WhiteoutRef>,
    /// Hash of (parent, name), 32 bits of it, → node; a key whose hash is taken goes to
    /// `overflow`. Half the size of a 64-bit key: at a million nodes about a hundred keys
    /// collide, and those cost one more lookup.
    index: HashMap<u32, NodeId, BuildHasherDefault<Prehashed>>,
    overflow: HashMap<(NodeId, Box<[u8]>), NodeId>,
    hasher: RandomState,
    /// Entries naming the root that are not directories: kept out of the tree.
    unplaced: Vec<(u32, u32)>,
    /// The directory of the last entry placed: tar lists a directory's files together.
    last_dir: (Vec<u8>, NodeId),
}

impl Default for Tree {
    fn default() -> Tree {
        Tree::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        Tree {
            layers: Vec::new(),
            nodes: vec![Node {
                name_at: 0,
                name_len: 0,
                parent: 0,
                first_child: NONE,
                next_sibling: NONE,
                first_version: NONE,
                last_version: NONE,
                clear_below: true,
            }],
            names: Vec::new(),
            versions: Vec::new(),
            whiteouts: Vec::new(),
            index: HashMap::default(),
            overflow: HashMap::new(),
            hasher: RandomState::new(),
            unplaced: Vec::new(),
            last_dir: (Vec::new(), 0),
        }
    }

    /// A tree of these layers, bottom first.
    pub fn from_layers(layers: impl IntoIterator<Item = impl Into<Arc<Listing>>>) -> Tree {
        let mut tree = Tree::new();
        for layer in layers {
            tree.push_layer(layer);
        }
        tree
    }

    pub fn layers(&self) -> &[Arc<Listing>] {
        &self.layers
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// A node by id. Panics for an id that does not come from this tree.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// The last path component of a node (empty for the root, or an id not of this tree).
    pub fn name(&self, id: NodeId) -> &[u8] {
        self.nodes
            .get(id as usize)
            .and_then(|n| self.names.get(n.name_at..n.name_at + n.name_len as usize))
            .unwrap_or_default()
    }

    /// The whole path of a node (`/`-separated, no leading `/`; empty for the root).
    pub fn path(&self, id: NodeId) -> Vec<u8> {
        let mut out = Vec::new();
        self.path_into(id, &mut out);
        out
    }

    /// [`Tree::path`] into a reused buffer (cleared first).
    pub fn path_into(&self, id: NodeId, out: &mut Vec<u8>) {
        // Two walks up the parents (length, then names from the end): no allocation.
        let mut len = 0;
        let mut n = id;
        while n != 0 {
            let node = &self.nodes[n as usize];
            len += node.name_len as usize + usize::from(node.parent != 0);
            n = node.parent;
        }
        out.clear();
        out.resize(len, 0);
        let mut end = len;
        let mut n = id;
        while n != 0 {
            let node = &self.nodes[n as usize];
            let name = self.name(n);
            out[end - name.len()..end].copy_from_slice(name);
            end -= name.len();
            if node.parent != 0 {
                end -= 1;
                out[end] = b'/';
            }
            n = node.parent;
        }
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

    /// Indices (for [`Tree::version`]) of the versions of one node, lowest layer first.
    pub fn version_ids(&self, id: NodeId) -> impl Iterator<Item = u32> + '_ {
        let mut next = self
            .nodes
            .get(id as usize)
            .map_or(NONE, |n| n.first_version);
        std::iter::from_fn(move || {
            let this = next;
            next = self.versions.get(this as usize)?.1;
            Some(this)
        })
    }

    /// The live version of a node in the final tree.
    pub fn live(&self, id: NodeId) -> Option<&Version> {
        self.versions_of(id).find(|v| v.status == Status::Live)
    }

    /// `(layer, entry)` of entries that name the root (`./`, `..`) but are not directories:
    /// listed in their layer, kept out of the merged tree (the root cannot be a file).
    pub fn unplaced(&self) -> &[(u32, u32)] {
        &self.unplaced
    }

    pub fn whiteouts(&self) -> &[WhiteoutRef] {
        &self.whiteouts
    }

    /// The entry behind a version. Panics for indices that do not come from this tree (every
    /// version and whiteout of the tree has its entry).
    pub fn entry(&self, layer: u32, entry: u32) -> &Entry {
        &self.layers[layer as usize].entries[entry as usize]
    }

    /// The children of a node (every path ever seen under it), in no particular order.
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

    /// The node of a cleaned path.
    fn find(&self, path: &[u8]) -> Option<NodeId> {
        let mut id = 0;
        for part in components(path) {
            id = self.child(id, part)?;
        }
        Some(id)
    }

    fn key(&self, parent: NodeId, name: &[u8]) -> u32 {
        self.hasher.hash_one((parent, name)) as u32
    }

    fn child(&self, parent: NodeId, name: &[u8]) -> Option<NodeId> {
        let id = *self.index.get(&self.key(parent, name))?;
        if self.nodes[id as usize].parent == parent && self.name(id) == name {
            return Some(id);
        }
        self.overflow.get(&(parent, Box::from(name))).copied()
    }

    fn create(&mut self, parent: NodeId, name: &[u8]) -> NodeId {
        let id = self.nodes.len() as NodeId;
        match self.index.entry(self.key(parent, name)) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert((parent, name.into()), id);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(id);
            }
        }
        let next_sibling = std::mem::replace(&mut self.nodes[parent as usize].first_child, id);
        let name_at = self.names.len();
        self.names.extend_from_slice(name);
        self.nodes.push(Node {
            name_at,
            // A component is part of one entry's path, which is at most 4 GiB.
            name_len: name.len() as u32,
            parent,
            first_child: NONE,
            next_sibling,
            first_version: NONE,
            last_version: NONE,
            clear_below: true,
        });
        id
    }

    fn get_or_create_under(&mut self, mut id: NodeId, path: &[u8]) -> NodeId {
        for part in components(path) {
            id = match self.child(id, part) {
                Some(c) => c,
                None => self.create(id, part),
            };
        }
        id
    }

    /// The node of a cleaned path, creating it and its missing ancestors.
    fn get_or_create(&mut self, path: &[u8]) -> NodeId {
        let (dir, name) = split_last(path);
        let parent = if dir == self.last_dir.0.as_slice() {
            self.last_dir.1
        } else {
            let id = self.get_or_create_under(0, dir);
            self.last_dir = (dir.to_vec(), id);
            id
        };
        if name.is_empty() {
            return parent;
        }
        self.get_or_create_under(parent, name)
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
        // Something is live below every ancestor now; once one ancestor already knew,
        // all above it do too.
        let mut a = v.node;
        while a != 0 {
            a = self.nodes[a as usize].parent;
            let node = &mut self.nodes[a as usize];
            if !node.clear_below {
                break;
            }
            node.clear_below = false;
        }
    }

    /// Sets `status` on the live versions of `id` for which `pick` holds; returns the
    /// (last) one changed.
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

    /// Marks every live version strictly below `id` as deleted by `by`, walking only
    /// subtrees that have something live.
    fn hide_below(&mut self, id: NodeId, by: u32) {
        if self.nodes[id as usize].clear_below {
            return;
        }
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            let mut c = self.nodes[n as usize].first_child;
            while c != NONE {
                self.mark(c, Status::Deleted { by }, |_| true);
                if !self.nodes[c as usize].clear_below {
                    stack.push(c);
                }
                c = self.nodes[c as usize].next_sibling;
            }
            self.nodes[n as usize].clear_below = true;
        }
    }

    /// Applies the next layer on top. Returns its index.
    pub fn push_layer(&mut self, listing: impl Into<Arc<Listing>>) -> u32 {
        let listing = listing.into();
        let layer = self.layers.len() as u32;
        let n = listing.entries.len();
        self.versions.reserve(n);
        self.nodes.reserve(n);
        self.index.reserve(n);
        // About the names this layer adds (fewer when paths repeat lower ones), rather than
        // up to twice them from doubling.
        let names: usize = listing.entries.iter().map(|e| e.name().len()).sum();
        self.names.reserve(names);
        let mut deletes = Vec::new();
        for (i, e) in listing.entries.iter().enumerate() {
            if !e.is_whiteout() {
                continue;
            }
            let (kind, target) = match e.whiteout() {
                Some(Whiteout::Opaque(dir)) => (WhiteoutKind::Opaque, clean(&dir)),
                Some(Whiteout::Delete(target)) => (WhiteoutKind::Delete, clean(&target)),
                Some(Whiteout::Meta) => (WhiteoutKind::Meta, clean(split_last(e.path()).0)),
                None => continue,
            };
            let target = self.get_or_create(&target);
            let w = WhiteoutRef {
                layer,
                entry: i as u32,
                target,
                kind,
            };
            // 1. Opaque directories, first.
            if kind == WhiteoutKind::Opaque {
                self.hide_below(target, layer);
            } else if kind == WhiteoutKind::Delete {
                deletes.push(w);
            }
            self.whiteouts.push(w);
        }
        // 2. Whiteouts: lower layers only (this layer's entries are not in the tree yet).
        for w in deletes {
            if w.target != 0 {
                self.mark(w.target, Status::Deleted { by: layer }, |_| true);
            }
            self.hide_below(w.target, layer);
        }
        // 3. Everything else, in tar order.
        for (i, e) in listing.entries.iter().enumerate() {
            if e.is_whiteout() {
                continue;
            }
            let path = clean_cow(e.path());
            if path.is_empty() && e.kind != EntryKind::Dir {
                // `./`, `..` or `a/..` as a file, link or device: the root cannot be one.
                self.unplaced.push((layer, i as u32));
                continue;
            }
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
        let show = |id: NodeId, part: &[u8]| super::path::display(&join(&self.path(id), part));
        // Components still to walk, last first; borrowed from `path` and link targets, and
        // walked by node (one lookup each), so a long target costs its length, not its square.
        let mut todo: Vec<&[u8]> = components(path).rev().collect();
        let mut at: NodeId = 0;
        let mut hops = 0;
        while let Some(part) = todo.pop() {
            if part == b".." {
                if at == 0 {
                    return Err(LinkError::Escapes {
                        path: super::path::display(path),
                    });
                }
                at = self.nodes[at as usize].parent;
                continue;
            }
            let Some(next) = self.child(at, part) else {
                return Err(LinkError::NotFound {
                    path: show(at, part),
                });
            };
            let kind = match self.live(next) {
                Some(v) => self.entry(v.layer, v.entry).kind,
                // No entry, but something live below: a directory implied by its contents.
                None if !self.nodes[next as usize].clear_below => EntryKind::Dir,
                None => {
                    return Err(LinkError::NotFound {
                        path: show(at, part),
                    })
                }
            };
            match kind {
                EntryKind::Symlink => {
                    hops += 1;
                    if hops > MAX_HOPS {
                        return Err(LinkError::TooManyHops {
                            path: super::path::display(path),
                        });
                    }
                    let target = self
                        .live(next)
                        .and_then(|v| self.entry(v.layer, v.entry).link())
                        .unwrap_or_default();
                    if target.first() == Some(&b'/') {
                        at = 0;
                    }
                    todo.extend(components(target).rev());
                }
                EntryKind::Dir => at = next,
                _ if todo.is_empty() => at = next,
                _ => {
                    return Err(LinkError::NotADirectory {
                        path: show(at, part),
                    })
                }
            }
        }
        Ok(self.path(at))
    }
}

/// Non-empty, non-`.` components.
fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&b| b == b'/')
        .filter(|p| !p.is_empty() && *p != b".")
}

/// The keys are already hashes (32 bits of a SipHash of (parent, name) with a per-tree
/// random key): they are only spread over 64 bits, since the map picks buckets by the low
/// bits and tells keys apart within a group by the top ones.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        // Fibonacci hashing: one multiplication carries every key bit into the top bits.
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u32 keys are hashed; this fallback keeps the trait total.
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }
}

/// [`clean`] without a copy when the path is already clean (the walker's usually are: only
/// `..` is left for this to remove).
fn clean_cow(path: &[u8]) -> Cow<'_, [u8]> {
    let simple = path
        .split(|&b| b == b'/')
        .all(|p| !p.is_empty() && p != b"." && p != b"..");
    if simple {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(clean(path))
    }
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
