//! The page ⇄ worker wire format: every message round-trips, and no byte string (truncated,
//! mutated or random) makes the decoder panic or allocate by a claimed count.

mod common;

use common::Lcg;
use manifest_explorer::jobs::{
    Analysis, ArchiveEntry, ArchiveSummary, CapsMsg, Culprit, DiffRow, FileDiffMsg, FileSide,
    LayerFigures, ListQuery, Mark, Reply, Request, Row, RowState, Source, Summary, WireError,
};
use manifest_explorer::oci::Digest;

fn digest(n: u8) -> Digest {
    Digest::sha256(&[n])
}

fn requests() -> Vec<Request> {
    let caps = CapsMsg {
        max_entries: 1_000_000,
        max_output: 4 << 30,
        max_ratio: 1000,
    };
    vec![
        Request::Open {
            job: 7,
            key: digest(1).to_string(),
            source: Source::Url {
                url: "http://127.0.0.1:5000/v2/a/blobs/sha256:00".into(),
                authorization: Some("Bearer x.y.z".into()),
            },
            expected: Some((digest(1), 123_456_789_012)),
            diff_id: Some(digest(2)),
            as_layer: true,
            caps,
            hash_files: true,
        },
        Request::Open {
            job: u32::MAX,
            key: "file:ü.tar".into(),
            source: Source::File {
                name: "ü.tar".into(),
            },
            expected: None,
            diff_id: None,
            as_layer: false,
            caps,
            hash_files: false,
        },
        Request::Cancel { job: 0 },
        Request::List {
            job: 3,
            keys: vec!["a".into(), "b".into()],
            query: ListQuery {
                text: "etc".into(),
                prefix: vec![0xff, b'/', 0],
                sort_by_size: true,
                show_hidden: true,
                layer: Some(4),
                up_to: true,
                offset: 100,
                limit: 50,
            },
        },
        Request::List {
            job: 4,
            keys: vec![],
            query: ListQuery::default(),
        },
        Request::ReadFile {
            job: 5,
            keys: vec!["k".into(), "l".into()],
            path: b"etc/os-release".to_vec(),
            max: 65536,
        },
        Request::Blob {
            job: 6,
            key: "k".into(),
        },
        Request::Analyse {
            job: 8,
            keys: vec!["x".into()],
        },
        Request::Clear { job: 9 },
        Request::DiffFiles {
            job: 10,
            left: vec!["a".into(), "b".into()],
            right: vec![],
            compare_mtime: true,
            limit: u32::MAX,
        },
        Request::Open {
            job: 11,
            key: digest(6).to_string(),
            source: Source::Archive {
                archive: "file:2048:image.tar".into(),
                digest: digest(6),
            },
            expected: Some((digest(6), 2048)),
            diff_id: None,
            as_layer: true,
            caps,
            hash_files: false,
        },
        Request::OpenArchive {
            job: 12,
            key: "file:2048:image.tar".into(),
            paths: vec![],
        },
        Request::OpenArchive {
            job: 13,
            key: "folder:layout".into(),
            paths: vec!["layout/index.json".into(), "layout/blobs/sha256/ab".into()],
        },
        Request::ReadDocument {
            job: 14,
            archive: "folder:layout".into(),
            digest: digest(7),
        },
        Request::ArchiveBlob {
            job: 15,
            archive: "file:2048:image.tar".into(),
            digest: digest(8),
        },
    ]
}

fn replies() -> Vec<Reply> {
    vec![
        Reply::Ready,
        Reply::Progress {
            job: 1,
            received: 10,
            total: Some(20),
            uncompressed: 30,
            entries: 4,
        },
        Reply::Progress {
            job: 1,
            received: u64::MAX,
            total: None,
            uncompressed: 0,
            entries: 0,
        },
        Reply::Opened {
            job: 2,
            summary: Summary {
                key: "k".into(),
                compression: "gzip".into(),
                size: 99,
                digest: digest(3),
                digest_verified: Some(false),
                diff_id: Some(digest(4)),
                diff_id_verified: None,
                uncompressed: 1024,
                entries: 12,
                warnings: vec!["trailing zeros".into()],
                kept: 4096,
                memory: 64 << 20,
            },
        },
        Reply::Rows {
            job: 3,
            total: 1000,
            rows: vec![
                Row {
                    path: vec![b'a', 0xfe],
                    shown: "a\\xfe".into(),
                    kind: '-',
                    mode: "-rw-r--r--".into(),
                    mtime: "1969-12-31 23:59".into(),
                    uid: 0,
                    gid: 65534,
                    size: 5,
                    link: None,
                    layer: 0,
                    state: RowState::Live,
                    mark: None,
                    flags: vec!["non-UTF-8 name".into()],
                },
                Row {
                    kind: 'l',
                    link: Some("../x".into()),
                    state: RowState::Deleted { by: 2 },
                    mark: Some(Mark::Removed),
                    ..Row::default()
                },
                Row {
                    kind: 'd',
                    state: RowState::Overwritten { by: 7 },
                    mark: Some(Mark::Modified),
                    uid: u64::MAX,
                    ..Row::default()
                },
                Row {
                    kind: 'ÿ',
                    state: RowState::Whiteout,
                    mark: Some(Mark::Added),
                    size: u64::MAX,
                    ..Row::default()
                },
            ],
        },
        Reply::File {
            job: 4,
            size: 77,
            sha256: Some(digest(5)),
            truncated: true,
        },
        Reply::Blob { job: 5, size: 1 },
        Reply::Analysis {
            job: 6,
            analysis: Analysis {
                layers: vec![LayerFigures {
                    added: 1,
                    modified: 2,
                    removed: 3,
                    bytes: 4,
                    reclaimable: 5,
                }],
                efficiency_ppm: 987_654,
                total_bytes: 10,
                reclaimable_bytes: 3,
                culprits: vec![Culprit {
                    shown: "var/cache/apt".into(),
                    reclaimable: 3,
                    copies: vec![(0, 3), (2, 9)],
                }],
            },
        },
        Reply::Cleared { job: 7, freed: 8 },
        Reply::Failed {
            job: 8,
            error: "decompression ratio above 1000:1".into(),
            cap: true,
        },
        Reply::FileDiff {
            job: 9,
            diff: FileDiffMsg {
                added: 1,
                removed: 2,
                changed: 3,
                unchanged: u64::MAX,
                added_bytes: 10,
                removed_bytes: 20,
                delta: i64::MIN,
                rows: vec![
                    DiffRow {
                        path: b"etc/\xffconf".to_vec(),
                        shown: "etc/\\xffconf".into(),
                        left: Some(FileSide {
                            kind: '-',
                            mode: 0o4755,
                            uid: 0,
                            gid: u64::MAX,
                            size: 5,
                            link: None,
                            content: Some(digest(6)),
                        }),
                        right: Some(FileSide {
                            kind: 'l',
                            mode: 0o777,
                            uid: 1,
                            gid: 2,
                            size: 0,
                            link: Some("../x".into()),
                            content: None,
                        }),
                        changed: vec!["type".into(), "link".into()],
                    },
                    DiffRow {
                        path: vec![],
                        shown: String::new(),
                        left: None,
                        right: None,
                        changed: vec![],
                    },
                ],
            },
        },
        Reply::FileDiff {
            job: 10,
            diff: FileDiffMsg {
                delta: -3,
                ..FileDiffMsg::default()
            },
        },
        Reply::Archive {
            job: 11,
            archive: ArchiveSummary {
                key: "file:1:a.tar".into(),
                format: "OCI image layout".into(),
                entries: vec![
                    ArchiveEntry {
                        tag: Some("multi".into()),
                        from: "index.json".into(),
                        digest: Some(digest(8)),
                        media_type: Some("application/vnd.oci.image.index.v1+json".into()),
                        size: Some(u64::MAX),
                        platform: None,
                        synthesized: false,
                    },
                    ArchiveEntry {
                        platform: Some("linux/arm64/v8".into()),
                        synthesized: true,
                        ..ArchiveEntry::default()
                    },
                ],
                problems: vec!["blob sha256:… is missing".into()],
                files: 7,
                blobs: 5,
                size: 2 << 30,
                read: 4265,
            },
        },
        Reply::NotAnArchive {
            job: 10,
            reason: "not a tar archive".into(),
        },
        Reply::Document {
            job: 11,
            digest: digest(9),
            synthesized: true,
        },
    ]
}

#[test]
fn every_message_round_trips() {
    for request in requests() {
        let bytes = request.encode();
        assert_eq!(
            Request::decode(&bytes).as_ref(),
            Ok(&request),
            "{request:?}"
        );
    }
    for reply in replies() {
        let bytes = reply.encode();
        assert_eq!(Reply::decode(&bytes).as_ref(), Ok(&reply), "{reply:?}");
    }
}

#[test]
fn truncated_and_extended_messages_are_errors() {
    for bytes in requests().iter().map(Request::encode) {
        for cut in 0..bytes.len() {
            assert!(
                Request::decode(&bytes[..cut]).is_err(),
                "cut at {cut} of {bytes:?}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Request::decode(&longer), Err(WireError::Trailing(1)));
    }
    for bytes in replies().iter().map(Reply::encode) {
        for cut in 0..bytes.len() {
            assert!(
                Reply::decode(&bytes[..cut]).is_err(),
                "cut at {cut} of {bytes:?}"
            );
        }
    }
}

#[test]
fn hostile_counts_and_random_bytes_do_not_panic() {
    // A Rows reply claiming 2^63 rows in a few bytes.
    let lie = [
        3u8, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
    ];
    assert!(matches!(Reply::decode(&lie), Err(WireError::TooMany(_))));
    assert!(matches!(
        Request::decode(&[42]),
        Err(WireError::UnknownTag { tag: 42, .. })
    ));
    let mut rng = Lcg(0x5eed);
    let samples: Vec<Vec<u8>> = requests()
        .iter()
        .map(Request::encode)
        .chain(replies().iter().map(Reply::encode))
        .collect();
    for round in 0..20_000 {
        let mut bytes = samples[round % samples.len()].clone();
        for _ in 0..=rng.below(4) {
            let i = rng.below(bytes.len());
            bytes[i] = rng.next() as u8;
        }
        let _ = Request::decode(&bytes);
        let _ = Reply::decode(&bytes);
        let random: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let _ = Request::decode(&random);
        let _ = Reply::decode(&random);
    }
}
