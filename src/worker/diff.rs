//! The layer worker's file diff ([`crate::jobs::Request::DiffFiles`]): the pure `compare`
//! core over the merged trees of two images, each the open layers of its keys. It lives in
//! the layer worker because it needs that worker's store of trees anyway.

use super::store::Store;
use crate::compare::{diff_files, merged_facts, FileFacts, FileOptions};
use crate::jobs::{self, Reply};
use crate::layer::path::display;

/// The file diff of two images, each the open layers of its keys.
pub fn file_diff(
    store: &Store,
    job: u32,
    left: &[String],
    right: &[String],
    compare_mtime: bool,
    limit: u32,
) -> Result<Reply, String> {
    let facts =
        |keys: &[String]| -> Result<_, String> { Ok(merged_facts(&store.build_tree(keys)?)) };
    let d = diff_files(facts(left)?, facts(right)?, FileOptions { compare_mtime });
    let side = |f: &FileFacts| jobs::FileSide {
        kind: f.kind.letter(),
        mode: f.mode,
        uid: f.uid,
        gid: f.gid,
        size: f.size,
        link: f.link.as_deref().map(display),
        content: f.content.clone(),
    };
    // All three lists by size change (|Δ| for a changed file, the size of an added or
    // removed one), largest first, as one list.
    let mut rows: Vec<(u64, jobs::DiffRow)> = Vec::new();
    let row = |f: &FileFacts, left, right, changed| jobs::DiffRow {
        path: f.path.clone(),
        shown: display(&f.path),
        left,
        right,
        changed,
    };
    rows.extend(
        d.added
            .iter()
            .map(|f| (f.size, row(f, None, Some(side(f)), Vec::new()))),
    );
    rows.extend(
        d.removed
            .iter()
            .map(|f| (f.size, row(f, Some(side(f)), None, Vec::new()))),
    );
    rows.extend(d.changed.iter().map(|c| {
        let names = c.changed.iter().map(|a| a.name().to_owned()).collect();
        let delta = c.size_delta().unsigned_abs();
        let delta = u64::try_from(delta).unwrap_or(u64::MAX);
        (
            delta,
            row(&c.left, Some(side(&c.left)), Some(side(&c.right)), names),
        )
    }));
    // One sort of the three lists together (each path is in one list only, so the order
    // is total and an unstable sort is deterministic; it is also less code than three
    // stable ones in a worker at its size budget).
    rows.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.path.cmp(&b.1.path)));
    rows.truncate(limit as usize);
    let delta = d
        .size_delta()
        .clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    Ok(Reply::FileDiff {
        job,
        diff: jobs::FileDiffMsg {
            added: d.added.len() as u64,
            removed: d.removed.len() as u64,
            changed: d.changed.len() as u64,
            unchanged: d.unchanged as u64,
            added_bytes: d.added_bytes(),
            removed_bytes: d.removed_bytes(),
            delta: delta as i64,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
        },
    })
}
