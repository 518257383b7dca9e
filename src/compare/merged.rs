//! [`FileFacts`] of a merged filesystem: the live version of every path of a layer
//! [`Tree`] (image-spec layer.md "Applying Changesets": whiteouts and opaque directories
//! already applied by the tree), so two images' trees can go through [`super::diff_files`].
//!
//! The root itself is left out (it has no path to compare), and so are paths whose only
//! versions are hidden (deleted or overwritten): they are not in the final image.

use super::{FileFacts, FileKind};
use crate::layer::{EntryKind, Tree};

fn kind(kind: EntryKind) -> FileKind {
    match kind {
        EntryKind::File => FileKind::Regular,
        EntryKind::Dir => FileKind::Directory,
        EntryKind::Symlink => FileKind::Symlink,
        EntryKind::Hardlink => FileKind::Hardlink,
        EntryKind::Char => FileKind::CharDevice,
        EntryKind::Block => FileKind::BlockDevice,
        EntryKind::Fifo => FileKind::Fifo,
        EntryKind::Other(_) => FileKind::Other,
    }
}

/// Every live path of `tree`, with what the entry that put it there says (its content
/// digest when the layer was read with file hashing on).
pub fn merged_facts(tree: &Tree) -> Vec<FileFacts> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    for id in 1..tree.nodes().len() as u32 {
        let Some(version) = tree.live(id) else {
            continue;
        };
        let entry = tree.entry(version.layer, version.entry);
        tree.path_into(id, &mut path);
        out.push(FileFacts {
            path: path.clone(),
            kind: kind(entry.kind),
            mode: entry.mode.into(),
            uid: entry.uid(),
            gid: entry.gid(),
            size: entry.size,
            link: entry.link().map(<[u8]>::to_vec),
            content: entry.sha256(),
            mtime: entry.mtime,
        });
    }
    out
}
