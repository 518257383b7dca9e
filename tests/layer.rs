//! The layer core (`src/layer`) against archives made by Python's `tarfile` and GNU `tar`
//! (`tests/fixtures/layer/make.py` writes them and their expected listings, read back by
//! Python), compressed streams, merging, efficiency figures and hostile input.

mod common;
#[path = "tar_support/pax.rs"]
mod pax;

use std::fs;

use common::Lcg;
use manifest_explorer::layer::pipeline::{LayerRead, ReadOptions};
use manifest_explorer::layer::{
    Caps, Compression, Entry, EntryKind, Flags, LayerError, LayerReader,
};
use manifest_explorer::oci::Digest;
use pax::pax_record;

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
        "{}\t{:o}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.kind.letter(),
        e.mode,
        e.uid(),
        e.gid(),
        e.size,
        e.mtime,
        hex(e.path()),
        e.link().map_or("-".to_owned(), hex),
        e.data_offset
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
        assert_eq!(got.listing.compression, compression, "{file}");
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
            .find(|e| e.path() == p)
            .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(p)))
    };
    let sh = find(b"bin/sh");
    // bin/sh holds content(2, 4096) from make.py: bytes (2*7 + j) % 251.
    let body: Vec<u8> = (0..4096).map(|j| ((14 + j) % 251) as u8).collect();
    assert_eq!(sh.sha256(), Some(Digest::sha256(&body)));
    assert_eq!(find(b"bin/ash").kind, EntryKind::Hardlink);
    assert_eq!(find(b"bin/dash").link(), Some(&b"sh"[..]));
    assert!(find(b"dev/null").flags.contains(Flags::DEVICE));
    assert!(find(b"bin/caf\xe9-\xff.txt")
        .flags
        .contains(Flags::NON_UTF8));
    // lnk/long -> ../ttt…: `..` from lnk/ lands on the root, still inside.
    assert!(!find(b"lnk/long").flags.contains(Flags::LINK_ESCAPES));
    assert_eq!(find(b"old-mtime").mtime, -1000);
    assert_eq!(find(b"big-uid").uid(), 10_000_000);
    let sparse = read_with(&fixture("sparse-gnu.tar"), 4096, opts).unwrap();
    let img = sparse
        .listing
        .entries
        .iter()
        .find(|e| e.path() == b"var/sparse.img")
        .unwrap();
    assert!(img.flags.contains(Flags::SPARSE));
    assert_eq!(
        img.sha256(),
        None,
        "sparse content is not reconstructed, so not hashed"
    );
}

// ---------------------------------------------------------------- hand-made tar headers

/// A raw 512-byte header (ustar magic) with the checksum filled in; `size` is the raw
/// 12-byte field so tests can put malformed numbers in it.
fn header_raw(name: &[u8], typeflag: u8, size: [u8; 12], link: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(&size);
    h[136..148].copy_from_slice(b"14000000000\0");
    h[156] = typeflag;
    h[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn octal12(n: u64) -> [u8; 12] {
    let mut f = [0u8; 12];
    f[..11].copy_from_slice(format!("{n:011o}").as_bytes());
    f
}

/// `(name, typeflag, data, link)`.
type Member<'a> = (&'a [u8], u8, &'a [u8], &'a [u8]);
/// Which error a hostile case must give.
type Check = fn(&LayerError) -> bool;

/// A tar of members plus the end-of-archive marker.
fn tar(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, typeflag, data, link) in members {
        out.extend(header_raw(
            name,
            *typeflag,
            octal12(data.len() as u64),
            link,
        ));
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// Appends a meta entry (PAX `x`/`g`, GNU `L`/`K`): its header, its payload, padding to a block.
fn push_meta(t: &mut Vec<u8>, name: &[u8], typeflag: u8, payload: &[u8]) {
    t.extend(header_raw(
        name,
        typeflag,
        octal12(payload.len() as u64),
        b"",
    ));
    t.extend_from_slice(payload);
    t.resize(t.len().div_ceil(512) * 512, 0);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn err(bytes: &[u8], caps: Caps) -> LayerError {
    read_with(
        bytes,
        64 * 1024,
        ReadOptions {
            caps,
            ..ReadOptions::default()
        },
    )
    .err()
    .unwrap_or_else(|| panic!("expected an error"))
}

#[test]
fn hand_made_tar_edge_cases() {
    // PAX size wins over the header size (CVE-2026-33055 shape): the header says 0, the PAX
    // record 5, so 5 bytes of data follow and the next header is found after them.
    let mut t = Vec::new();
    push_meta(&mut t, b"PaxHeader", b'x', &pax_record("size", b"5"));
    t.extend(header_raw(b"five", b'0', octal12(0), b""));
    t.extend(b"12345");
    t.resize(2048, 0);
    t.extend(header_raw(b"after", b'0', octal12(0), b""));
    t.resize(t.len() + 1024, 0);
    let got = read(&t).unwrap();
    let names: Vec<(&[u8], u64)> = got
        .listing
        .entries
        .iter()
        .map(|e| (e.path(), e.size))
        .collect();
    assert_eq!(names, vec![(&b"five"[..], 5), (&b"after"[..], 0)]);
    assert_eq!(got.listing.entries[0].data_offset, 1536);
    assert_eq!(got.listing.entries[0].header_offset, 0);

    // An `x` record followed by an `L`: the PAX path applies to the file, not to the L
    // header (GHSA-3pv8-6f4r-ffg2 shape); L then overrides it, as in Go.
    let mut t = Vec::new();
    push_meta(&mut t, b"PaxHeader", b'x', &pax_record("path", b"from-pax"));
    push_meta(&mut t, b"././@LongLink", b'L', b"from-gnu\0");
    t.extend(header_raw(b"short", b'0', octal12(0), b""));
    t.resize(t.len() + 1024, 0);
    let got = read(&t).unwrap();
    assert_eq!(got.listing.entries.len(), 1);
    assert_eq!(got.listing.entries[0].path(), b"from-gnu");

    // Paths: absolute, `..`, links escaping, duplicates.
    let t = tar(&[
        (b"/etc/passwd", b'0', b"x", b""),
        (b"a/../../up", b'0', b"", b""),
        (b"a/b", b'2', b"", b"../../etc"),
        (b"a/c", b'2', b"", b"/etc/ok"),
        (b"h", b'1', b"", b"/etc/shadow"),
        (b"./dup", b'0', b"1", b""),
        (b"dup/", b'5', b"", b""),
    ]);
    let got = read(&t).unwrap();
    let flags: Vec<(&[u8], Flags)> = got
        .listing
        .entries
        .iter()
        .map(|e| (e.path(), e.flags))
        .collect();
    let has = |i: usize, f: Flags| flags[i].1.contains(f);
    assert_eq!(flags[0].0, b"etc/passwd");
    assert!(has(0, Flags::ABSOLUTE));
    assert!(has(1, Flags::DOTDOT) && !has(1, Flags::ABSOLUTE));
    assert!(
        has(2, Flags::LINK_ESCAPES),
        "a/b -> ../../etc climbs above the root"
    );
    assert!(
        !has(3, Flags::LINK_ESCAPES),
        "absolute symlinks resolve inside the image"
    );
    assert!(
        has(4, Flags::LINK_ESCAPES),
        "a hard link to an absolute path"
    );
    assert!(!has(5, Flags::DUPLICATE) && has(6, Flags::DUPLICATE));
    assert_eq!(got.listing.entries[6].kind, EntryKind::Dir);

    // No end-of-archive marker: accepted (as Go and GNU tar do), with a warning.
    let t = header_raw(b"f", b'0', octal12(0), b"");
    let got = read(&t).unwrap();
    assert_eq!(got.listing.entries.len(), 1);
    assert_eq!(got.listing.warnings.len(), 1);
}

#[test]
fn hostile_tar_headers_are_named_errors() {
    let caps = Caps::default();
    let mut base256_negative = [0xffu8; 12];
    base256_negative[11] = 0xfe;
    let mut base256_overflow = [0xffu8; 12];
    base256_overflow[0] = 0x80;
    let big_pax = {
        let mut t = header_raw(b"PaxHeader", b'x', octal12(2 << 20), b"");
        t.resize(4096, 0);
        t
    };
    let big_l = header_raw(b"././@LongLink", b'L', octal12((1 << 20) + 1), b"");
    let bad_checksum = {
        let mut t = tar(&[(b"one", b'0', b"", b""), (b"two", b'0', b"", b"")]);
        t[512] = b'X';
        t
    };
    let cases: Vec<(&str, Vec<u8>, Caps, Check)> = vec![
        (
            "negative size",
            header_raw(b"n", b'0', base256_negative, b""),
            caps,
            |e| {
                matches!(
                    e,
                    LayerError::NegativeNumber {
                        field: "size",
                        value: -2,
                        ..
                    }
                )
            },
        ),
        (
            "overflowing size",
            header_raw(b"n", b'0', base256_overflow, b""),
            caps,
            |e| matches!(e, LayerError::NumberOverflow { field: "size", .. }),
        ),
        (
            "non-octal size",
            header_raw(b"n", b'0', *b"12a45670000\0", b""),
            caps,
            |e| matches!(e, LayerError::BadNumber { field: "size", .. }),
        ),
        (
            "PAX record over 1 MiB",
            big_pax,
            caps,
            |e| matches!(e, LayerError::RecordTooLarge { kind: "PAX x", size, cap, .. } if *size == 2 << 20 && *cap == 1 << 20),
        ),
        ("GNU L record over 1 MiB", big_l, caps, |e| {
            matches!(
                e,
                LayerError::RecordTooLarge {
                    kind: "GNU L (long name)",
                    ..
                }
            )
        }),
        (
            "too many entries",
            fixture("ustar.tar"),
            Caps {
                max_entries: 3,
                ..caps
            },
            |e| matches!(e, LayerError::TooManyEntries { cap: 3 }),
        ),
        (
            "metadata total",
            fixture("pax.tar"),
            Caps {
                max_metadata: 600,
                ..caps
            },
            |e| matches!(e, LayerError::MetadataTooLarge { cap: 600, .. }),
        ),
        ("bad header checksum", bad_checksum, caps, |e| {
            matches!(e, LayerError::TarChecksum { offset: 512, .. })
        }),
        ("not a tar", b"<html>hello</html>".repeat(100), caps, |e| {
            matches!(e, LayerError::NotTar { .. })
        }),
        (
            "truncated data",
            fixture("pax.tar")[..700].to_vec(),
            caps,
            |e| matches!(e, LayerError::TruncatedTar { .. }),
        ),
        (
            "truncated header",
            fixture("pax.tar")[..100].to_vec(),
            caps,
            |e| {
                matches!(
                    e,
                    LayerError::TruncatedTar {
                        what: "inside a header",
                        ..
                    }
                )
            },
        ),
        (
            "trailing garbage",
            [fixture("pax.tar"), b"junk".to_vec()].concat(),
            caps,
            |e| {
                matches!(
                    e,
                    LayerError::TrailingGarbage {
                        what: "tar archive",
                        offset: 30720,
                        first: b'j'
                    }
                )
            },
        ),
        (
            "bad PAX record",
            {
                let mut t = Vec::new();
                push_meta(&mut t, b"PaxHeader", b'x', b"12 path=abc\n9 x\n");
                t.extend(tar(&[(b"f", b'0', b"", b"")]));
                t
            },
            caps,
            |e| matches!(e, LayerError::BadPax { .. }),
        ),
        (
            "meta header then end",
            {
                let mut t = header_raw(b"././@LongLink", b'L', octal12(3), b"");
                t.extend(b"abc");
                t.resize(2048, 0);
                t
            },
            caps,
            |e| matches!(e, LayerError::TruncatedTar { .. }),
        ),
    ];
    for (name, bytes, caps, check) in cases {
        let e = err(&bytes, caps);
        assert!(check(&e), "{name}: got {e:?}");
        // Every error names something: the message is not empty.
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn hostile_compressed_streams_are_named_errors() {
    let caps = Caps::default();
    let gz = fixture("pax.tar.gz");
    let zst = fixture("pax.tar.zst");
    let n = gz.len();
    let mut bad_crc = gz.clone();
    bad_crc[n - 8] ^= 1;
    let mut bad_isize = gz.clone();
    bad_isize[n - 1] ^= 1;
    let mut bad_zstd_sum = zst.clone();
    let z = zst.len();
    bad_zstd_sum[z - 1] ^= 1;
    // A frame whose window descriptor asks for 128 MiB (exponent 17 → 2^27), and the 9-byte
    // single-segment frame declaring a 512 MiB window (content size).
    let mut window_128m = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 17 << 3];
    window_128m.extend([0x01, 0x00, 0x00]); // an empty raw last block
    let mut single_512m = vec![0x28, 0xb5, 0x2f, 0xfd, 0xa0];
    single_512m.extend((512u32 << 20).to_le_bytes());
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        ("bad CRC", bad_crc, |e| {
            matches!(e, LayerError::GzipCrc { member: 1, .. })
        }),
        ("bad ISIZE", bad_isize, |e| {
            matches!(e, LayerError::GzipSize { member: 1, .. })
        }),
        ("truncated gzip", gz[..n / 2].to_vec(), |e| {
            matches!(e, LayerError::TruncatedGzip { .. })
        }),
        ("truncated gzip trailer", gz[..n - 3].to_vec(), |e| {
            matches!(e, LayerError::TruncatedGzip { .. })
        }),
        (
            "garbage after gzip",
            [gz.clone(), b"junk".to_vec()].concat(),
            |e| {
                matches!(
                    e,
                    LayerError::TrailingGarbage {
                        what: "last gzip member",
                        first: b'j',
                        ..
                    }
                )
            },
        ),
        (
            "zeros after gzip",
            [gz.clone(), vec![0; 10]].concat(),
            |e| matches!(e, LayerError::TrailingGarbage { first: 0, .. }),
        ),
        (
            "corrupt deflate",
            {
                let mut g = gz.clone();
                g[12] = 0xff;
                g[13] = 0xff;
                g
            },
            |e| matches!(e, LayerError::Deflate { .. } | LayerError::GzipCrc { .. }),
        ),
        ("bad zstd checksum", bad_zstd_sum, |e| {
            matches!(e, LayerError::ZstdChecksum { frame: 1, .. })
        }),
        ("truncated zstd", zst[..z / 2].to_vec(), |e| {
            matches!(e, LayerError::TruncatedZstd { .. })
        }),
        (
            "garbage after zstd",
            [zst.clone(), b"junk".to_vec()].concat(),
            |e| {
                matches!(
                    e,
                    LayerError::TrailingGarbage {
                        what: "last zstd frame",
                        ..
                    }
                )
            },
        ),
        (
            "zstd window 128 MiB",
            window_128m,
            |e| matches!(e, LayerError::ZstdWindowTooLarge { window, cap, .. } if *window == 128 << 20 && *cap == 64 << 20),
        ),
        (
            "zstd 9-byte frame, 512 MiB",
            single_512m,
            |e| matches!(e, LayerError::ZstdWindowTooLarge { window, .. } if *window == 512 << 20),
        ),
    ];
    for (name, bytes, check) in cases {
        let e = err(&bytes, caps);
        assert!(check(&e), "{name}: got {e:?}");
    }
}

#[test]
fn bombs_stop_at_their_cap_after_bounded_work() {
    for file in ["bomb.gz", "bomb.zst"] {
        let bytes = fixture(file);
        // Output cap.
        let caps = Caps {
            max_output: 4 << 20,
            ..Caps::default()
        };
        let mut reader = LayerReader::new(
            None,
            None,
            ReadOptions {
                caps,
                ..ReadOptions::default()
            },
        );
        let e = bytes
            .chunks(1024)
            .try_for_each(|c| reader.push(c))
            .unwrap_err();
        assert_eq!(e, LayerError::OutputTooLarge { cap: 4 << 20 }, "{file}");
        let (_, out, _) = reader.progress();
        assert!(
            out <= (4 << 20) + 64 * 1024,
            "{file}: {out} bytes decompressed before stopping"
        );
        // Ratio cap, enforced above a (lowered) grace.
        let caps = Caps {
            ratio_grace: 2 << 20,
            ..Caps::default()
        };
        let mut reader = LayerReader::new(
            None,
            None,
            ReadOptions {
                caps,
                ..ReadOptions::default()
            },
        );
        let e = bytes
            .chunks(1024)
            .try_for_each(|c| reader.push(c))
            .unwrap_err();
        assert!(
            matches!(e, LayerError::RatioTooHigh { cap: 1000, .. }),
            "{file}: {e:?}"
        );
        let (_, out, _) = reader.progress();
        assert!(out <= (2 << 20) + 256 * 1024, "{file}: {out}");
    }
}

#[test]
fn digest_and_diff_id_verdicts() {
    use manifest_explorer::layer::DigestVerdict;
    use manifest_explorer::oci::VerifyError;
    let gz = fixture("pax.tar.gz");
    let digest = Digest::sha256(&gz);
    let diff_id = Digest::sha256(&fixture("pax.tar"));
    let size = gz.len() as u64;
    let run = |expected: Option<(Digest, u64)>, diff: Option<Digest>| {
        let mut r = LayerReader::new(expected, diff, ReadOptions::default());
        gz.chunks(100).try_for_each(|c| r.push(c))?;
        r.finish()
    };
    let ok = run(Some((digest.clone(), size)), Some(diff_id.clone())).unwrap();
    assert_eq!(ok.digest, DigestVerdict::Verified(digest.clone()));
    assert_eq!(ok.diff_id_matches, Some(true));
    let unverified = run(None, Some(digest.clone())).unwrap();
    assert_eq!(unverified.digest, DigestVerdict::Unverified(digest.clone()));
    assert_eq!(
        unverified.diff_id_matches,
        Some(false),
        "the blob digest is not the diff_id"
    );
    let other = Digest::sha256(b"other");
    assert!(matches!(
        run(Some((other, size)), None),
        Err(LayerError::Verify(VerifyError::DigestMismatch { .. }))
    ));
    assert!(matches!(
        run(Some((digest.clone(), size + 1)), None),
        Err(LayerError::Verify(VerifyError::SizeMismatch { .. }))
    ));
    // Other bytes than the blob (here: not even a tar): a digest mismatch, not "not a tar",
    // when there is a digest to compare with; without one, the decoding error.
    let html = b"<html>not the layer</html>".repeat(100);
    let mut r = LayerReader::new(
        Some((digest.clone(), html.len() as u64)),
        None,
        ReadOptions::default(),
    );
    html.chunks(700).try_for_each(|c| r.push(c)).unwrap();
    assert!(matches!(r.held_error(), Some(LayerError::NotTar { .. })));
    assert!(matches!(
        r.finish(),
        Err(LayerError::Verify(VerifyError::DigestMismatch { .. }))
    ));
    let html_digest = Digest::sha256(&html);
    let mut r = LayerReader::new(
        Some((html_digest, html.len() as u64)),
        None,
        ReadOptions::default(),
    );
    html.chunks(700).try_for_each(|c| r.push(c)).unwrap();
    assert!(
        matches!(r.finish(), Err(LayerError::NotTar { .. })),
        "verified bytes, not a tar"
    );
    assert!(matches!(read(&html), Err(LayerError::NotTar { .. })));
    // Over-read: stops at the push that crosses the size.
    let mut r = LayerReader::new(Some((digest, size - 10)), None, ReadOptions::default());
    let e = gz.chunks(100).try_for_each(|c| r.push(c)).unwrap_err();
    assert!(
        matches!(e, LayerError::Verify(VerifyError::TooLarge { .. })),
        "{e:?}"
    );
}

#[test]
fn capture_one_entry() {
    use manifest_explorer::layer::{Capture, CaptureTarget};
    let bytes = fixture("pax.tar.zst");
    let body: Vec<u8> = (0..4096).map(|j| ((14 + j) % 251) as u8).collect();
    let cases = [
        (
            CaptureTarget::Path(b"bin/sh".to_vec()),
            100_000,
            Some(body.clone()),
        ),
        (
            CaptureTarget::Path(b"bin/sh".to_vec()),
            10,
            Some(body[..10].to_vec()),
        ),
        (
            CaptureTarget::Path(b"etc/hostname".to_vec()),
            100,
            Some(b"layer\n".to_vec()),
        ),
        (CaptureTarget::Path(b"nope".to_vec()), 100, None),
        (CaptureTarget::Index(2), 100, Some(b"layer\n".to_vec())),
    ];
    for (target, max, expected) in cases {
        let opts = ReadOptions {
            capture: Some(Capture {
                target: target.clone(),
                max,
            }),
            ..ReadOptions::default()
        };
        let got = read_with(&bytes, 333, opts).unwrap();
        assert_eq!(got.captured, expected, "{target:?} {max}");
    }
}

// ---------------------------------------------------------------- merging, changes, figures

use manifest_explorer::layer::changes::{efficiency, layer_changes, LayerChanges};
use manifest_explorer::layer::tree::{LinkError, Status, Tree};
use manifest_explorer::layer::view::{Index, Mark, Query, RowState, Scope, Sort};
use manifest_explorer::layer::Listing;

/// An entry from a short spec: `"path"` (file), `"path/"` (dir), `"path -> target"`
/// (symlink); `size` for files.
fn ent(spec: &str, size: u64) -> Entry {
    let (name, link) = match spec.split_once(" -> ") {
        Some((n, l)) => (n, Some(l.as_bytes())),
        None => (spec, None),
    };
    let kind = if link.is_some() {
        EntryKind::Symlink
    } else if name.ends_with('/') {
        EntryKind::Dir
    } else {
        EntryKind::File
    };
    let mut e = Entry::new(
        kind,
        name.trim_end_matches('/').as_bytes(),
        link,
        Default::default(),
    );
    e.mode = 0o644;
    e.size = if kind == EntryKind::File { size } else { 0 };
    e
}

fn layer(entries: &[(&str, u64)]) -> Listing {
    Listing {
        entries: entries.iter().map(|(s, n)| ent(s, *n)).collect(),
        ..Listing::default()
    }
}

/// `(layer, status)` of every version of `path`, lowest first.
fn history(tree: &Tree, path: &str) -> Vec<(u32, Status)> {
    let id = tree
        .lookup(path.as_bytes())
        .unwrap_or_else(|| panic!("no node {path}"));
    tree.versions_of(id).map(|v| (v.layer, v.status)).collect()
}

/// Paths live in the final tree, sorted.
fn live_paths(tree: &Tree) -> Vec<String> {
    let index = Index::new(tree);
    let page = index.query(
        tree,
        &Query {
            limit: usize::MAX,
            ..Query::default()
        },
    );
    page.rows
        .iter()
        .map(|r| String::from_utf8(tree.path(r.node)).unwrap())
        .collect()
}

const LIVE: Status = Status::Live;
fn over(by: u32) -> Status {
    Status::Overwritten { by }
}
fn del(by: u32) -> Status {
    Status::Deleted { by }
}

struct MergeCase {
    name: &'static str,
    layers: Vec<Vec<(&'static str, u64)>>,
    live: Vec<&'static str>,
    histories: Vec<(&'static str, Vec<(u32, Status)>)>,
}

#[test]
fn whiteouts_opaque_dirs_and_collisions() {
    let cases = vec![
        MergeCase {
            name: "whiteout deletes a lower file; a file overwrites a file",
            layers: vec![
                vec![("a/", 0), ("a/x", 10), ("a/y", 20), ("b", 5)],
                vec![("a/.wh.x", 0), ("b", 7)],
            ],
            live: vec!["a", "a/y", "b"],
            histories: vec![
                ("a/x", vec![(0, del(1))]),
                ("b", vec![(0, over(1)), (1, LIVE)]),
            ],
        },
        MergeCase {
            name: "opaque dir hides lower children, applies first wherever it sits",
            layers: vec![
                vec![("d/", 0), ("d/1", 3), ("d/sub/2", 4), ("e", 1)],
                vec![("d/3", 2), ("d/.wh..wh..opq", 0)],
            ],
            live: vec!["d", "d/3", "e"],
            histories: vec![
                ("d/1", vec![(0, del(1))]),
                ("d/sub/2", vec![(0, del(1))]),
                ("d/3", vec![(1, LIVE)]),
            ],
        },
        MergeCase {
            name: "a whiteout never hides its own layer's file",
            layers: vec![vec![("f", 5)], vec![("f", 1), (".wh.f", 0)]],
            live: vec!["f"],
            histories: vec![("f", vec![(0, del(1)), (1, LIVE)])],
        },
        MergeCase {
            name: "file over dir hides the whole lower subtree",
            layers: vec![vec![("x/", 0), ("x/a", 1), ("x/b/c", 2)], vec![("x", 9)]],
            live: vec!["x"],
            histories: vec![
                ("x", vec![(0, over(1)), (1, LIVE)]),
                ("x/a", vec![(0, del(1))]),
                ("x/b/c", vec![(0, del(1))]),
            ],
        },
        MergeCase {
            name: "dir over dir replaces attributes only",
            layers: vec![vec![("x/", 0), ("x/a", 1)], vec![("x/", 0)]],
            live: vec!["x", "x/a"],
            histories: vec![
                ("x", vec![(0, over(1)), (1, LIVE)]),
                ("x/a", vec![(0, LIVE)]),
            ],
        },
        MergeCase {
            name: "dir over file",
            layers: vec![vec![("y", 3)], vec![("y/", 0), ("y/z", 1)]],
            live: vec!["y", "y/z"],
            histories: vec![("y", vec![(0, over(1)), (1, LIVE)])],
        },
        MergeCase {
            name: "an entry under a lower file replaces the file by a directory",
            layers: vec![vec![("p", 2)], vec![("p/q", 1)]],
            live: vec!["p/q"],
            histories: vec![("p", vec![(0, del(1))])],
        },
        MergeCase {
            name: "duplicate in one layer: the later copy wins",
            layers: vec![vec![("f", 1), ("f", 2)]],
            live: vec!["f"],
            histories: vec![("f", vec![(0, over(0)), (0, LIVE)])],
        },
        MergeCase {
            name: "whiteout of a directory deletes its subtree; then re-added",
            layers: vec![
                vec![("w/", 0), ("w/a", 4), ("w/b/c", 6)],
                vec![(".wh.w", 0)],
                vec![("w/a", 1)],
            ],
            live: vec!["w/a"],
            histories: vec![
                ("w", vec![(0, del(1))]),
                ("w/a", vec![(0, del(1)), (2, LIVE)]),
                ("w/b/c", vec![(0, del(1))]),
            ],
        },
        MergeCase {
            name:
                "whiteout 'loops' and odd names: meta names ignored, a whiteout is never a target",
            layers: vec![
                vec![("k", 1), (".wh.k2", 0)],
                vec![
                    (".wh..wh..wh.k", 0),
                    (".wh..wh.plnk", 0),
                    ("a/.wh.", 0),
                    (".wh...", 0),
                    (".wh..wh.k2", 0),
                ],
                vec![(".wh.nothing-there", 0)],
            ],
            live: vec!["k"],
            histories: vec![("k", vec![(0, LIVE)])],
        },
        MergeCase {
            name: "`..` in names is cleaned lexically and stops at the root",
            layers: vec![
                vec![("etc/passwd", 1)],
                vec![("../../etc/passwd", 2), ("a/../b", 3)],
            ],
            live: vec!["b", "etc/passwd"],
            histories: vec![
                ("etc/passwd", vec![(0, over(1)), (1, LIVE)]),
                ("b", vec![(1, LIVE)]),
            ],
        },
    ];
    for case in cases {
        let tree = Tree::from_layers(case.layers.iter().map(|l| layer(l)));
        let mut live = live_paths(&tree);
        // Implicit directories (no entry) are not rows: compare with the expected set of
        // entries, whose parents may be implicit.
        live.retain(|p| tree.live(tree.lookup(p.as_bytes()).unwrap()).is_some());
        assert_eq!(live, case.live, "{}", case.name);
        for (path, expected) in &case.histories {
            assert_eq!(&history(&tree, path), expected, "{}: {path}", case.name);
        }
    }
}

#[test]
fn changes_and_efficiency_figures() {
    // Layer 0: a/ a/x(10) a/y(20) b(5)
    // Layer 1: a/.wh.x, b(7), c(3)
    // Layer 2: c(3) again, d(0)
    let tree = Tree::from_layers([
        layer(&[("a/", 0), ("a/x", 10), ("a/y", 20), ("b", 5)]),
        layer(&[("a/.wh.x", 0), ("b", 7), ("c", 3)]),
        layer(&[("c", 3), ("d", 0)]),
    ]);
    let changes = layer_changes(&tree);
    let expect = [
        LayerChanges {
            added: 4,
            added_bytes: 35,
            wasted_bytes: 15, // a/x (deleted) + b (overwritten)
            ..LayerChanges::default()
        },
        LayerChanges {
            added: 1,
            added_bytes: 3,
            modified: 1,
            modified_bytes: 7,
            removed: 1,
            removed_bytes: 10,
            wasted_bytes: 3, // c, overwritten in layer 2
            hidden_bytes: 15,
            whiteouts: 1,
        },
        LayerChanges {
            added: 1,
            modified: 1,
            modified_bytes: 3,
            hidden_bytes: 3,
            ..LayerChanges::default()
        },
    ];
    assert_eq!(changes, expect);

    let eff = efficiency(&tree);
    // Copies per path: a:[0] a/x:[10, deleted→0] a/y:[20] b:[5,7] c:[3,3] d:[0]
    // Σ all = 0+10+20+12+6+0 = 48; Σ smallest = 0+0+20+5+3+0 = 28; 28/48 = 0.583333…
    assert_eq!(eff.total_bytes, 48);
    assert_eq!(eff.minimal_bytes, 28);
    assert_eq!(eff.score_ppm, 583_333);
    // Reclaimable: a/x 10 + b 5 + c 3 (not dive's 10+12+6).
    assert_eq!(eff.reclaimable_bytes, 18);
    type Copies = Vec<(u32, u64)>;
    let culprits: Vec<(String, u64, Copies)> = eff
        .culprits
        .iter()
        .map(|c| {
            (
                String::from_utf8(tree.path(c.node)).unwrap(),
                c.reclaimable,
                c.copies.iter().map(|k| (k.layer, k.size)).collect(),
            )
        })
        .collect();
    assert_eq!(
        culprits,
        vec![
            ("a/x".to_owned(), 10, vec![(0, 10)]),
            ("b".to_owned(), 5, vec![(0, 5), (1, 7)]),
            ("c".to_owned(), 3, vec![(1, 3), (2, 3)]),
        ]
    );
    // Nothing at all: a perfect score, not a division by zero.
    let empty = efficiency(&Tree::from_layers([layer(&[("e/", 0)])]));
    assert_eq!((empty.score_ppm, empty.reclaimable_bytes), (1_000_000, 0));
}

#[test]
fn views_filter_sort_and_page() {
    let tree = Tree::from_layers([
        layer(&[
            ("usr/", 0),
            ("usr/bin/", 0),
            ("usr/bin/Sh", 100),
            ("usr/lib/libc.so", 900),
            ("etc/passwd", 50),
        ]),
        layer(&[("usr/bin/.wh.Sh", 0), ("etc/passwd", 60), ("tmp/big", 1000)]),
    ]);
    let index = Index::new(&tree);
    type Shown = (String, u32, RowState, Option<Mark>);
    let rows = |q: Query| -> (usize, Vec<Shown>) {
        let page = index.query(&tree, &q);
        let rows = page
            .rows
            .iter()
            .map(|r| {
                let e = tree.entry(r.layer, r.entry);
                (
                    String::from_utf8(e.path().to_vec()).unwrap(),
                    r.layer,
                    r.state,
                    r.mark,
                )
            })
            .collect();
        (page.total, rows)
    };
    let all = Query {
        limit: 100,
        ..Query::default()
    };
    // Merged, live only, by path; marks are for the last layer.
    assert_eq!(
        rows(all.clone()),
        (
            5,
            vec![
                ("etc/passwd".into(), 1, RowState::Live, Some(Mark::Modified)),
                ("tmp/big".into(), 1, RowState::Live, Some(Mark::Added)),
                ("usr".into(), 0, RowState::Live, None),
                ("usr/bin".into(), 0, RowState::Live, None),
                ("usr/lib/libc.so".into(), 0, RowState::Live, None),
            ]
        )
    );
    // Size order, everything shown, second page of two.
    let q = Query {
        sort: Sort::SizeDesc,
        include_deleted: true,
        include_overwritten: true,
        include_whiteouts: true,
        offset: 2,
        limit: 2,
        ..all.clone()
    };
    assert_eq!(
        rows(q),
        (
            8,
            vec![
                (
                    "usr/bin/Sh".into(),
                    0,
                    RowState::Deleted { by: 1 },
                    Some(Mark::Removed)
                ),
                ("etc/passwd".into(), 1, RowState::Live, Some(Mark::Modified)),
            ]
        )
    );
    // Up to layer 0: the deleted and overwritten rows are live there.
    let q = Query {
        scope: Scope::UpTo(0),
        substring: "SH".into(),
        ..all.clone()
    };
    assert_eq!(
        rows(q),
        (
            1,
            vec![("usr/bin/Sh".into(), 0, RowState::Live, Some(Mark::Added))]
        )
    );
    // This layer only: layer 1's entries and what it removed (when deleted rows are on).
    let q = Query {
        scope: Scope::Layer(1),
        include_deleted: true,
        include_whiteouts: true,
        ..all.clone()
    };
    assert_eq!(
        rows(q),
        (
            4,
            vec![
                ("etc/passwd".into(), 1, RowState::Live, Some(Mark::Modified)),
                ("tmp/big".into(), 1, RowState::Live, Some(Mark::Added)),
                // A whiteout comes right after the path it deletes.
                (
                    "usr/bin/Sh".into(),
                    0,
                    RowState::Deleted { by: 1 },
                    Some(Mark::Removed)
                ),
                ("usr/bin/.wh.Sh".into(), 1, RowState::Whiteout, None),
            ]
        )
    );
    // Prefix filter (raw bytes) and a case-insensitive substring on the display form.
    let q = Query {
        prefix: b"usr/".to_vec(),
        substring: "LIBC".into(),
        ..all.clone()
    };
    assert_eq!(rows(q).0, 1);
    let mut odd = layer(&[]);
    let mut cafe = Entry::new(
        EntryKind::File,
        b"caf\xc3\x89-\xff",
        None,
        Default::default(),
    );
    cafe.size = 1;
    odd.entries.push(cafe);
    let t = Tree::from_layers([odd]);
    let i = Index::new(&t);
    // The name is "cafÉ-\xff": ASCII letters fold, other characters match exactly (É is not é).
    for (needle, hits) in [
        ("cafÉ", 1),
        ("CAFÉ-\\XFF", 1),
        ("\\xff", 1),
        ("café", 0),
        ("cafe", 0),
    ] {
        let q = Query {
            substring: needle.into(),
            ..Query::default()
        };
        assert_eq!(i.query(&t, &q).total, hits, "{needle}");
    }
}

#[test]
fn symlinks_resolve_across_layers_with_a_hop_limit() {
    let mut chain: Vec<(String, u64)> = (0..70)
        .map(|i| (format!("l{i} -> l{}", i + 1), 0))
        .collect();
    chain.push(("l70".into(), 1));
    let chain_refs: Vec<(&str, u64)> = chain.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    let tree = Tree::from_layers([
        layer(&[
            ("usr/", 0),
            ("usr/bin/", 0),
            ("usr/bin/sh", 10),
            ("bin -> usr/bin", 0),
            ("loop1 -> loop2", 0),
        ]),
        layer(&[
            ("sh2 -> /bin/sh", 0),
            ("loop2 -> loop1", 0),
            ("up -> ../../etc", 0),
            ("file", 1),
        ]),
        layer(&chain_refs),
        layer(&[("opt/x/file", 1), ("o -> opt/x", 0), ("gone/f", 1)]),
        layer(&[(".wh.gone", 0)]),
    ]);
    type Expect = Result<&'static str, fn(&LinkError) -> bool>;
    let cases: Vec<(&str, Expect)> = vec![
        ("sh2", Ok("usr/bin/sh")),
        ("o/file", Ok("opt/x/file")), // through an implicit directory
        ("gone/f", Err(|e| matches!(e, LinkError::NotFound { .. }))),
        ("bin/sh", Ok("usr/bin/sh")),
        ("/bin/../bin/sh", Ok("usr/bin/sh")),
        ("l6", Ok("l70")), // 64 hops exactly
        ("l5", Err(|e| matches!(e, LinkError::TooManyHops { .. }))), // 65 hops
        ("loop1", Err(|e| matches!(e, LinkError::TooManyHops { .. }))),
        ("up", Err(|e| matches!(e, LinkError::Escapes { .. }))),
        ("bin/nope", Err(|e| matches!(e, LinkError::NotFound { .. }))),
        (
            "file/x",
            Err(|e| matches!(e, LinkError::NotADirectory { .. })),
        ),
    ];
    for (path, expected) in cases {
        let got = tree.resolve(path.as_bytes());
        match expected {
            Ok(p) => assert_eq!(got, Ok(p.as_bytes().to_vec()), "{path}"),
            Err(check) => assert!(got.as_ref().is_err_and(check), "{path}: {got:?}"),
        }
    }
}

// ---------------------------------------------------------------- mutation / property tests

/// Reads `bytes` in random chunk sizes; must end Ok or Err, never panic.
fn survive(bytes: &[u8], rng: &mut Lcg, caps: Caps) -> Result<LayerRead, LayerError> {
    let opts = ReadOptions {
        caps,
        hash_files: true,
        capture: Some(manifest_explorer::layer::Capture {
            target: manifest_explorer::layer::CaptureTarget::Index(rng.below(8)),
            max: 1000,
        }),
    };
    let mut reader = LayerReader::new(None, None, opts);
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = match rng.below(4) {
            0 => 1,
            1 => rng.below(600) + 1,
            _ => rng.below(70_000) + 1,
        }
        .min(rest.len());
        reader.push(&rest[..n])?;
        rest = &rest[n..];
    }
    reader.finish()
}

#[test]
fn mutated_and_random_streams_never_panic() {
    let started = std::time::Instant::now();
    let caps = Caps {
        max_output: 8 << 20,
        max_entries: 10_000,
        ratio_grace: 1 << 20,
        zstd_max_window: 8 << 20,
        ..Caps::default()
    };
    let seeds: Vec<Vec<u8>> = [
        "pax.tar",
        "gnu.tar",
        "sparse-gnu.tar",
        "pax-multi.tar.gz",
        "pax-estargz.tar.gz",
        "pax.tar.zst",
        "pax-frames.tar.zst",
    ]
    .iter()
    .map(|f| fixture(f))
    .chain([gzip(&fixture("ustar.tar"))])
    .collect();
    let mut rng = Lcg(0x5eed);
    let (mut ok, mut failed) = (0, 0);
    for round in 0..1200 {
        let seed = &seeds[round % seeds.len()];
        let mut bytes = seed.clone();
        match rng.below(5) {
            // Byte flips.
            0 | 1 => {
                for _ in 0..rng.below(6) + 1 {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            // Random bytes over a stretch (headers, numbers, lengths).
            2 => {
                let at = rng.below(bytes.len());
                for b in bytes.iter_mut().skip(at).take(rng.below(40) + 1) {
                    *b = rng.next() as u8;
                }
            }
            // Truncation.
            3 => bytes.truncate(rng.below(bytes.len())),
            // Pure noise after a real magic.
            _ => {
                let len = rng.below(5000);
                bytes.truncate(4);
                bytes.extend((0..len).map(|_| rng.next() as u8));
            }
        }
        let outcome = survive(&bytes, &mut rng, caps);
        if std::env::var_os("LAYER_TRACE").is_some() {
            println!(
                "round {round}: {:?}",
                outcome.as_ref().map(|r| r.listing.entries.len())
            );
        }
        match outcome {
            Ok(read) => {
                // Whatever was read also merges, pages and resolves without panicking.
                let tree = Tree::from_layers([read.listing.clone(), read.listing]);
                let _ = efficiency(&tree);
                let _ = layer_changes(&tree);
                let index = Index::new(&tree);
                let q = Query {
                    substring: "a".into(),
                    include_deleted: true,
                    include_whiteouts: true,
                    scope: Scope::Layer(1),
                    ..Query::default()
                };
                let _ = index.query(&tree, &q);
                for v in tree.versions().take(20) {
                    let _ = tree.resolve(&tree.path(v.node));
                }
                ok += 1
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                failed += 1;
            }
        }
    }
    // The unmutated seeds still read, in random chunks.
    for seed in &seeds {
        survive(seed, &mut rng, caps).unwrap();
    }
    println!(
        "mutation test: 1200 streams ({ok} read, {failed} rejected) in {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------- scale (timings printed)

fn synthetic_layer(l: usize, n: usize) -> Listing {
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        // 90% new paths per layer, 10% rewriting layer 0's paths; a few whiteouts.
        let path = if i % 10 == 0 {
            format!("usr/lib/d{}/f{}", i / 100, i)
        } else {
            format!("opt/l{l}/d{}/f{}", i / 100, i)
        };
        let path = if l > 0 && i % 1000 == 1 {
            format!("opt/l{}/d{}/.wh.f{}", l - 1, i / 100, i)
        } else {
            path
        };
        entries.push(ent(&path, (i % 4096) as u64));
    }
    if l > 0 {
        entries.push(ent(&format!("opt/l{}/d7/.wh..wh..opq", l - 1), 0));
    }
    Listing {
        entries,
        ..Listing::default()
    }
}

#[test]
fn scale_merge_20_layers_of_50k_and_view_1m_rows() {
    // The full size in release builds (`cargo test --release --test layer scale -- --nocapture`);
    // debug builds run 4 layers to keep `cargo test` quick.
    let n_layers = if cfg!(debug_assertions) { 4 } else { 20 };
    let layers: Vec<Listing> = (0..n_layers).map(|l| synthetic_layer(l, 50_000)).collect();
    let started = std::time::Instant::now();
    let tree = Tree::from_layers(layers);
    let merge = started.elapsed();
    let started = std::time::Instant::now();
    let eff = efficiency(&tree);
    let changes = layer_changes(&tree);
    let figures = started.elapsed();
    let started = std::time::Instant::now();
    let index = Index::new(&tree);
    let build = started.elapsed();
    let started = std::time::Instant::now();
    let page = index.query(
        &tree,
        &Query {
            substring: "D42/F".into(),
            include_deleted: true,
            include_overwritten: true,
            sort: Sort::SizeDesc,
            ..Query::default()
        },
    );
    let query = started.elapsed();
    println!(
        "scale: {n_layers} layers × 50k entries, {} versions, {} nodes; merge {merge:?}, efficiency+changes {figures:?}, index {build:?}, one query {query:?} ({} matches)",
        tree.versions().len(),
        tree.nodes().len(),
        page.total
    );
    // Sanity: layer 1 rewrites 5,000 of layer 0's paths; every layer deletes 50 + one opaque dir.
    assert_eq!(changes[1].modified, 5_000);
    assert!(changes[1].removed >= 50);
    assert!(eff.reclaimable_bytes > 0 && eff.score_ppm < 1_000_000);
    assert_eq!(page.rows.len(), 100);
    assert!(page.rows.windows(2).all(|w| {
        tree.entry(w[0].layer, w[0].entry).size >= tree.entry(w[1].layer, w[1].entry).size
    }));
}

#[test]
fn hostile_trees_stay_linear() {
    // A 1 MiB path of 500,000 components, and 100,000 opaque markers of one big directory
    // (a fifth of that in debug builds).
    let (depth, count) = if cfg!(debug_assertions) {
        (100_000, 20_000)
    } else {
        (500_000, 100_000)
    };
    let deep = "a/".repeat(depth) + "f";
    let mut big = layer(&[]);
    for i in 0..count {
        big.entries.push(ent(&format!("big/{}/f{i}", i % 300), 1));
    }
    let mut opaque = layer(&[]);
    for _ in 0..count {
        opaque.entries.push(ent("big/.wh..wh..opq", 0));
    }
    opaque.entries.push(ent(&deep, 5));
    let started = std::time::Instant::now();
    let tree = Tree::from_layers([big, opaque]);
    let index = Index::new(&tree);
    let page = index.query(&tree, &Query::default());
    println!(
        "hostile tree: merged and indexed in {:?}",
        started.elapsed()
    );
    // The whole big directory is hidden by layer 1; the deep file is live.
    assert_eq!(history(&tree, "big/7/f7"), vec![(0, del(1))]);
    assert_eq!(page.total, 1);
    assert_eq!(tree.path(page.rows[0].node).len(), deep.len());
}

#[test]
fn names_are_displayed_escaped_never_dropped() {
    use manifest_explorer::layer::path::{display, is_plain};
    let cases: [(&[u8], &str); 9] = [
        (b"usr/bin/sh", "usr/bin/sh"),
        (b"caf\xc3\xa9", "café"),
        (b"caf\xe9", "caf\\xe9"),
        (b"a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f"),
        ("exe\u{202e}txt.sh".as_bytes(), "exe\\u{202e}txt.sh"),
        (
            "a\u{2066}b\u{200f}c\u{feff}".as_bytes(),
            "a\\u{2066}b\\u{200f}c\\u{feff}",
        ),
        ("c1\u{85}".as_bytes(), "c1\\u{85}"),
        (b"back\\slash", "back\\\\slash"),
        (b"\xff\xfe", "\\xff\\xfe"),
    ];
    for (raw, shown) in cases {
        assert_eq!(display(raw), shown, "{raw:?}");
        assert_eq!(
            is_plain(raw),
            display(raw).as_bytes() == raw && raw.is_ascii(),
            "{raw:?}"
        );
    }
    assert_eq!(display(b""), "");
}

/// Random layers over a small alphabet (so paths collide), with `..`, whiteouts, opaque
/// markers, symlinks, directories and duplicates; the merge must keep its invariants.
#[test]
fn random_merges_keep_their_invariants() {
    let mut rng = Lcg(0xfeed);
    let parts = [
        "a",
        "b",
        "c",
        "..",
        ".",
        ".wh.a",
        ".wh.b",
        ".wh..wh..opq",
        ".wh..wh.plnk",
        "d",
    ];
    for round in 0..300 {
        let n_layers = rng.below(5) + 1;
        let mut layers = Vec::new();
        for _ in 0..n_layers {
            let mut l = layer(&[]);
            for _ in 0..rng.below(40) {
                let depth = rng.below(4) + 1;
                let path: Vec<&str> = (0..depth).map(|_| parts[rng.below(parts.len())]).collect();
                let path = path.join("/");
                let spec = match rng.below(4) {
                    0 => format!("{path}/"),
                    1 => format!("{path} -> {}", parts[rng.below(parts.len())]),
                    _ => path,
                };
                l.entries.push(ent(&spec, rng.below(100) as u64));
            }
            layers.push(l);
        }
        let tree = Tree::from_layers(layers);
        let mut live_total = 0u64;
        let mut all_total = 0u64;
        for id in 0..tree.nodes().len() as u32 {
            let live: Vec<_> = tree
                .versions_of(id)
                .filter(|v| v.status == Status::Live)
                .collect();
            assert!(
                live.len() <= 1,
                "round {round}: two live versions of one path"
            );
            for v in tree.versions_of(id) {
                let e = tree.entry(v.layer, v.entry);
                assert!(
                    !e.is_whiteout(),
                    "round {round}: a whiteout became a version"
                );
                assert!(
                    v.status.by().is_none_or(|by| by >= v.layer),
                    "round {round}: hidden by a lower layer"
                );
                all_total += e.size;
                if v.status == Status::Live {
                    live_total += e.size;
                }
            }
            // A live path has no live non-directory above it.
            if !live.is_empty() {
                let mut a = id;
                while a != 0 {
                    a = tree.node(a).parent;
                    if let Some(v) = tree.live(a) {
                        assert!(
                            v.dir,
                            "round {round}: live {:?} under a live non-directory {:?}; layers {:?}",
                            tree.path(id),
                            tree.path(a),
                            tree.layers()
                                .iter()
                                .map(|l| l
                                    .entries
                                    .iter()
                                    .map(|e| (
                                        String::from_utf8_lossy(e.path()).into_owned(),
                                        e.kind
                                    ))
                                    .collect::<Vec<_>>())
                                .collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
        let eff = efficiency(&tree);
        assert_eq!(eff.total_bytes, all_total);
        assert_eq!(
            eff.reclaimable_bytes,
            all_total - live_total,
            "round {round}: N−1 = all − live"
        );
        assert!(eff.minimal_bytes <= eff.total_bytes && eff.score_ppm <= 1_000_000);
        // With everything included, the merged view lists every version and whiteout once.
        let index = Index::new(&tree);
        let all = index.query(
            &tree,
            &Query {
                include_deleted: true,
                include_overwritten: true,
                include_whiteouts: true,
                ..Query::default()
            },
        );
        assert_eq!(
            all.total,
            tree.versions().len() + tree.whiteouts().len(),
            "round {round}"
        );
        // Layer scopes partition the versions by layer (plus removals, counted by the layer
        // that removed them).
        let changes = layer_changes(&tree);
        for (n, c) in changes.iter().enumerate() {
            let page = index.query(
                &tree,
                &Query {
                    scope: Scope::Layer(n as u32),
                    include_deleted: true,
                    include_overwritten: true,
                    ..Query::default()
                },
            );
            assert_eq!(
                page.total as u64,
                c.added + c.modified + c.removed,
                "round {round} layer {n}"
            );
        }
        for v in tree.versions() {
            let _ = tree.resolve(&tree.path(v.node));
        }
    }
}

/// Throughput of the whole pipeline (verify → decompress → diff_id → walk → per-file SHA-256)
/// on a synthetic layer; printed, not asserted. 48 MiB in release builds, 4 MiB in debug.
#[test]
fn pipeline_throughput_is_printed() {
    let mib = if cfg!(debug_assertions) { 4 } else { 48 };
    let mut rng = Lcg(42);
    let mut members: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < mib << 20 {
        let size = rng.below(256 * 1024);
        // Compressible but not trivial: words from a small vocabulary.
        let words = [
            &b"layer "[..],
            b"tar ",
            b"zstd ",
            b"gzip ",
            b"\n",
            b"0123456789 ",
        ];
        let mut data = Vec::with_capacity(size);
        while data.len() < size {
            data.extend_from_slice(words[rng.below(words.len())]);
        }
        total += data.len();
        members.push((format!("usr/share/f{i}").into_bytes(), data));
        i += 1;
    }
    let refs: Vec<Member> = members
        .iter()
        .map(|(n, d)| (&n[..], b'0', &d[..], &b""[..]))
        .collect();
    let plain = tar(&refs);
    let gz = gzip(&plain);
    let zst =
        ruzstd::encoding::compress_to_vec(&plain[..], ruzstd::encoding::CompressionLevel::Fastest);
    for (name, blob) in [("tar", &plain), ("gzip", &gz), ("zstd", &zst)] {
        let digest = Digest::sha256(blob);
        let started = std::time::Instant::now();
        let mut r = LayerReader::new(
            Some((digest, blob.len() as u64)),
            None,
            ReadOptions {
                hash_files: true,
                ..ReadOptions::default()
            },
        );
        blob.chunks(64 * 1024).try_for_each(|c| r.push(c)).unwrap();
        let read = r.finish().unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(read.listing.entries.len(), members.len());
        assert_eq!(read.diff_id, Digest::sha256(&plain));
        println!(
            "pipeline {name}: {} MiB uncompressed ({} compressed) in {:.0} ms = {:.0} MB/s of output",
            plain.len() >> 20,
            blob.len(),
            secs * 1000.0,
            plain.len() as f64 / secs / 1e6
        );
    }
}

#[test]
fn gzip_optional_header_fields() {
    use std::io::Write;
    let tar_bytes = fixture("ustar.tar");
    let member = |flags: u8, good_hcrc: bool| {
        let mut h = vec![0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 255];
        if flags & 0x04 != 0 {
            h.extend([6, 0, b'A', b'B', 2, 0, b'x', b'y']);
        }
        if flags & 0x08 != 0 {
            h.extend(b"layer.tar\0");
        }
        if flags & 0x10 != 0 {
            h.extend(b"a comment\0");
        }
        if flags & 0x02 != 0 {
            let mut crc = flate2::Crc::new();
            crc.update(&h);
            let c = crc.sum() as u16 ^ u16::from(!good_hcrc);
            h.extend(c.to_le_bytes());
        }
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&tar_bytes).unwrap();
        h.extend(enc.finish().unwrap());
        let mut crc = flate2::Crc::new();
        crc.update(&tar_bytes);
        h.extend(crc.sum().to_le_bytes());
        h.extend((tar_bytes.len() as u32).to_le_bytes());
        h
    };
    let expected = listing_text(&read(&tar_bytes).unwrap());
    for flags in [0x02, 0x04, 0x08, 0x10, 0x1e, 0x1c] {
        let got = read_with(&member(flags, true), 3, ReadOptions::default()).unwrap();
        assert_eq!(listing_text(&got), expected, "flags {flags:#x}");
    }
    let e = err(&member(0x1e, false), Caps::default());
    assert!(
        matches!(&e, LayerError::GzipHeader { reason, .. } if reason.contains("CRC-16")),
        "{e:?}"
    );
    let mut reserved = member(0, true);
    reserved[3] = 0x20;
    assert!(matches!(
        err(&reserved, Caps::default()),
        LayerError::GzipHeader { .. }
    ));
    // A second member that is not gzip is trailing garbage, even starting with 0x1f.
    let twice = [member(0, true), vec![0x1f, 0x00, 0x00]].concat();
    assert!(matches!(
        err(&twice, Caps::default()),
        LayerError::TrailingGarbage { first: 0x1f, .. }
    ));
}

#[test]
fn entry_footprint_is_printed() {
    // Informative: the size of one listing row (plus its heap: name, link, names, digest).
    println!(
        "size_of::<Entry>() = {} bytes",
        std::mem::size_of::<Entry>()
    );
    assert!(std::mem::size_of::<Entry>() <= 256);
}

#[test]
fn ls_columns_mode_and_mtime() {
    let mut e = ent("f", 1);
    let modes = [
        (EntryKind::Dir, 0o755, "drwxr-xr-x"),
        (EntryKind::File, 0o4755, "-rwsr-xr-x"),
        (EntryKind::File, 0o2644, "-rw-r-Sr--"),
        (EntryKind::Dir, 0o1777, "drwxrwxrwt"),
        (EntryKind::Symlink, 0o1776, "lrwxrwxrwT"),
        (EntryKind::Char, 0o600, "crw-------"),
        (EntryKind::Fifo, 0, "p---------"),
    ];
    for (kind, mode, shown) in modes {
        e.kind = kind;
        e.mode = mode;
        assert_eq!(e.mode_string(), shown);
    }
    // Values from `date -u -d @N '+%F %T'`.
    let times = [
        (0, "1970-01-01 00:00:00"),
        (1_700_000_000, "2023-11-14 22:13:20"),
        (-1000, "1969-12-31 23:43:20"),
        (951_782_400, "2000-02-29 00:00:00"),
        (4_102_444_799, "2099-12-31 23:59:59"),
        (-62_135_596_800, "0001-01-01 00:00:00"),
    ];
    for (t, shown) in times {
        e.mtime = t;
        assert_eq!(e.mtime_utc(), shown, "{t}");
    }
    e.mtime = i64::MIN;
    let _ = e.mtime_utc(); // no overflow panic on hostile base-256 times
    e.mtime = i64::MAX;
    let _ = e.mtime_utc();
}

#[test]
fn figures_saturate_on_hostile_sizes() {
    // Header-declared sizes (a sparse file's real size) may be near 2^63 in several layers.
    let huge = 1u64 << 62;
    let tree = Tree::from_layers([
        layer(&[("s", huge), ("t", 1)]),
        layer(&[("s", huge), ("u", huge)]),
        layer(&[("s", huge), ("v", huge)]),
    ]);
    let eff = efficiency(&tree);
    // 5 × 2^62 + 1 does not fit: saturated, not wrapped.
    assert_eq!(eff.total_bytes, u64::MAX);
    assert_eq!(eff.minimal_bytes, 3 * huge + 1);
    assert_eq!(eff.reclaimable_bytes, 2 * huge);
    // (3 × 2^62 + 1) / (2^64 − 1) = 0.75: the scaled division stays within a part per million.
    assert!(
        (749_999..=750_000).contains(&eff.score_ppm),
        "{}",
        eff.score_ppm
    );
    let changes = layer_changes(&tree);
    assert_eq!(
        (changes[1].modified_bytes, changes[1].added_bytes),
        (huge, huge)
    );
}

#[test]
fn pax_keys_global_headers_and_odd_types() {
    let mut records = Vec::new();
    for (k, v) in [
        ("path", &b"pax/name\xff"[..]),
        ("linkpath", b"target"),
        ("mtime", b"-1.5"),
        ("uid", b"3000000"),
        ("gid", b"4000000"),
        ("uname", b"someone"),
        ("gname", b"group"),
        ("SCHILY.xattr.user.x", b"ignored"),
    ] {
        records.extend(pax_record(k, v));
    }
    let mut t = Vec::new();
    push_meta(
        &mut t,
        b"GlobalHead",
        b'g',
        &pax_record("comment", b"global, ignored"),
    );
    push_meta(&mut t, b"PaxHeader", b'x', &records);
    t.extend(header_raw(b"short", b'2', octal12(0), b"short-target"));
    // GNU dumpdir 'D' (data follows) and an unknown type 'Z': listed, data skipped.
    t.extend(header_raw(b"dumpdir", b'D', octal12(3), b""));
    t.extend(b"abc");
    t.resize(t.len().div_ceil(512) * 512, 0);
    t.extend(header_raw(b"vendor", b'Z', octal12(600), b""));
    t.extend(vec![7u8; 600]);
    t.resize(t.len().div_ceil(512) * 512, 0);
    t.extend(header_raw(b"last", b'0', octal12(0), b""));
    t.resize(t.len() + 1024, 0);
    let got = read(&t).unwrap();
    let e = &got.listing.entries;
    assert_eq!(e.len(), 4, "{e:?}");
    assert_eq!(e[0].path(), b"pax/name\xff");
    assert_eq!(e[0].link(), Some(&b"target"[..]), "PAX linkpath wins");
    assert_eq!(
        (e[0].mtime, e[0].uid(), e[0].gid()),
        (-2, 3_000_000, 4_000_000)
    );
    assert_eq!(
        (e[0].uname(), e[0].gname()),
        (&b"someone"[..], &b"group"[..])
    );
    assert!(e[0].flags.contains(Flags::NON_UTF8));
    assert_eq!(e[1].kind, EntryKind::Other(b'D'));
    assert_eq!(e[2].kind, EntryKind::Other(b'Z'));
    assert_eq!(e[3].path(), b"last");
    assert_eq!(
        got.listing.warnings.len(),
        1,
        "one warning for the ignored global header"
    );
}

/// Entries with the same owner share one (a listing of a million entries holds a few), and
/// the values stay exact: a uid over u32 from a PAX record included.
#[test]
fn entries_share_their_owner_and_keep_its_values() {
    let mut t = Vec::new();
    t.extend(header_raw(b"a", b'0', octal12(0), b""));
    t.extend(header_raw(b"b", b'0', octal12(0), b""));
    let mut records = pax_record("uid", b"5000000000");
    records.extend(pax_record("uname", b"big"));
    push_meta(&mut t, b"PaxHeader", b'x', &records);
    t.extend(header_raw(b"c", b'0', octal12(0), b""));
    t.extend(header_raw(b"d", b'0', octal12(0), b""));
    t.resize(t.len() + 1024, 0);
    let got = read(&t).unwrap();
    let e = &got.listing.entries;
    assert!(
        std::ptr::eq(e[0].owner(), e[1].owner()),
        "one owner, shared"
    );
    assert!(
        std::ptr::eq(e[0].owner(), e[3].owner()),
        "shared again after another"
    );
    assert!(!std::ptr::eq(e[0].owner(), e[2].owner()));
    assert_eq!((e[0].uid(), e[0].uname()), (0, &b""[..]));
    assert_eq!(
        (e[2].uid(), e[2].gid(), e[2].uname()),
        (5_000_000_000, 0, &b"big"[..])
    );
}
