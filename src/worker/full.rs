//! The full worker's extras (`src/bin/fullworker.rs`, started by the compare and archive
//! modules): image archives from disk ([`archives`](super::archives)) and the file diff of two
//! merged filesystems (the pure `compare` core). Only this binary names [`FullWorker`], so the
//! layer worker links none of it.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

use super::archives::Archives;
use super::store::Store;
use super::{Extras, STATE};
use crate::compare::{diff_files, merged_facts, FileFacts, FileOptions};
use crate::jobs::{self, Reply};
use crate::layer::path::display;
use crate::oci::Digest;

thread_local! {
    static ARCHIVES: RefCell<Archives> = RefCell::new(Archives::default());
}

/// Layers, archives from disk and the file diff.
pub enum FullWorker {}

impl Extras for FullWorker {
    fn open_archive(
        job: u32,
        key: String,
        paths: Vec<String>,
        files: JsValue,
    ) -> Result<Reply, String> {
        ARCHIVES.with(|a| a.borrow_mut().open(job, key, paths, files))
    }

    fn read_document(job: u32, archive: &str, digest: &Digest) -> Result<(Reply, Vec<u8>), String> {
        ARCHIVES.with(|a| a.borrow().document(job, archive, digest))
    }

    fn archive_blob(archive: &str, digest: &Digest) -> Result<JsValue, String> {
        ARCHIVES.with(|a| a.borrow().slice(archive, digest))
    }

    fn diff_files(
        job: u32,
        left: &[String],
        right: &[String],
        compare_mtime: bool,
        limit: u32,
    ) -> Result<Reply, String> {
        STATE.with(|s| file_diff(&s.borrow().store, job, left, right, compare_mtime, limit))
    }
}

/// The file diff of two images, each the open layers of its keys.
fn file_diff(
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
