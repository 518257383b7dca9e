//! Memory of a 1,000,000-entry layer (issue 7, LAYERS.md L8: "a 1M-entry TOC ≤ 128 MiB"),
//! measured natively with a counting global allocator over `std::alloc::System`.
//!
//! A generated ustar of 1,000 directories and 999,000 empty files (`d000/f00000.txt`, as GNU
//! tar writes them: `root`/`root`, mode, mtime) is streamed through [`LayerReader`] in 64 KiB
//! chunks (the stream is never held whole: it is 0.5 to 1.5 GB); a second variant gives every
//! file a PAX `path` record (a non-ASCII name, as Python's `tarfile` and Go write one) and
//! turns file hashing on, as the compare view does. Printed: bytes requested and blocks live
//! after the listing, its peak while walking, and the same for the merged [`Tree`] of the
//! layer and its [`Index`]. Run with `-- --nocapture` to see the figures.
//!
//! The counters are process-wide: the measurements hold one lock so that they run one at a
//! time, and everything else the harness allocates meanwhile is noise of a few kB.

#[path = "tar_support/pax.rs"]
mod pax;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

use manifest_explorer::layer::pipeline::{LayerRead, ReadOptions};
use manifest_explorer::layer::tree::Tree;
use manifest_explorer::layer::view::{Index, Query};
use manifest_explorer::layer::{EntryKind, LayerReader};
use pax::pax_record;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static BLOCKS: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
            BLOCKS.fetch_add(1, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
        BLOCKS.fetch_sub(1, Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            if new_size > layout.size() {
                // A growing realloc may move, holding both blocks for a moment: counted so.
                grew(new_size);
                LIVE.fetch_sub(layout.size(), Relaxed);
            } else {
                // Shrinking is done in place.
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What a step left allocated, and the most it held at once, above the live bytes before it.
#[derive(Clone, Copy, Debug)]
struct Used {
    live: usize,
    peak: usize,
    blocks: usize,
}

fn measure<T>(step: impl FnOnce() -> T) -> (T, Used) {
    let (live, blocks) = (LIVE.load(Relaxed), BLOCKS.load(Relaxed));
    PEAK.store(live, Relaxed);
    let out = step();
    let used = Used {
        live: LIVE.load(Relaxed).saturating_sub(live),
        peak: PEAK.load(Relaxed).saturating_sub(live),
        blocks: BLOCKS.load(Relaxed).saturating_sub(blocks),
    };
    (out, used)
}

const MIB: usize = 1 << 20;
const DIRS: usize = 1000;
const FILES_PER_DIR: usize = 999;
const ENTRIES: usize = DIRS * (FILES_PER_DIR + 1);

fn octal(field: &mut [u8], n: u64) {
    let digits = field.len() - 1;
    field[..digits].copy_from_slice(format!("{n:0digits$o}").as_bytes());
    field[digits] = 0;
}

/// A ustar header block as GNU tar writes one (`ustar\0` `00`, `root`/`root`), without its
/// name and checksum: those are filled per entry ([`Template::with_name`]).
struct Template {
    block: [u8; 512],
    /// Sum of the block's bytes, the checksum field counted as spaces.
    sum: u64,
}

impl Template {
    fn new(typeflag: u8, size: u64) -> Template {
        let mut h = [0u8; 512];
        octal(
            &mut h[100..108],
            if typeflag == b'5' { 0o755 } else { 0o644 },
        );
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], size);
        octal(&mut h[136..148], 1_700_000_000);
        h[156] = typeflag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[265..269].copy_from_slice(b"root");
        h[297..301].copy_from_slice(b"root");
        h[148..156].fill(b' ');
        let sum = h.iter().map(|&b| u64::from(b)).sum();
        Template { block: h, sum }
    }

    /// The header of `name`, its checksum written as six octal digits, NUL, space (a million
    /// of these: no formatting machinery per header).
    fn with_name(&self, name: &[u8]) -> [u8; 512] {
        let mut h = self.block;
        let n = name.len().min(100);
        h[..n].copy_from_slice(&name[..n]);
        let mut sum = self.sum + name[..n].iter().map(|&b| u64::from(b)).sum::<u64>();
        for digit in h[148..154].iter_mut().rev() {
            *digit = b'0' + (sum % 8) as u8;
            sum /= 8;
        }
        h[154] = 0;
        h
    }
}

fn file_name(dir: usize, file: usize, pax: bool) -> Vec<u8> {
    if pax {
        format!("d{dir:03}/fichier-é-{file:05}.txt").into_bytes()
    } else {
        format!("d{dir:03}/f{file:05}.txt").into_bytes()
    }
}

/// Streams the generated layer through a [`LayerReader`] in 64 KiB chunks.
fn read_layer(pax: bool) -> LayerRead {
    let mut reader = LayerReader::new(
        None,
        None,
        ReadOptions {
            hash_files: pax,
            ..ReadOptions::default()
        },
    );
    let mut chunk: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut emit = |block: &[u8], reader: &mut LayerReader| {
        chunk.extend_from_slice(block);
        if chunk.len() >= 64 << 10 {
            reader.push(&chunk).expect("the generated layer reads");
            chunk.clear();
        }
    };
    let (dir_header, file_header) = (Template::new(b'5', 0), Template::new(b'0', 0));
    // Every PAX record has the same length (fixed-width names): one `x` header for all.
    let record_len = pax_record("path", &file_name(0, 0, true)).len() as u64;
    let pax_header = Template::new(b'x', record_len).with_name(b"PaxHeaders/f");
    for dir in 0..DIRS {
        emit(
            &dir_header.with_name(format!("d{dir:03}/").as_bytes()),
            &mut reader,
        );
        for file in 0..FILES_PER_DIR {
            let name = file_name(dir, file, pax);
            if pax {
                let record = pax_record("path", &name);
                let mut data = [0u8; 512];
                data[..record.len()].copy_from_slice(&record);
                emit(&pax_header, &mut reader);
                emit(&data, &mut reader);
            }
            emit(&file_header.with_name(&name), &mut reader);
        }
    }
    emit(&[0u8; 1024], &mut reader);
    reader.push(&chunk).expect("the generated layer reads");
    reader.finish().expect("the generated layer ends well")
}

fn show(what: &str, used: Used) {
    println!(
        "{what}: {:.1} MiB live in {} blocks ({:.1} bytes per entry), peak {:.1} MiB",
        used.live as f64 / MIB as f64,
        used.blocks,
        used.live as f64 / ENTRIES as f64,
        used.peak as f64 / MIB as f64,
    );
}

/// Lists, merges and indexes the generated layer; returns what each step used.
fn run(pax: bool) -> [Used; 3] {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let label = if pax {
        "PAX names, hash_files on"
    } else {
        "ustar names"
    };
    let (read, listing) = measure(|| read_layer(pax).listing);
    // The listing is what the generator wrote.
    assert_eq!(read.entries.len(), ENTRIES);
    let last = read.entries.last().expect("entries");
    assert_eq!(
        last.path(),
        &file_name(DIRS - 1, FILES_PER_DIR - 1, pax)[..]
    );
    assert_eq!(
        (last.kind, last.size, last.mtime),
        (EntryKind::File, 0, 1_700_000_000)
    );
    assert_eq!(last.uname(), b"root");
    assert_eq!(last.sha256().is_some(), pax);
    show(&format!("{label}: listing"), listing);
    let (tree, merged) = measure(|| Tree::from_layers([read]));
    assert_eq!(tree.nodes().len(), ENTRIES + 1, "every path, and the root");
    show(
        &format!("{label}: merged tree (listing not counted)"),
        merged,
    );
    let (index, indexed) = measure(|| Index::new(&tree));
    assert_eq!(index.query(&tree, &Query::default()).total, ENTRIES);
    show(&format!("{label}: view index"), indexed);
    [listing, merged, indexed]
}

/// The target, as a property: a million entries listed in at most 128 MiB. Above
/// it, a worker listing one such layer has little room left in its 256 MiB for the tree and
/// index it builds over the listing, and none for a second layer.
#[test]
fn a_million_entry_listing_stays_under_128_mib() {
    // Both variants measured (and printed) before either is judged.
    for (pax, [listing, merged, indexed]) in [false, true].map(|pax| (pax, run(pax))) {
        assert!(
            listing.live <= 128 * MIB,
            "listing of {ENTRIES} entries (pax: {pax}) holds {} bytes",
            listing.live
        );
        // What the worker holds for a listed layer it shows: listing, tree and index.
        let total = listing.live + merged.live + indexed.live;
        assert!(
            total <= 256 * MIB,
            "listing, tree and index of {ENTRIES} entries (pax: {pax}) hold {total} bytes"
        );
    }
}
