//! The layer worker's message handler in a real browser worker (headless Chromium via
//! wasm-bindgen-test-runner, in a dedicated worker):
//! `cargo test --target wasm32-unknown-unknown --test browser_worker`.
//!
//! The test calls `worker::receive` with the same `[encoded request, file]` messages the page
//! posts, and reads the replies through `worker::serve_in_process` after a trip through the
//! wire codec (encode, then decode), so what is tested is the round trip of the page's worker
//! minus `postMessage` itself: a gzip layer read from a `Blob` (digest and diff_id verified,
//! listed, a file read back), a wrong digest (a verdict, and nothing listed), a cancel in the middle of a read, a cap,
//! the file diff of two images made of layers opened with file hashing, an OCI archive opened
//! in the archive worker (a document read, a layer's slice of the file handed to the layer
//! worker and streamed there), and each worker refusing by name what only the other serves.
//! Layer and diff requests go through the layer worker's dispatch (`worker::receive`),
//! archive requests through the archive worker's (`worker::receive_archive`).
//! The listing is compared with the one Python's `tarfile` wrote beside the fixture
//! (`tests/fixtures/layer/make.py`).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use manifest_explorer::jobs::{CapsMsg, ListQuery, Reply, Request, Source};
use manifest_explorer::layers::DEFAULT_CAPS;
use manifest_explorer::oci::Digest;
use manifest_explorer::worker;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

mod ustar;

const PAX_TAR: &[u8] = include_bytes!("fixtures/layer/pax.tar");
const PAX_TAR_GZ: &[u8] = include_bytes!("fixtures/layer/pax.tar.gz");
const PAX_EXPECTED: &str = include_str!("fixtures/layer/pax.tar.expected");
/// skopeo's `oci-archive:` of the layout in `fixtures/archive/oci/` (tag `multi` only), and
/// that layout's `index.json` as the witness of what the archive holds.
const OCI_ARCHIVE: &[u8] = include_bytes!("fixtures/archive/oci-archive.tar");
const OCI_INDEX: &str = include_str!("fixtures/archive/oci/index.json");

thread_local! {
    static REPLIES: RefCell<Vec<(Reply, Option<JsValue>)>> = const { RefCell::new(Vec::new()) };
    static INSTALLED: RefCell<bool> = const { RefCell::new(false) };
    /// A job to cancel as soon as it reports progress (from inside the reply sink, so the
    /// cancel lands between two chunks of the read, whatever the machine's speed).
    static CANCEL_ON_PROGRESS: RefCell<Option<u32>> = const { RefCell::new(None) };
}

/// Routes the worker's replies here, each through the wire codec.
fn install() {
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    worker::serve_in_process(|reply, buffer| {
        let decoded = Reply::decode(&reply.encode()).expect("a reply the page can decode");
        assert_eq!(&decoded, reply, "the reply survives the wire codec");
        let cancel = match &decoded {
            Reply::Progress { job, .. } => {
                CANCEL_ON_PROGRESS.with(|c| c.borrow().filter(|j| j == job))
            }
            _ => None,
        };
        REPLIES.with(|r| r.borrow_mut().push((decoded, buffer)));
        if let Some(job) = cancel {
            send(&Request::Cancel { job }, None);
        }
    });
}

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("a Blob")
}

/// Sends a request to the layer worker's dispatch.
fn send(request: &Request, file: Option<&web_sys::Blob>) {
    send_to(worker::receive, request, file);
}

/// Sends a request to the archive worker's dispatch.
fn send_archive(request: &Request, file: Option<&web_sys::Blob>) {
    send_to(worker::receive_archive, request, file);
}

/// Sends `request` to the dispatch `serve` of one worker binary.
fn send_to(serve: fn(JsValue), request: &Request, file: Option<&web_sys::Blob>) {
    let encoded = request.encode();
    assert_eq!(
        Request::decode(&encoded).as_ref(),
        Ok(request),
        "the request survives the wire codec"
    );
    let message = Array::new();
    message.push(&Uint8Array::from(encoded.as_slice()));
    message.push(
        file.map(JsValue::from)
            .as_ref()
            .unwrap_or(&JsValue::UNDEFINED),
    );
    serve(message.into());
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        scope
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("timer");
}

/// The bytes that came beside a reply (a transferred `Uint8Array`).
fn bytes_of(extra: Option<JsValue>) -> Option<Vec<u8>> {
    extra.map(|b| Uint8Array::new(&b).to_vec())
}

/// The next reply of `job` (progress included only if `progress`), waiting up to 60 s, and
/// what came beside it (a `Uint8Array` or a `Blob`).
async fn next_reply(job: u32, progress: bool) -> (Reply, Option<JsValue>) {
    for _ in 0..6000 {
        let found = REPLIES.with(|r| {
            let mut replies = r.borrow_mut();
            let at = replies.iter().position(|(reply, _)| {
                reply.job() == Some(job) && (progress || !matches!(reply, Reply::Progress { .. }))
            })?;
            Some(replies.remove(at))
        });
        if let Some(found) = found {
            return found;
        }
        sleep(10).await;
    }
    panic!("no reply for job {job} within 60 s");
}

fn open(job: u32, key: &str, expected: Option<(Digest, u64)>, caps: CapsMsg) -> Request {
    Request::Open {
        job,
        key: key.to_owned(),
        source: Source::File {
            name: format!("{key}.tar.gz"),
        },
        expected,
        diff_id: Some(Digest::sha256(PAX_TAR)),
        as_layer: true,
        caps,
        hash_files: false,
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// `(path, size, data offset)` of each entry, as Python's tarfile read the archive.
fn expected_entries() -> Vec<(Vec<u8>, u64, usize)> {
    PAX_EXPECTED
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            (
                hex(f[6]),
                f[4].parse().expect("size"),
                f[8].parse().expect("offset"),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_gzip_layer_is_verified_listed_and_read_back() {
    install();
    let gz = blob(PAX_TAR_GZ);
    let expected = (Digest::sha256(PAX_TAR_GZ), PAX_TAR_GZ.len() as u64);
    send(
        &open(1, "pax", Some(expected.clone()), DEFAULT_CAPS),
        Some(&gz),
    );
    let (reply, _) = next_reply(1, false).await;
    let Reply::Opened { summary, .. } = reply else {
        panic!("expected Opened, got {reply:?}");
    };
    let entries = expected_entries();
    assert_eq!(summary.compression, "gzip");
    assert_eq!(summary.digest, expected.0);
    assert_eq!(summary.digest_verified, Some(true));
    assert_eq!(summary.diff_id_verified, Some(true));
    assert_eq!(summary.uncompressed, PAX_TAR.len() as u64);
    assert_eq!(summary.entries, entries.len() as u64);

    send(
        &Request::List {
            job: 2,
            keys: vec!["pax".into()],
            query: ListQuery {
                limit: 1000,
                ..ListQuery::default()
            },
        },
        None,
    );
    let (reply, _) = next_reply(2, false).await;
    let Reply::Rows { total, rows, .. } = reply else {
        panic!("expected Rows, got {reply:?}");
    };
    assert_eq!(total, entries.len() as u64);
    let mut listed: Vec<(Vec<u8>, u64)> = rows.iter().map(|r| (r.path.clone(), r.size)).collect();
    let mut wanted: Vec<(Vec<u8>, u64)> = entries.iter().map(|(p, s, _)| (p.clone(), *s)).collect();
    listed.sort();
    wanted.sort();
    assert_eq!(listed, wanted, "the listing equals tarfile's");

    // The largest regular file, read back: the bytes at its data offset in the tar.
    let (path, size, offset) = entries
        .iter()
        .filter(|(_, size, _)| *size > 0)
        .max_by_key(|(_, size, _)| *size)
        .cloned()
        .expect("a file with content");
    send(
        &Request::ReadFile {
            job: 3,
            keys: vec!["pax".into()],
            path,
            max: 1 << 20,
        },
        None,
    );
    let (reply, bytes) = next_reply(3, false).await;
    let bytes = bytes_of(bytes);
    let Reply::File {
        size: read_size,
        sha256,
        truncated,
        ..
    } = reply
    else {
        panic!("expected File, got {reply:?}");
    };
    let want = &PAX_TAR[offset..offset + size as usize];
    assert_eq!((read_size, truncated), (size, false));
    assert_eq!(bytes.as_deref(), Some(want));
    assert_eq!(sha256, Some(Digest::sha256(want)));
}

#[wasm_bindgen_test]
async fn bytes_that_hash_to_another_digest_are_a_mismatch_and_not_listed() {
    install();
    let claimed = Digest::sha256(b"some other blob");
    send(
        &open(
            10,
            "wrong",
            Some((claimed, PAX_TAR_GZ.len() as u64)),
            DEFAULT_CAPS,
        ),
        Some(&blob(PAX_TAR_GZ)),
    );
    let (reply, _) = next_reply(10, false).await;
    let Reply::Opened { summary, .. } = reply else {
        panic!("expected the verdict, got {reply:?}");
    };
    assert_eq!(
        summary.digest,
        Digest::sha256(PAX_TAR_GZ),
        "the digest the bytes hash to"
    );
    assert_eq!(summary.digest_verified, Some(false));
    assert_eq!(summary.entries, 0, "unverified bytes are not listed");
    send(
        &Request::List {
            job: 11,
            keys: vec!["wrong".into()],
            query: ListQuery {
                limit: 10,
                ..ListQuery::default()
            },
        },
        None,
    );
    let (reply, _) = next_reply(11, false).await;
    assert!(
        !matches!(&reply, Reply::Rows { total, .. } if *total > 0),
        "no rows from a mismatched blob: {reply:?}"
    );
}

#[wasm_bindgen_test]
async fn a_cancel_stops_a_read_that_is_under_way() {
    install();
    let big = vec![0u8; 16 << 20];
    CANCEL_ON_PROGRESS.with(|c| *c.borrow_mut() = Some(20));
    send(
        &Request::Open {
            job: 20,
            key: "big".into(),
            source: Source::File {
                name: "big.bin".into(),
            },
            expected: None,
            diff_id: None,
            as_layer: false,
            caps: DEFAULT_CAPS,
            hash_files: false,
        },
        Some(&blob(&big)),
    );
    let (first, _) = next_reply(20, true).await;
    let Reply::Progress { received, .. } = first else {
        panic!("expected progress before the end, got {first:?}");
    };
    assert!(
        received < big.len() as u64,
        "the first progress comes before the end"
    );
    let (reply, _) = next_reply(20, false).await;
    assert!(
        matches!(&reply, Reply::Failed { error, cap: false, .. } if error == "cancelled"),
        "expected a cancelled failure, got {reply:?}"
    );
}

#[wasm_bindgen_test]
async fn a_cap_stops_the_read_and_says_it_was_a_cap() {
    install();
    let caps = CapsMsg {
        max_entries: 3,
        ..DEFAULT_CAPS
    };
    send(&open(30, "capped", None, caps), Some(&blob(PAX_TAR_GZ)));
    let (reply, _) = next_reply(30, false).await;
    let Reply::Failed { error, cap, .. } = reply else {
        panic!("expected Failed, got {reply:?}");
    };
    assert!(cap, "flagged as a cap: {error}");
    assert!(error.contains('3'), "names the cap: {error}");
}

#[wasm_bindgen_test]
async fn two_images_are_diffed_file_by_file_from_layers_opened_with_hashing() {
    install();
    let lower = ustar::tar_of(&[
        ("etc/conf", b'0', 0o644, b"colour=red\n", ""),
        ("etc/old", b'0', 0o644, b"old\n", ""),
        ("etc/same", b'0', 0o644, b"same\n", ""),
    ]);
    let upper = ustar::tar_of(&[
        ("etc/.wh.old", b'0', 0o644, b"", ""),
        ("etc/conf", b'0', 0o644, b"colour=blu\n", ""),
        ("srv/new", b'0', 0o600, &[1u8; 700], ""),
    ]);
    for (job, key, bytes) in [(40, "lower", &lower), (41, "upper", &upper)] {
        send(
            &Request::Open {
                job,
                key: key.into(),
                source: Source::File {
                    name: format!("{key}.tar"),
                },
                expected: None,
                diff_id: None,
                as_layer: true,
                caps: DEFAULT_CAPS,
                hash_files: true,
            },
            Some(&blob(bytes)),
        );
        let (reply, _) = next_reply(job, false).await;
        assert!(matches!(reply, Reply::Opened { .. }), "{reply:?}");
    }
    let diff = |job, limit| Request::DiffFiles {
        job,
        left: vec!["lower".into()],
        right: vec!["lower".into(), "upper".into()],
        compare_mtime: false,
        limit,
    };
    send(&diff(42, 10), None);
    let (reply, _) = next_reply(42, false).await;
    let Reply::FileDiff { diff: d, .. } = reply else {
        panic!("not a file diff: {reply:?}");
    };
    assert_eq!((d.added, d.removed, d.changed, d.unchanged), (1, 1, 1, 1));
    assert_eq!((d.added_bytes, d.removed_bytes, d.delta), (700, 4, 696));
    // Largest size change first: the added file, the removed one, the same-size change.
    let rows: Vec<(&str, Vec<&str>)> = d
        .rows
        .iter()
        .map(|r| {
            (
                r.shown.as_str(),
                r.changed.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("srv/new", vec![]),
            ("etc/old", vec![]),
            ("etc/conf", vec!["content"])
        ]
    );
    let conf = &d.rows[2];
    let content =
        |s: &Option<manifest_explorer::jobs::FileSide>| s.as_ref().and_then(|s| s.content.clone());
    assert_eq!(content(&conf.left), Some(Digest::sha256(b"colour=red\n")));
    assert_eq!(content(&conf.right), Some(Digest::sha256(b"colour=blu\n")));
    assert_eq!(
        d.rows[0].right.as_ref().map(|s| (s.kind, s.mode)),
        Some(('-', 0o600))
    );
    // The limit cuts the rows, never the counts.
    send(&diff(43, 1), None);
    let (reply, _) = next_reply(43, false).await;
    let Reply::FileDiff { diff: cut, .. } = reply else {
        panic!("not a file diff: {reply:?}");
    };
    assert_eq!(
        (cut.rows.len(), cut.added, cut.removed, cut.changed),
        (1, 1, 1, 1)
    );
    // A layer that was never opened is a named error.
    send(
        &Request::DiffFiles {
            job: 44,
            left: vec!["lower".into()],
            right: vec!["nowhere".into()],
            compare_mtime: false,
            limit: 10,
        },
        None,
    );
    let (reply, _) = next_reply(44, false).await;
    assert!(
        matches!(&reply, Reply::Failed { error, .. } if error.contains("nowhere")),
        "{reply:?}"
    );
}

/// The digest at `pointer` in a JSON document (`serde_json`, the test's own reading).
fn digest_at(json: &serde_json::Value, pointer: &str) -> Digest {
    json.pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {json}"))
        .parse()
        .expect("a digest")
}

#[wasm_bindgen_test]
async fn the_archive_worker_opens_an_archive_and_the_layer_worker_streams_a_layer_out_of_it() {
    install();
    let index: serde_json::Value = serde_json::from_str(OCI_INDEX).expect("index.json");
    let multi = digest_at(&index, "/manifests/0/digest");
    let tar = blob(OCI_ARCHIVE);
    send_archive(
        &Request::OpenArchive {
            job: 50,
            key: "oci-archive.tar".into(),
            paths: Vec::new(),
        },
        Some(&tar),
    );
    let (reply, _) = next_reply(50, false).await;
    let Reply::Archive { archive, .. } = reply else {
        panic!("expected Archive, got {reply:?}");
    };
    assert_eq!(archive.problems, Vec::<String>::new());
    assert_eq!(archive.size, OCI_ARCHIVE.len() as u64);
    let tags: Vec<(Option<&str>, Option<&Digest>)> = archive
        .entries
        .iter()
        .map(|e| (e.tag.as_deref(), e.digest.as_ref()))
        .collect();
    assert_eq!(tags, [(Some("multi"), Some(&multi))]);

    // The index, then its first manifest: each the bytes its digest names.
    let document = |job: u32, digest: Digest| async move {
        send_archive(
            &Request::ReadDocument {
                job,
                archive: "oci-archive.tar".into(),
                digest: digest.clone(),
            },
            None,
        );
        let (reply, bytes) = next_reply(job, false).await;
        let bytes = bytes_of(bytes);
        assert!(
            matches!(&reply, Reply::Document { digest: d, synthesized: false, .. } if *d == digest),
            "{reply:?}"
        );
        let bytes = bytes.expect("the document's bytes");
        assert_eq!(Digest::sha256(&bytes), digest);
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON")
    };
    let image_index = document(51, multi).await;
    let manifest = document(52, digest_at(&image_index, "/manifests/0/digest")).await;
    let layer = digest_at(&manifest, "/layers/0/digest");
    let size = manifest
        .pointer("/layers/0/size")
        .and_then(serde_json::Value::as_u64)
        .expect("a layer size");
    let open_layer = |job| Request::Open {
        job,
        key: layer.to_string(),
        source: Source::Archive {
            archive: "oci-archive.tar".into(),
            digest: layer.clone(),
        },
        expected: Some((layer.clone(), size)),
        diff_id: None,
        as_layer: true,
        caps: DEFAULT_CAPS,
        hash_files: false,
    };
    // The archive worker answers with the layer's slice of the file, read by nobody yet.
    let blob_request = |job, digest: &Digest| Request::ArchiveBlob {
        job,
        archive: "oci-archive.tar".into(),
        digest: digest.clone(),
    };
    send_archive(&blob_request(53, &layer), None);
    let (reply, slice) = next_reply(53, false).await;
    assert!(
        matches!(reply, Reply::Blob { size: s, .. } if s == size),
        "{reply:?}"
    );
    let slice: web_sys::Blob = slice
        .expect("the slice beside the reply")
        .dyn_into()
        .expect("a Blob");
    assert_eq!(slice.size() as u64, size);
    // The layer worker streams that slice and verifies it against the manifest's digest.
    send(&open_layer(54), Some(&slice));
    let (reply, _) = next_reply(54, false).await;
    let Reply::Opened { summary, .. } = reply else {
        panic!("expected Opened, got {reply:?}");
    };
    assert_eq!((summary.digest_verified, summary.size), (Some(true), size));
    assert_eq!(summary.compression, "gzip");
    assert!(summary.entries > 0, "{summary:?}");

    // A blob the archive does not hold is named; an archive blob without its slice is refused.
    let absent = Digest::sha256(b"not in the archive");
    send_archive(&blob_request(55, &absent), None);
    let (reply, _) = next_reply(55, false).await;
    assert!(
        matches!(&reply, Reply::Failed { error, cap: false, .. } if error.contains(&absent.to_string())),
        "{reply:?}"
    );
    send(&open_layer(56), None);
    let (reply, _) = next_reply(56, false).await;
    assert!(
        matches!(&reply, Reply::Failed { error, cap: false, .. } if error.contains("did not reach the worker")),
        "{reply:?}"
    );
}

#[wasm_bindgen_test]
async fn each_worker_refuses_by_name_what_only_the_other_serves() {
    install();
    let digest = Digest::sha256(b"{}");
    let archive_requests = [
        Request::OpenArchive {
            job: 60,
            key: "oci-archive.tar".into(),
            paths: Vec::new(),
        },
        Request::ReadDocument {
            job: 61,
            archive: "oci-archive.tar".into(),
            digest: digest.clone(),
        },
        Request::ArchiveBlob {
            job: 62,
            archive: "oci-archive.tar".into(),
            digest: digest.clone(),
        },
    ];
    for request in &archive_requests {
        send(request, Some(&blob(OCI_ARCHIVE)));
    }
    let layer_requests = [
        open(63, "pax", None, DEFAULT_CAPS),
        Request::List {
            job: 64,
            keys: vec!["pax".into()],
            query: ListQuery::default(),
        },
        Request::DiffFiles {
            job: 65,
            left: Vec::new(),
            right: Vec::new(),
            compare_mtime: false,
            limit: 10,
        },
    ];
    for request in &layer_requests {
        send_archive(request, Some(&blob(PAX_TAR_GZ)));
    }
    for job in 60..63 {
        let (reply, _) = next_reply(job, false).await;
        assert!(
            matches!(&reply, Reply::Failed { error, cap: false, .. } if error.contains("the layer worker") && error.contains("archive worker")),
            "{job}: {reply:?}"
        );
    }
    for job in 63..66 {
        let (reply, _) = next_reply(job, false).await;
        assert!(
            matches!(&reply, Reply::Failed { error, cap: false, .. } if error.contains("the archive worker") && error.contains("layer worker")),
            "{job}: {reply:?}"
        );
    }
}
