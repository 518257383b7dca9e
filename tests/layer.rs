//! The layer core (`src/layer`) against archives made by Python's `tarfile` and GNU `tar`
//! (`tests/fixtures/layer/make.py` writes them and their expected listings, read back by
//! Python), compressed streams, merging, efficiency figures and hostile input.

mod common;

use std::fs;

use common::Lcg;
use manifest_explorer::layer::pipeline::{LayerRead, ReadOptions};
use manifest_explorer::layer::{
    Caps, Compression, Entry, EntryKind, Flags, LayerError, LayerReader,
};
use manifest_explorer::oci::Digest;

fn fixture(name: &str) -> Vec<u8> {
    fs::read(format!(
        "{}/tests/fixtures/layer/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".to_owned();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line in make.py's expected-listing format.
fn line(e: &Entry) -> String {
    format!(
        "{}\t{:o}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.kind.letter(),
        e.mode,
        e.uid,
        e.gid,
        e.size,
        e.mtime,
        hex(&e.path),
        e.link.as_deref().map_or("-".to_owned(), hex)
    )
}

fn read_with(bytes: &[u8], chunk: usize, opts: ReadOptions) -> Result<LayerRead, LayerError> {
    let mut reader = LayerReader::new(None, None, opts);
    for piece in bytes.chunks(chunk.max(1)) {
        reader.push(piece)?;
    }
    reader.finish()
}

fn read(bytes: &[u8]) -> Result<LayerRead, LayerError> {
    read_with(bytes, 64 * 1024, ReadOptions::default())
}

fn listing_text(read: &LayerRead) -> String {
    read.listing
        .entries
        .iter()
        .map(|e| line(e) + "\n")
        .collect()
}

#[test]
fn listings_match_python_tarfile() {
    let cases = [
        ("ustar.tar", "ustar.tar", Compression::Tar),
        ("gnu.tar", "gnu.tar", Compression::Tar),
        ("pax.tar", "pax.tar", Compression::Tar),
        ("gnutar.tar", "gnutar.tar", Compression::Tar),
        ("sparse-gnu.tar", "sparse-gnu.tar", Compression::Tar),
        ("sparse-pax.tar", "sparse-pax.tar", Compression::Tar),
        ("pax.tar.gz", "pax.tar", Compression::Gzip),
        ("pax-multi.tar.gz", "pax.tar", Compression::Gzip),
        ("pax-estargz.tar.gz", "pax.tar", Compression::Gzip),
        ("pax.tar.zst", "pax.tar", Compression::Zstd),
        ("pax-frames.tar.zst", "pax.tar", Compression::Zstd),
    ];
    for (file, tar, compression) in cases {
        let got = read(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let expected = String::from_utf8(fixture(&format!("{tar}.expected"))).unwrap();
        assert_eq!(listing_text(&got), expected, "{file}");
        assert_eq!(got.listing.compression, Some(compression), "{file}");
        // The diff_id is the SHA-256 of the uncompressed tar, whatever the compression.
        let plain = fixture(tar);
        assert_eq!(got.diff_id, Digest::sha256(&plain), "{file}");
        assert_eq!(got.listing.uncompressed_size, plain.len() as u64, "{file}");
    }
}

#[test]
fn chunk_sizes_do_not_change_the_result() {
    let mut rng = Lcg(7);
    for file in [
        "pax.tar",
        "gnu.tar",
        "pax-multi.tar.gz",
        "pax-estargz.tar.gz",
        "pax-frames.tar.zst",
        "sparse-gnu.tar",
    ] {
        let bytes = fixture(file);
        let opts = ReadOptions {
            hash_files: true,
            ..ReadOptions::default()
        };
        let whole = read_with(&bytes, bytes.len(), opts.clone()).unwrap();
        let ones = read_with(&bytes, 1, opts.clone()).unwrap();
        assert_eq!(whole, ones, "{file}: 1-byte chunks");
        // Random chunk sizes.
        let mut reader = LayerReader::new(None, None, opts);
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = (rng.below(3000) + 1).min(rest.len());
            reader.push(&rest[..n]).unwrap();
            rest = &rest[n..];
        }
        assert_eq!(reader.finish().unwrap(), whole, "{file}: random chunks");
    }
}

#[test]
fn entries_carry_kinds_flags_and_hashes() {
    let opts = ReadOptions {
        hash_files: true,
        ..ReadOptions::default()
    };
    let got = read_with(&fixture("gnu.tar"), 4096, opts.clone()).unwrap();
    let find = |p: &[u8]| {
        got.listing
            .entries
            .iter()
            .find(|e| e.path == p)
            .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(p)))
    };
    let sh = find(b"bin/sh");
    // bin/sh holds content(2, 4096) from make.py: bytes (2*7 + j) % 251.
    let body: Vec<u8> = (0..4096).map(|j| ((14 + j) % 251) as u8).collect();
    assert_eq!(sh.sha256, Some(Digest::sha256(&body)));
    assert_eq!(find(b"bin/ash").kind, EntryKind::Hardlink);
    assert_eq!(find(b"bin/dash").link.as_deref(), Some(&b"sh"[..]));
    assert!(find(b"dev/null").flags.contains(Flags::DEVICE));
    assert!(find(b"bin/caf\xe9-\xff.txt")
        .flags
        .contains(Flags::NON_UTF8));
    // lnk/long -> ../ttt…: `..` from lnk/ lands on the root, still inside.
    assert!(!find(b"lnk/long").flags.contains(Flags::LINK_ESCAPES));
    assert_eq!(find(b"old-mtime").mtime, -1000);
    assert_eq!(find(b"big-uid").uid, 10_000_000);
    let sparse = read_with(&fixture("sparse-gnu.tar"), 4096, opts).unwrap();
    let img = sparse
        .listing
        .entries
        .iter()
        .find(|e| e.path == b"var/sparse.img")
        .unwrap();
    assert!(img.flags.contains(Flags::SPARSE));
    assert_eq!(
        img.sha256, None,
        "sparse content is not reconstructed, so not hashed"
    );
}
