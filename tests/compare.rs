//! The comparison model (`manifest_explorer::compare`), table-driven over small hand-made
//! manifests, configs and indexes. Expected figures are written by hand or recomputed here
//! from the descriptor lists with plain sets, never by calling the code under test.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use manifest_explorer::compare::{
    align_history, compare, diff_annotations, diff_configs, diff_files, diff_indexes, keyed_diff,
    matrix, merged_facts, pick_platform, platform_key, Attribute, Cell, ConfigOptions, FileFacts,
    FileKind, FileOptions, HistoryRow, KeyedChange, PickError,
};
use manifest_explorer::layer::{LayerReader, Listing, ReadOptions, Tree};
use manifest_explorer::oci::json;
use manifest_explorer::oci::model::{ImageConfig, ImageManifest, Index, Platform};
use manifest_explorer::oci::Digest;
use serde_json::{json, Value};
use ustar::tar_of;

mod ustar;

fn parse(value: &Value) -> json::Json {
    json::parse(value.to_string().as_bytes(), json::DEFAULT_MAX_DEPTH).unwrap()
}

/// `sha256:` + 64 hex characters made of `seed`.
fn digest(seed: &str) -> String {
    let hex: String = seed.bytes().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{:0<64}", hex)
}

/// A layer list entry: (seed, size).
type L = (&'static str, u64);

fn manifest(config: Option<L>, layers: &[L]) -> ImageManifest {
    let descriptor = |(seed, size): &L| {
        json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
               "digest": digest(seed), "size": size})
    };
    let mut doc = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "layers": layers.iter().map(descriptor).collect::<Vec<_>>(),
    });
    if let Some(config) = config {
        doc["config"] = descriptor(&config);
    }
    ImageManifest::from_json(&parse(&doc))
}

/// Figures recomputed with sets: (stored bytes of each image, shared, dedup).
fn independent(config: &[Option<L>], layers: &[&[L]]) -> (Vec<u64>, u64, u64) {
    let sets: Vec<BTreeSet<L>> = config
        .iter()
        .zip(layers)
        .map(|(c, l)| c.iter().chain(l.iter()).copied().collect())
        .collect();
    let stored = sets.iter().map(|s| s.iter().map(|b| b.1).sum()).collect();
    let all: BTreeSet<L> = sets.iter().flatten().copied().collect();
    let shared = sets
        .first()
        .map(|first| {
            first
                .iter()
                .filter(|b| sets.iter().all(|s| s.contains(b)))
                .map(|b| b.1)
                .sum()
        })
        .unwrap_or(0);
    (stored, shared, all.iter().map(|b| b.1).sum())
}

struct Case {
    name: &'static str,
    left: (Option<L>, &'static [L]),
    right: (Option<L>, &'static [L]),
    shared_layers: &'static [&'static str],
    only_left: &'static [&'static str],
    only_right: &'static [&'static str],
    config_equal: Option<bool>,
    common_base: usize,
    diverges_at: Option<usize>,
}

const CASES: &[Case] = &[
    Case {
        name: "identical",
        left: (Some(("c", 10)), &[("a", 100), ("b", 200)]),
        right: (Some(("c", 10)), &[("a", 100), ("b", 200)]),
        shared_layers: &["a", "b"],
        only_left: &[],
        only_right: &[],
        config_equal: Some(true),
        common_base: 2,
        diverges_at: None,
    },
    Case {
        name: "same base, one more layer on the right",
        left: (Some(("c1", 10)), &[("a", 100), ("b", 200)]),
        right: (Some(("c2", 11)), &[("a", 100), ("b", 200), ("n", 50)]),
        shared_layers: &["a", "b"],
        only_left: &[],
        only_right: &["n"],
        config_equal: Some(false),
        common_base: 2,
        diverges_at: Some(2),
    },
    Case {
        // By position only `a` would match; by digest b and c are shared too.
        name: "insertion in the middle",
        left: (Some(("c1", 10)), &[("a", 100), ("b", 200), ("c", 300)]),
        right: (
            Some(("c2", 10)),
            &[("a", 100), ("x", 7), ("b", 200), ("c", 300)],
        ),
        shared_layers: &["a", "b", "c"],
        only_left: &[],
        only_right: &["x"],
        config_equal: Some(false),
        common_base: 1,
        diverges_at: Some(1),
    },
    Case {
        name: "nothing shared",
        left: (Some(("c1", 10)), &[("a", 1)]),
        right: (Some(("c2", 20)), &[("b", 2), ("d", 3)]),
        shared_layers: &[],
        only_left: &["a"],
        only_right: &["b", "d"],
        config_equal: Some(false),
        common_base: 0,
        diverges_at: Some(0),
    },
    Case {
        // A layer listed twice is stored once.
        name: "duplicate layer within one image",
        left: (Some(("c", 10)), &[("a", 100), ("a", 100)]),
        right: (Some(("c", 10)), &[("a", 100)]),
        shared_layers: &["a"],
        only_left: &[],
        only_right: &[],
        config_equal: Some(true),
        common_base: 1,
        diverges_at: Some(1),
    },
    Case {
        name: "no config",
        left: (None, &[("a", 5)]),
        right: (Some(("c", 10)), &[("a", 5)]),
        shared_layers: &["a"],
        only_left: &[],
        only_right: &[],
        config_equal: None,
        common_base: 1,
        diverges_at: None,
    },
];

#[test]
fn descriptor_comparison_table() {
    for case in CASES {
        let left = manifest(case.left.0, case.left.1);
        let right = manifest(case.right.0, case.right.1);
        let c = compare(&left, &right);
        let name = case.name;
        let shared: Vec<String> = c.shared.iter().map(|s| s.digest.clone()).collect();
        let expect = |seeds: &[&str]| seeds.iter().map(|s| digest(s)).collect::<Vec<_>>();
        assert_eq!(shared, expect(case.shared_layers), "{name}: shared");
        let only = |refs: &[manifest_explorer::compare::LayerRef]| {
            refs.iter()
                .filter_map(|r| r.digest.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            only(&c.only_left),
            expect(case.only_left),
            "{name}: only left"
        );
        assert_eq!(
            only(&c.only_right),
            expect(case.only_right),
            "{name}: only right"
        );
        assert_eq!(c.config_equal, case.config_equal, "{name}: config");
        assert_eq!(c.common_base, case.common_base, "{name}: base");
        assert_eq!(c.diverges_at, case.diverges_at, "{name}: divergence");

        let (stored, shared_bytes, dedup) =
            independent(&[case.left.0, case.right.0], &[case.left.1, case.right.1]);
        assert_eq!(c.left.stored_bytes, stored[0], "{name}: left stored");
        assert_eq!(c.right.stored_bytes, stored[1], "{name}: right stored");
        assert_eq!(c.shared_bytes, shared_bytes, "{name}: shared bytes");
        assert_eq!(c.dedup_bytes, dedup, "{name}: dedup");
        assert_eq!(
            c.left.unique_bytes,
            stored[0] - shared_bytes,
            "{name}: left unique"
        );
        assert_eq!(
            c.right.unique_bytes,
            stored[1] - shared_bytes,
            "{name}: right unique"
        );
        let listed = |(config, layers): (Option<L>, &[L])| -> u64 {
            config.iter().chain(layers).map(|l| l.1).sum()
        };
        assert_eq!(c.left.listed_bytes, listed(case.left), "{name}: listed");
        assert_eq!(c.right.listed_bytes, listed(case.right), "{name}: listed");
    }
}

#[test]
fn shared_layers_carry_both_positions() {
    let case = &CASES[2];
    let c = compare(
        &manifest(case.left.0, case.left.1),
        &manifest(case.right.0, case.right.1),
    );
    let positions: Vec<(usize, usize)> = c.shared.iter().map(|s| (s.left, s.right)).collect();
    assert_eq!(positions, [(0, 0), (1, 2), (2, 3)]);
    assert_eq!(c.only_right[0].position, 1);
    assert_eq!(c.only_right[0].size, 7);
}

#[test]
fn missing_digest_and_size_are_never_shared_and_counted() {
    let doc = |size: Value| {
        parse(&json!({"schemaVersion": 2,
            "layers": [{"mediaType": "x", "size": size}, {"digest": digest("a"), "size": -1}]}))
    };
    let left = ImageManifest::from_json(&doc(json!(5)));
    let right = ImageManifest::from_json(&doc(json!(5)));
    let c = compare(&left, &right);
    // The digest-less layers are one blob each side, never shared.
    assert_eq!(c.only_left.len(), 1);
    assert_eq!(c.only_right.len(), 1);
    assert_eq!(c.only_left[0].digest, None);
    assert_eq!(c.shared.len(), 1);
    assert_eq!(c.shared[0].size, 0, "a negative size counts as 0");
    assert_eq!(c.unknown_sizes, 2);
    assert_eq!(c.common_base, 0, "a layer without digest never matches");
    assert_eq!(c.dedup_bytes, 10);
}

#[test]
fn size_conflicts_are_reported() {
    let left = manifest(None, &[("a", 100)]);
    let right = manifest(None, &[("a", 101)]);
    let c = compare(&left, &right);
    assert_eq!(c.size_conflicts, [digest("a")]);
}

#[test]
fn matrix_of_several_tags() {
    type Image = (Option<L>, &'static [L]);
    let images: [Image; 3] = [
        (Some(("c1", 1)), &[("base", 1000), ("app1", 10)]),
        (
            Some(("c2", 2)),
            &[("base", 1000), ("app2", 20), ("data", 500)],
        ),
        (Some(("c3", 3)), &[("base", 1000), ("app2", 20)]),
    ];
    let manifests: Vec<ImageManifest> = images.iter().map(|(c, l)| manifest(*c, l)).collect();
    let refs: Vec<&ImageManifest> = manifests.iter().collect();
    let m = matrix(&refs);

    // Independently: each blob's owners, then per-image unique bytes.
    let mut owners: BTreeMap<L, BTreeSet<usize>> = BTreeMap::new();
    for (i, (c, layers)) in images.iter().enumerate() {
        for blob in c.iter().chain(layers.iter()) {
            owners.entry(*blob).or_default().insert(i);
        }
    }
    assert_eq!(m.rows.len(), owners.len());
    assert_eq!(m.dedup_bytes, owners.keys().map(|b| b.1).sum::<u64>());
    for (i, figures) in m.images.iter().enumerate() {
        let unique: u64 = owners
            .iter()
            .filter(|(_, o)| o.len() == 1 && o.contains(&i))
            .map(|(b, _)| b.1)
            .sum();
        assert_eq!(figures.unique_bytes, unique, "image {i}");
    }
    let base = m
        .rows
        .iter()
        .find(|r| r.digest == Some(digest("base")))
        .unwrap();
    assert_eq!(base.cells, [Cell::Layer(0); 3]);
    assert_eq!(base.image_count(), 3);
    let app2 = m
        .rows
        .iter()
        .find(|r| r.digest == Some(digest("app2")))
        .unwrap();
    assert_eq!(app2.cells, [Cell::Absent, Cell::Layer(1), Cell::Layer(1)]);
    assert_eq!(m.rows[0].cells[0], Cell::Config);
    // By hand: 1+2+3 configs, base 1000, app1 10, app2 20, data 500.
    assert_eq!(m.dedup_bytes, 1536);
}

// ---------------------------------------------------------------------------------------
// config diff

fn config(value: Value) -> ImageConfig {
    ImageConfig::from_json(&parse(&value))
}

fn history(steps: &[(&str, &str)]) -> Value {
    Value::Array(
        steps
            .iter()
            .map(|(by, created)| json!({"created_by": by, "created": created}))
            .collect(),
    )
}

#[test]
fn config_fields_env_ports_volumes_labels() {
    let left = config(json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {
            "Env": ["PATH=/usr/bin", "A=1", "GONE=x"], "Entrypoint": ["/init"], "Cmd": ["run"],
            "User": "app", "WorkingDir": "/srv",
            "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}, "Volumes": {"/data": {}},
            "Labels": {"version": "1", "keep": "k"}
        }
    }));
    let right = config(json!({
        "architecture": "arm64", "variant": "v8", "os": "linux",
        "created": "2024-02-01T00:00:00Z",
        "config": {
            "Env": ["PATH=/usr/bin", "A=2", "NEW=y"], "Entrypoint": ["/init"], "Cmd": ["serve"],
            "User": "root", "WorkingDir": "/srv",
            "ExposedPorts": {"80/tcp": {}, "8080/tcp": {}}, "Volumes": {"/data": {}, "/logs": {}},
            "Labels": {"version": "2", "keep": "k"}
        }
    }));
    let diff = diff_configs(&left, &right, ConfigOptions::default());
    let fields: Vec<(&str, Option<&str>, Option<&str>)> = diff
        .fields
        .iter()
        .map(|f| (f.field, f.left.as_deref(), f.right.as_deref()))
        .collect();
    assert_eq!(
        fields,
        [
            ("architecture", Some("amd64"), Some("arm64")),
            ("variant", None, Some("v8")),
            ("config.User", Some("app"), Some("root")),
            (
                "created",
                Some("2024-01-01T00:00:00Z"),
                Some("2024-02-01T00:00:00Z")
            ),
        ]
    );
    let change = |key: &str, l: Option<&str>, r: Option<&str>| KeyedChange {
        key: key.into(),
        left: l.map(Into::into),
        right: r.map(Into::into),
    };
    assert_eq!(
        diff.env,
        [
            change("A", Some("A=1"), Some("A=2")),
            change("GONE", Some("GONE=x"), None),
            change("NEW", None, Some("NEW=y")),
        ]
    );
    assert_eq!(diff.entrypoint, None);
    assert_eq!(diff.cmd, Some((vec!["run".into()], vec!["serve".into()])));
    assert_eq!(diff.exposed_ports.added, ["8080/tcp"]);
    assert_eq!(diff.exposed_ports.removed, ["443/tcp"]);
    assert_eq!(diff.volumes.added, ["/logs"]);
    assert!(diff.volumes.removed.is_empty());
    assert_eq!(diff.labels, [change("version", Some("1"), Some("2"))]);
    assert!(!diff.is_empty());

    let quiet = diff_configs(
        &left,
        &right,
        ConfigOptions {
            ignore_timestamps: true,
        },
    );
    assert!(quiet.fields.iter().all(|f| f.field != "created"));
    assert!(diff_configs(&left, &left, ConfigOptions::default()).is_empty());
}

#[test]
fn env_later_entry_wins_like_docker() {
    let left = config(json!({"config": {"Env": ["A=1", "A=2"]}}));
    let right = config(json!({"config": {"Env": ["A=2"]}}));
    assert!(diff_configs(&left, &right, ConfigOptions::default())
        .env
        .is_empty());
}

/// Compact form of aligned rows: `=a` same, `-a` removed, `+a` added, `~a` same with changes.
fn rows(rows: &[HistoryRow]) -> Vec<String> {
    rows.iter()
        .map(|row| match row {
            HistoryRow::Same {
                created_by,
                changes,
                ..
            } => format!(
                "{}{}",
                if changes.is_empty() { '=' } else { '~' },
                created_by.as_deref().unwrap_or("?")
            ),
            HistoryRow::Removed { created_by, .. } => {
                format!("-{}", created_by.as_deref().unwrap_or("?"))
            }
            HistoryRow::Added { created_by, .. } => {
                format!("+{}", created_by.as_deref().unwrap_or("?"))
            }
        })
        .collect()
}

#[test]
fn history_alignment_table() {
    const T1: &str = "2024-01-01T00:00:00Z";
    const T2: &str = "2024-06-01T00:00:00Z";
    type Steps = &'static [(&'static str, &'static str)];
    let cases: &[(&str, Steps, Steps, bool, &[&str])] = &[
        (
            "insertion in the middle is one row",
            &[("a", T1), ("b", T1), ("c", T1), ("d", T1)],
            &[("a", T1), ("b", T1), ("x", T1), ("c", T1), ("d", T1)],
            false,
            &["=a", "=b", "+x", "=c", "=d"],
        ),
        (
            "replacement is a removal then an addition",
            &[("a", T1), ("b", T1), ("c", T1)],
            &[("a", T1), ("b2", T1), ("c", T1)],
            false,
            &["=a", "-b", "+b2", "=c"],
        ),
        (
            "deleted first step",
            &[("a", T1), ("b", T1)],
            &[("b", T1)],
            false,
            &["-a", "=b"],
        ),
        (
            "rebuild: timestamps differ",
            &[("a", T1), ("b", T1)],
            &[("a", T2), ("b", T2)],
            false,
            &["~a", "~b"],
        ),
        (
            "rebuild with timestamps ignored",
            &[("a", T1), ("b", T1)],
            &[("a", T2), ("b", T2)],
            true,
            &["=a", "=b"],
        ),
        ("both empty", &[], &[], false, &[]),
        ("all new", &[], &[("a", T1)], false, &["+a"]),
    ];
    for (name, left, right, ignore, expected) in cases {
        let left = config(json!({ "history": history(left) }));
        let right = config(json!({ "history": history(right) }));
        let options = ConfigOptions {
            ignore_timestamps: *ignore,
        };
        let aligned = align_history(&left.history, &right.history, options);
        assert_eq!(rows(&aligned), *expected, "{name}");
    }
}

#[test]
fn history_indices_point_into_each_side() {
    let left = config(json!({ "history": history(&[("a", ""), ("b", "")]) }));
    let right = config(json!({ "history": history(&[("x", ""), ("a", ""), ("b", "")]) }));
    let aligned = align_history(&left.history, &right.history, ConfigOptions::default());
    assert!(matches!(aligned[0], HistoryRow::Added { right: 0, .. }));
    assert!(matches!(
        aligned[1],
        HistoryRow::Same {
            left: 0,
            right: 1,
            ..
        }
    ));
    assert!(matches!(
        aligned[2],
        HistoryRow::Same {
            left: 1,
            right: 2,
            ..
        }
    ));
}

#[test]
fn long_histories_stay_linear_around_the_middle() {
    // 3000 × 3001 steps would be 9M cells; trimming prefix and suffix leaves 0 × 1.
    let steps: Vec<String> = (0..3000).map(|i| format!("RUN step {i}")).collect();
    let mut inserted = steps.clone();
    inserted.insert(1500, "RUN new".into());
    let hist = |s: &[String]| json!({"history": s.iter().map(|b| json!({"created_by": b})).collect::<Vec<_>>()});
    let (left, right) = (config(hist(&steps)), config(hist(&inserted)));
    let aligned = align_history(&left.history, &right.history, ConfigOptions::default());
    assert_eq!(aligned.len(), 3001);
    let added: Vec<&HistoryRow> = aligned
        .iter()
        .filter(|r| matches!(r, HistoryRow::Added { .. }))
        .collect();
    assert_eq!(added.len(), 1);
    assert!(matches!(added[0], HistoryRow::Added { right: 1500, .. }));

    // Two unrelated 2100-step histories exceed the alignment cap: all removed, all added.
    let other: Vec<String> = (0..2100).map(|i| format!("RUN other {i}")).collect();
    let mine: Vec<String> = (0..2100).map(|i| format!("RUN mine {i}")).collect();
    let aligned = align_history(
        &config(hist(&mine)).history,
        &config(hist(&other)).history,
        ConfigOptions::default(),
    );
    assert_eq!(aligned.len(), 4200);
    assert!(aligned
        .iter()
        .all(|r| !matches!(r, HistoryRow::Same { .. })));
}

// ---------------------------------------------------------------------------------------
// annotations and index diff

#[test]
fn keyed_diff_table() {
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    type P = &'static [(&'static str, &'static str)];
    type Expected = &'static [(&'static str, Option<&'static str>, Option<&'static str>)];
    let cases: &[(P, P, Expected)] = &[
        (&[], &[], &[]),
        (&[("a", "1")], &[("a", "1")], &[]),
        (&[("a", "1")], &[("a", "2")], &[("a", Some("1"), Some("2"))]),
        (&[("a", "1")], &[], &[("a", Some("1"), None)]),
        (&[], &[("b", "1")], &[("b", None, Some("1"))]),
        // duplicate keys: the last value counts on both sides
        (&[("a", "1"), ("a", "2")], &[("a", "2")], &[]),
        (
            &[("z", "1"), ("a", "1")],
            &[("m", "1")],
            &[
                ("a", Some("1"), None),
                ("m", None, Some("1")),
                ("z", Some("1"), None),
            ],
        ),
    ];
    for (left, right, expected) in cases {
        let got = keyed_diff(&pairs(left), &pairs(right));
        let got: Vec<(&str, Option<&str>, Option<&str>)> = got
            .iter()
            .map(|c| (c.key.as_str(), c.left.as_deref(), c.right.as_deref()))
            .collect();
        assert_eq!(got, *expected, "{left:?} → {right:?}");
    }
}

#[test]
fn manifest_annotations_diff() {
    let doc = |a: Value| ImageManifest::from_json(&parse(&json!({"annotations": a})));
    let left = doc(json!({"org.opencontainers.image.version": "1.0"}));
    let right = doc(json!({"org.opencontainers.image.version": "1.1"}));
    let diff = diff_annotations(&left.annotations, &right.annotations);
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].right.as_deref(), Some("1.1"));
}

fn platform_entry(seed: &str, platform: Value) -> Value {
    json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": digest(seed), "size": 100, "platform": platform})
}

fn attestation(seed: &str, target: &str) -> Value {
    json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": digest(seed), "size": 50,
           "platform": {"os": "unknown", "architecture": "unknown"},
           "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                           "vnd.docker.reference.digest": digest(target)}})
}

fn index(manifests: Vec<Value>, annotations: Value) -> Index {
    Index::from_json(&parse(&json!({"schemaVersion": 2, "manifests": manifests,
                                    "annotations": annotations})))
}

#[test]
fn index_diff_platforms_and_attestations() {
    let amd = json!({"os": "linux", "architecture": "amd64"});
    let arm64 = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let armv7 = json!({"os": "linux", "architecture": "arm", "variant": "v7"});
    let armv6 = json!({"os": "linux", "architecture": "arm", "variant": "v6"});
    let left = index(
        vec![
            platform_entry("amd1", amd.clone()),
            platform_entry("arm64", arm64.clone()),
            platform_entry("v6", armv6.clone()),
            attestation("att-amd1", "amd1"),
            attestation("att-arm64", "arm64"),
        ],
        json!({"org.opencontainers.image.created": "2024"}),
    );
    let right = index(
        vec![
            platform_entry("amd2", amd),
            platform_entry("v7", armv7),
            platform_entry("v6", armv6),
            attestation("att-amd2", "amd2"),
        ],
        json!({"org.opencontainers.image.created": "2025"}),
    );
    let diff = diff_indexes(&left, &right);
    let keys = |sides: &[manifest_explorer::compare::IndexSide]| {
        sides.iter().map(|s| s.key.clone()).collect::<Vec<_>>()
    };
    assert_eq!(keys(&diff.added), ["linux/arm/v7"]);
    assert_eq!(keys(&diff.removed), ["linux/arm64/v8"]);
    assert_eq!(diff.unchanged, ["linux/arm/v6"]);
    assert_eq!(diff.changed.len(), 1);
    let change = &diff.changed[0];
    assert_eq!(change.left.key, "linux/amd64");
    assert!(change.digest_changed());
    assert!(change.attestations_changed());
    assert_eq!(change.left.attestations, [digest("att-amd1")]);
    assert_eq!(change.right.attestations, [digest("att-amd2")]);
    assert_eq!(diff.removed[0].attestations, [digest("att-arm64")]);
    let every_key = diff
        .added
        .iter()
        .chain(&diff.removed)
        .map(|s| s.key.clone())
        .chain(diff.unchanged.clone())
        .chain(diff.changed.iter().map(|c| c.left.key.clone()));
    for key in every_key {
        assert!(
            !key.contains("unknown"),
            "attestation shown as a platform: {key}"
        );
    }
    assert_eq!(diff.annotations.len(), 1);
}

#[test]
fn platform_key_distinguishes_os_version_and_variant() {
    let p = |v: Value| Platform::from_json(&parse(&v));
    let cases = [
        (
            json!({"os": "linux", "architecture": "arm", "variant": "v7"}),
            "linux/arm/v7",
        ),
        (
            json!({"os": "windows", "architecture": "amd64", "os.version": "10.0.17763.1879"}),
            "windows/amd64 10.0.17763.1879",
        ),
        (
            json!({"os": "windows", "architecture": "amd64", "os.version": "10.0.20348.1",
                   "os.features": ["win32k"]}),
            "windows/amd64 10.0.20348.1 +win32k",
        ),
    ];
    for (platform, key) in cases {
        assert_eq!(platform_key(&p(platform)), key);
    }
    // Two Windows builds are two entries, not one changed entry.
    let w = |seed, version| {
        platform_entry(
            seed,
            json!({"os": "windows", "architecture": "amd64", "os.version": version}),
        )
    };
    let left = index(vec![w("w1", "10.0.17763.1")], json!({}));
    let right = index(vec![w("w2", "10.0.20348.1")], json!({}));
    let diff = diff_indexes(&left, &right);
    assert_eq!(
        (diff.added.len(), diff.removed.len(), diff.changed.len()),
        (1, 1, 0)
    );
}

#[test]
fn duplicate_platforms_are_matched_in_order() {
    let amd = json!({"os": "linux", "architecture": "amd64"});
    let left = index(
        vec![
            platform_entry("a1", amd.clone()),
            platform_entry("a2", amd.clone()),
        ],
        json!({}),
    );
    let right = index(vec![platform_entry("a1", amd)], json!({}));
    let diff = diff_indexes(&left, &right);
    assert_eq!(diff.unchanged, ["linux/amd64"]);
    assert_eq!(diff.removed.len(), 1);
    assert_eq!(diff.removed[0].key, "linux/amd64 #2");
}

// ---------------------------------------------------------------------------------------
// file diff

fn file(path: &str, size: u64, content: Option<&str>) -> FileFacts {
    FileFacts {
        path: path.as_bytes().to_vec(),
        kind: FileKind::Regular,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size,
        link: None,
        content: content.map(|c| Digest::sha256(c.as_bytes())),
        mtime: 1_700_000_000,
    }
}

#[test]
fn file_diff_table() {
    let base = file("etc/conf", 10, Some("ten bytes!"));
    type Edit = fn(&mut FileFacts);
    let cases: &[(&str, Edit, &[Attribute])] = &[
        ("unchanged", |_| {}, &[]),
        (
            "mtime only is not a change by default",
            |f| f.mtime += 60,
            &[],
        ),
        ("mode", |f| f.mode = 0o755, &[Attribute::Mode]),
        (
            "owner",
            |f| {
                f.uid = 1000;
                f.gid = 1000
            },
            &[Attribute::Uid, Attribute::Gid],
        ),
        (
            "content and size",
            |f| {
                f.size = 11;
                f.content = Some(Digest::sha256(b"eleven byte"))
            },
            &[Attribute::Size, Attribute::Content],
        ),
        (
            "same size, other content",
            |f| f.content = Some(Digest::sha256(b"other")),
            &[Attribute::Content],
        ),
        ("unknown content is not a change", |f| f.content = None, &[]),
        (
            "file became a symlink",
            |f| {
                f.kind = FileKind::Symlink;
                f.size = 0;
                f.link = Some(b"/etc/other".to_vec());
                f.content = None
            },
            &[Attribute::Kind, Attribute::Size, Attribute::Link],
        ),
    ];
    for (name, edit, expected) in cases {
        let mut right = base.clone();
        edit(&mut right);
        let diff = diff_files(vec![base.clone()], vec![right], FileOptions::default());
        let got: Vec<Attribute> = diff.changed.iter().flat_map(|c| c.changed.iter()).collect();
        assert_eq!(got, *expected, "{name}");
        assert_eq!(diff.unchanged, usize::from(expected.is_empty()), "{name}");
        assert!(diff.added.is_empty() && diff.removed.is_empty(), "{name}");
    }
    let mut later = base.clone();
    later.mtime += 1;
    let diff = diff_files(
        vec![base],
        vec![later],
        FileOptions {
            compare_mtime: true,
        },
    );
    assert!(diff.changed[0].changed.contains(Attribute::Mtime));
}

#[test]
fn file_diff_added_removed_unsorted_and_duplicates() {
    let left = vec![
        file("usr/bin/old", 300, None),
        file("a", 1, Some("a")),
        file("etc/conf", 10, Some("x")),
        file("etc/conf", 12, Some("y")), // listed twice: the last one counts
    ];
    let right = vec![
        file("etc/conf", 12, Some("y")),
        file("usr/lib/new.so", 5000, None),
        file("a", 1, Some("a")),
        file("b", 2, None),
    ];
    let mut diff = diff_files(left, right, FileOptions::default());
    let paths = |files: &[FileFacts]| {
        files
            .iter()
            .map(|f| String::from_utf8_lossy(&f.path).into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&diff.added), ["b", "usr/lib/new.so"]);
    assert_eq!(paths(&diff.removed), ["usr/bin/old"]);
    assert!(diff.changed.is_empty());
    assert_eq!(diff.unchanged, 2);
    assert_eq!(diff.duplicates, 1);
    assert_eq!(diff.added_bytes(), 5002);
    assert_eq!(diff.removed_bytes(), 300);
    assert_eq!(diff.size_delta(), 4702);
    diff.sort_by_size_change();
    assert_eq!(paths(&diff.added), ["usr/lib/new.so", "b"]);
}

#[test]
fn changed_files_sort_by_size_change() {
    let left = vec![
        file("small", 100, None),
        file("big", 100, None),
        file("shrunk", 1000, None),
    ];
    let right = vec![
        file("small", 101, None),
        file("big", 9000, None),
        file("shrunk", 10, None),
    ];
    let mut diff = diff_files(left, right, FileOptions::default());
    diff.sort_by_size_change();
    let order: Vec<(&[u8], i128)> = diff
        .changed
        .iter()
        .map(|c| (c.left.path.as_slice(), c.size_delta()))
        .collect();
    assert_eq!(
        order,
        [(&b"big"[..], 8900), (b"shrunk", -990), (b"small", 1)]
    );
}

#[test]
fn non_utf8_paths_are_compared_as_bytes() {
    let mut odd = file("x", 1, None);
    odd.path = vec![b'n', 0xff, b'e'];
    let diff = diff_files(vec![odd.clone()], vec![odd], FileOptions::default());
    assert_eq!(diff.unchanged, 1);
}

// ---------------------------------------------------------------------------------------
// benchmarks (printed, not asserted on time)

#[test]
fn benchmark_descriptor_comparison_of_50_layer_images() {
    let layers = |prefix: &str| -> Vec<(String, u64)> {
        (0..50)
            .map(|i| (format!("{prefix}{i}"), 1_000_000 + i as u64))
            .collect()
    };
    let build = |layers: &[(String, u64)]| {
        let doc = json!({"schemaVersion": 2,
            "config": {"digest": digest("cfg"), "size": 1000},
            "layers": layers.iter().map(|(s, n)| json!({"digest": digest(s), "size": n})).collect::<Vec<_>>()});
        ImageManifest::from_json(&parse(&doc))
    };
    let left_layers = layers("L");
    let mut right_layers = left_layers[..30].to_vec();
    right_layers.extend(layers("R").into_iter().take(20));
    let (left, right) = (build(&left_layers), build(&right_layers));
    let runs = 1000;
    let start = Instant::now();
    let mut shared = 0;
    for _ in 0..runs {
        shared = compare(&left, &right).shared.len();
    }
    let elapsed = start.elapsed();
    assert_eq!(shared, 30);
    println!(
        "benchmark: descriptor comparison of two 50-layer images: {:.1} µs each ({runs} runs)",
        elapsed.as_secs_f64() * 1e6 / f64::from(runs)
    );
}

#[test]
fn benchmark_file_diff_of_100k_entries() {
    let n = 100_000;
    let left: Vec<FileFacts> = (0..n)
        .map(|i| {
            file(
                &format!("usr/share/pkg{:03}/file{i:06}", i % 500),
                i as u64,
                None,
            )
        })
        .collect();
    // Every 100th file is removed, every other 10th file grows, 1000 files are new; the
    // right list comes in reverse order, so the diff has to sort it.
    let mut right: Vec<FileFacts> = left
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 100 != 0)
        .map(|(i, f)| {
            let mut f = f.clone();
            if i % 10 == 0 {
                f.size += 1;
            }
            f
        })
        .collect();
    right.extend((0..1000).map(|i| file(&format!("opt/new/{i}"), 1, None)));
    right.reverse();
    let start = Instant::now();
    let diff = diff_files(left, right, FileOptions::default());
    let elapsed = start.elapsed();
    assert_eq!(diff.added.len(), 1000);
    assert_eq!(diff.removed.len(), n / 100);
    assert_eq!(diff.changed.len(), n / 10 - n / 100);
    assert_eq!(diff.unchanged, n - n / 10);
    println!(
        "benchmark: file diff of two {n}-entry lists: {:.1} ms ({} changed, {} removed, {} added)",
        elapsed.as_secs_f64() * 1e3,
        diff.changed.len(),
        diff.removed.len(),
        diff.added.len()
    );
}

/// (wanted, preferred, the picked entry's seed or a text the error must contain).
type PickCase = (
    Option<&'static str>,
    Option<&'static str>,
    Result<&'static str, &'static str>,
);

#[test]
fn platform_pick_wanted_preferred_or_first() {
    let arm = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let amd = json!({"os": "linux", "architecture": "amd64"});
    let win = json!({"os": "windows", "architecture": "amd64", "os.version": "10.0.1"});
    let idx = index(
        vec![
            attestation("att", "arm"),
            platform_entry("arm", arm),
            platform_entry("amd", amd),
            platform_entry("win", win),
        ],
        json!({}),
    );
    let cases: &[PickCase] = &[
        (None, None, Ok("arm")),
        (Some("linux/amd64"), None, Ok("amd")),
        // A prefix at a component boundary: the variant and os.version may be left out.
        (Some("linux/arm64"), None, Ok("arm")),
        (Some("windows/amd64"), None, Ok("win")),
        (Some("linux/arm"), None, Err("linux/arm")),
        (Some("unknown/unknown"), None, Err("unknown/unknown")),
        // The other side's platform is preferred when this side has it.
        (None, Some("linux/amd64"), Ok("amd")),
        (None, Some("linux/s390x"), Ok("arm")),
        // What the person asked for wins over the preference.
        (Some("linux/arm64/v8"), Some("linux/amd64"), Ok("arm")),
    ];
    for &(wanted, prefer, expected) in cases {
        let got = pick_platform(&idx, wanted, prefer);
        match expected {
            Ok(seed) => assert_eq!(
                got.unwrap().descriptor.digest.text(),
                Some(digest(seed)),
                "{wanted:?} {prefer:?}"
            ),
            Err(name) => {
                let message = got.unwrap_err().to_string();
                assert!(message.contains(name), "{message}");
                // The error lists what there is, never the attestation.
                let available = message.split("it has: ").nth(1).unwrap();
                assert_eq!(
                    available,
                    "linux/arm64/v8, linux/amd64, windows/amd64 10.0.1"
                );
            }
        }
    }
    let only_attestations = index(vec![attestation("att", "gone")], json!({}));
    assert_eq!(
        pick_platform(&only_attestations, None, None),
        Err(PickError::NoImages)
    );
}

fn listing(tar: &[u8]) -> Listing {
    let mut reader = LayerReader::new(
        None,
        None,
        ReadOptions {
            hash_files: true,
            ..ReadOptions::default()
        },
    );
    reader.push(tar).unwrap();
    reader.finish().unwrap().listing
}

#[test]
fn file_diff_of_two_merged_trees_from_real_tars() {
    let base = tar_of(&[
        ("etc/", b'5', 0o755, b"", ""),
        ("etc/conf", b'0', 0o644, b"colour=red\n", ""),
        ("etc/old.txt", b'0', 0o644, b"to be removed\n", ""),
        ("etc/same", b'0', 0o644, b"unchanged\n", ""),
        ("bin/tool", b'0', 0o644, b"#!/bin/sh\n", ""),
        ("bin/sh", b'2', 0o777, b"", "busybox"),
    ]);
    let upper = tar_of(&[
        ("etc/.wh.old.txt", b'0', 0o644, b"", ""),
        // Same size, other bytes: only the content digest tells.
        ("etc/conf", b'0', 0o644, b"colour=blu\n", ""),
        ("bin/tool", b'0', 0o755, b"#!/bin/sh\n", ""),
        ("bin/sh", b'2', 0o777, b"", "dash"),
        ("srv/new.bin", b'0', 0o600, &[7u8; 3000], ""),
    ]);
    let left = merged_facts(&Tree::from_layers([listing(&base)]));
    let right = merged_facts(&Tree::from_layers([listing(&base), listing(&upper)]));
    // Implicit parent directories (bin, srv) have no entry: nothing to compare.
    let paths = |f: &[FileFacts]| -> Vec<String> {
        f.iter()
            .map(|f| String::from_utf8_lossy(&f.path).into_owned())
            .collect()
    };
    let mut left_paths = paths(&left);
    left_paths.sort();
    assert_eq!(
        left_paths,
        [
            "bin/sh",
            "bin/tool",
            "etc",
            "etc/conf",
            "etc/old.txt",
            "etc/same"
        ]
    );
    let conf = left.iter().find(|f| f.path == b"etc/conf").unwrap();
    assert_eq!(conf.content, Some(Digest::sha256(b"colour=red\n")));
    assert_eq!(conf.kind, FileKind::Regular);
    let mut d = diff_files(left, right, FileOptions::default());
    d.sort_by_size_change();
    assert_eq!(paths(&d.added), ["srv/new.bin"]);
    assert_eq!(paths(&d.removed), ["etc/old.txt"]);
    let changed: Vec<(String, Vec<Attribute>)> = d
        .changed
        .iter()
        .map(|c| {
            (
                String::from_utf8_lossy(&c.left.path).into_owned(),
                c.changed.iter().collect(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("bin/sh".to_owned(), vec![Attribute::Link]),
            ("bin/tool".to_owned(), vec![Attribute::Mode]),
            ("etc/conf".to_owned(), vec![Attribute::Content]),
        ]
    );
    assert_eq!(d.unchanged, 2, "etc and etc/same");
    assert_eq!(d.size_delta(), 3000 - 14);
}
