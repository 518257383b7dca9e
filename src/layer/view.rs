//! Filtering, sorting and paging a merged tree (or one layer) for the UI: a page of rows out
//! of up to a million, without the page holding them all.
//!
//! [`Index::new`] sorts once (by path and by size); every [`Index::query`] is then one linear
//! pass over a presorted order that counts the matches and keeps only the requested page.

use super::path;
use super::tree::{Change, NodeId, Status, Tree};

/// Which part of the image's history to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// The final merged filesystem (all layers).
    #[default]
    Merged,
    /// The filesystem after layers `0..=n` (dive's "aggregated"), marks for layer `n`.
    UpTo(u32),
    /// What layer `n` changed (dive's "this layer only"): its entries, and the lower
    /// versions it removed.
    Layer(u32),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// By raw path bytes, then layer.
    #[default]
    Path,
    /// Largest first, then by path.
    SizeDesc,
}

/// A filter and a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub scope: Scope,
    /// Substring of the display form ([`path::display`]), ASCII letters matched without
    /// regard to case (other characters exactly: full Unicode case folding would add its
    /// tables, ≈ 7 kB brotli, to the worker); empty: any.
    pub substring: String,
    /// Raw path prefix (use a trailing `/` for "under this directory"); empty: any.
    pub prefix: Vec<u8>,
    pub sort: Sort,
    /// Include versions deleted (whiteouts, opaque dirs, replaced ancestors) at the scope.
    pub include_deleted: bool,
    /// Include versions overwritten at the scope.
    pub include_overwritten: bool,
    /// Include the whiteout entries themselves.
    pub include_whiteouts: bool,
    pub offset: usize,
    pub limit: usize,
}

impl Default for Query {
    fn default() -> Query {
        Query {
            scope: Scope::Merged,
            substring: String::new(),
            prefix: Vec::new(),
            sort: Sort::Path,
            include_deleted: false,
            include_overwritten: false,
            include_whiteouts: false,
            offset: 0,
            limit: 100,
        }
    }
}

/// How a row stands at the query's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowState {
    Live,
    Overwritten {
        by: u32,
    },
    Deleted {
        by: u32,
    },
    /// A whiteout entry (never live).
    Whiteout,
}

/// The mark a row gets relative to the scope's layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    Added,
    Modified,
    Removed,
}

/// One row: an entry of one layer, where it stands, and what the scope's layer did to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The path's node (for a whiteout: the node it deletes or makes opaque, or for an aufs
    /// meta name its directory; the whiteout's own name is its entry's path).
    pub node: NodeId,
    pub layer: u32,
    pub entry: u32,
    pub state: RowState,
    pub mark: Option<Mark>,
}

/// Matches and one page of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub total: usize,
    pub rows: Vec<Row>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Version(u32),
    Whiteout(u32),
}

/// An [`Item`] in 4 bytes, not the enum's 8 (the index holds two per row, a million rows):
/// the top bit tells a whiteout, the rest is its index (a tree holds far fewer than 2^31
/// versions: each is an entry in memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Packed(u32);

const WHITEOUT: u32 = 1 << 31;

impl Packed {
    fn new(item: Item) -> Packed {
        match item {
            Item::Version(i) => Packed(i & !WHITEOUT),
            Item::Whiteout(i) => Packed(i | WHITEOUT),
        }
    }

    fn item(self) -> Item {
        if self.0 & WHITEOUT == 0 {
            Item::Version(self.0)
        } else {
            Item::Whiteout(self.0 & !WHITEOUT)
        }
    }
}

/// Presorted orders of a tree's rows. Build it once per tree, after its last layer (rows of
/// layers pushed later are not in it).
///
/// Path order is the tree's order (`ls -R`): a directory, then its whiteouts, then its
/// children by name bytes — so `a/b` comes before `a-c`, unlike a plain byte sort.
pub struct Index {
    by_path: Vec<Packed>,
    by_size: Vec<Packed>,
}

impl Index {
    pub fn new(tree: &Tree) -> Index {
        // Keys are (u64, u32) pairs here and in `changes`: one sort instantiation in the wasm.
        let mut whiteouts: Vec<(u64, u32)> = tree
            .whiteouts()
            .iter()
            .enumerate()
            .map(|(i, w)| (u64::from(w.target), i as u32))
            .collect();
        whiteouts.sort_unstable();
        let mut items = Vec::with_capacity(tree.versions().len() + whiteouts.len());
        let mut stack: Vec<NodeId> = vec![0];
        let mut children = Vec::new();
        while let Some(n) = stack.pop() {
            items.extend(tree.version_ids(n).map(|i| Packed::new(Item::Version(i))));
            let n64 = u64::from(n);
            let from = whiteouts.partition_point(|&(t, _)| t < n64);
            items.extend(
                whiteouts[from..]
                    .iter()
                    .take_while(|&&(t, _)| t == n64)
                    .map(|&(_, i)| Packed::new(Item::Whiteout(i))),
            );
            children.clear();
            children.extend(tree.children(n));
            // Pushed in reverse so that they pop in name order.
            children.sort_unstable_by(|a, b| tree.name(*b).cmp(tree.name(*a)));
            stack.extend_from_slice(&children);
        }
        let size = |item: &Packed| match item.item() {
            Item::Version(i) => tree
                .version(i)
                .map_or(0, |v| tree.entry(v.layer, v.entry).size),
            Item::Whiteout(_) => 0,
        };
        // Sizes looked up once; ties keep path order (the position breaks them), so an
        // unstable sort is enough (and smaller in the wasm than a stable one).
        let mut keyed: Vec<(u64, u32)> = items
            .iter()
            .enumerate()
            .map(|(pos, item)| (u64::MAX - size(item), pos as u32))
            .collect();
        keyed.sort_unstable();
        let by_size = keyed.iter().map(|&(_, pos)| items[pos as usize]).collect();
        Index {
            by_path: items,
            by_size,
        }
    }

    pub fn query(&self, tree: &Tree, q: &Query) -> Page {
        let last = tree.layers().len().saturating_sub(1) as u32;
        let needle = q.substring.to_ascii_lowercase();
        let order = match q.sort {
            Sort::Path => &self.by_path,
            Sort::SizeDesc => &self.by_size,
        };
        let mut page = Page::default();
        let filtered = !needle.is_empty() || !q.prefix.is_empty();
        let (mut buf, mut lower) = (Vec::new(), Vec::new());
        for item in order {
            let item = item.item();
            let Some(row) = Index::row(tree, item, q.scope, last) else {
                continue;
            };
            let shown = match row.state {
                RowState::Live => true,
                RowState::Overwritten { .. } => q.include_overwritten,
                RowState::Deleted { .. } => q.include_deleted,
                RowState::Whiteout => q.include_whiteouts,
            };
            if !shown {
                continue;
            }
            if filtered {
                let row_path: &[u8] = match item {
                    Item::Version(_) => {
                        tree.path_into(row.node, &mut buf);
                        &buf
                    }
                    Item::Whiteout(_) => tree.entry(row.layer, row.entry).path(),
                };
                if !row_path.starts_with(&q.prefix) || !matches(row_path, &needle, &mut lower) {
                    continue;
                }
            }
            if page.total >= q.offset && page.rows.len() < q.limit {
                page.rows.push(row);
            }
            page.total += 1;
        }
        page
    }

    /// The row an item makes at a scope (`None`: outside it).
    fn row(tree: &Tree, item: Item, scope: Scope, last: u32) -> Option<Row> {
        match item {
            Item::Version(i) => {
                let v = tree.version(i)?;
                let (n, layer_only) = match scope {
                    Scope::Merged => (last, false),
                    Scope::UpTo(n) => (n, false),
                    Scope::Layer(n) => (n, true),
                };
                let removed_here =
                    v.layer < n && matches!(v.status, Status::Deleted { by } if by == n);
                if layer_only && v.layer != n && !removed_here {
                    return None;
                }
                if v.layer > n {
                    return None;
                }
                let state = match v.status.by() {
                    Some(by) if by <= n => match v.status {
                        Status::Deleted { .. } => RowState::Deleted { by },
                        _ => RowState::Overwritten { by },
                    },
                    _ => RowState::Live,
                };
                let mark = if removed_here {
                    Some(Mark::Removed)
                } else if v.layer == n {
                    Some(match v.change {
                        Change::Added => Mark::Added,
                        Change::Modified => Mark::Modified,
                    })
                } else {
                    None
                };
                Some(Row {
                    node: v.node,
                    layer: v.layer,
                    entry: v.entry,
                    state,
                    mark,
                })
            }
            Item::Whiteout(i) => {
                let w = tree.whiteouts().get(i as usize)?;
                let visible = match scope {
                    Scope::Merged => true,
                    Scope::UpTo(n) => w.layer <= n,
                    Scope::Layer(n) => w.layer == n,
                };
                visible.then_some(Row {
                    node: w.target,
                    layer: w.layer,
                    entry: w.entry,
                    state: RowState::Whiteout,
                    mark: None,
                })
            }
        }
    }
}

/// Substring match on the display form, ASCII case-insensitive; `needle` is already
/// ASCII-lowercased, `lower` a reused buffer.
fn matches(raw: &[u8], needle: &str, lower: &mut Vec<u8>) -> bool {
    let needle = needle.as_bytes();
    if needle.is_empty() {
        return true;
    }
    lower.clear();
    if path::is_plain(raw) {
        // Printable ASCII: the display form is the bytes themselves; no allocation.
        lower.extend(raw.iter().map(u8::to_ascii_lowercase));
    } else {
        lower.extend(path::display(raw).bytes().map(|b| b.to_ascii_lowercase()));
    }
    // Needles are short: comparing at each position is fast enough and smaller in the wasm
    // than the standard two-way searcher.
    lower.windows(needle.len()).any(|w| w == needle)
}
