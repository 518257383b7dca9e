//! Inspection of real-shaped documents (tests/fixtures), their digests checked against
//! `sha256sum` output recorded in tests/fixtures/DIGESTS, and a no-panic mutation loop.

mod common;
use common::Lcg;
use std::fs;
use std::path::Path;

use manifest_explorer::oci::media_type::known;
use manifest_explorer::oci::{inspect, inspect_with, Inspection, Kind, Limits, Severity};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    fs::read(Path::new(FIXTURES).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap())
        // Subdirectories hold other suites' fixtures (tests/fixtures/model).
        .filter(|entry| entry.file_type().unwrap().is_file())
        .map(|entry| entry.file_name().into_string().unwrap())
        .filter(|name| name != "DIGESTS")
        .collect();
    names.sort();
    names
}

fn has(inspection: &Inspection, severity: Severity, pointer: &str) -> bool {
    inspection
        .findings()
        .iter()
        .any(|f| f.severity == severity && f.pointer == pointer)
}

fn describe(inspection: &Inspection) -> String {
    inspection
        .findings()
        .iter()
        .map(|f| format!("\n  {:?} {:?} {}", f.severity, f.pointer, f.message))
        .collect()
}

use Severity::{Error, Info, Warning};

struct Case {
    file: &'static str,
    declared: Option<&'static str>,
    kind: Kind,
    valid: bool,
    findings: &'static [(Severity, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        file: "oci-manifest.json",
        declared: Some(known::OCI_MANIFEST),
        kind: Kind::OciManifest,
        valid: true,
        findings: &[],
    },
    Case {
        file: "oci-index.json",
        declared: None,
        kind: Kind::OciIndex,
        valid: true,
        findings: &[(Warning, "")],
    },
    Case {
        file: "oci-index-buildkit.json",
        declared: Some(known::OCI_INDEX),
        kind: Kind::OciIndex,
        valid: true,
        findings: &[],
    },
    Case {
        file: "docker-manifest.json",
        declared: Some(known::DOCKER_MANIFEST),
        kind: Kind::DockerManifest,
        valid: true,
        findings: &[],
    },
    Case {
        file: "docker-manifest-list.json",
        declared: None,
        kind: Kind::DockerManifestList,
        valid: true,
        findings: &[(Info, "/manifests/1/platform/features")],
    },
    Case {
        file: "schema1-signed.json",
        declared: Some(known::DOCKER_SCHEMA1_SIGNED_MANIFEST),
        kind: Kind::DockerSchema1 { signed: true },
        valid: true,
        findings: &[(Warning, ""), (Info, "/signatures")],
    },
    Case {
        file: "schema1-unsigned.json",
        declared: None,
        kind: Kind::DockerSchema1 { signed: false },
        valid: true,
        findings: &[(Warning, "")],
    },
    Case {
        file: "artifact-image-manifest.json",
        declared: Some(known::OCI_MANIFEST),
        kind: Kind::OciManifest,
        valid: true,
        findings: &[],
    },
    Case {
        file: "artifact-manifest-withdrawn.json",
        declared: None,
        kind: Kind::ArtifactManifest,
        valid: true,
        findings: &[(Warning, ""), (Info, "/blobs/0/mediaType")],
    },
    Case {
        file: "helm-chart-manifest.json",
        declared: Some(known::OCI_MANIFEST),
        kind: Kind::OciManifest,
        valid: true,
        findings: &[(Warning, "")],
    },
    Case {
        file: "oci-config.json",
        declared: Some(known::OCI_CONFIG),
        kind: Kind::ImageConfig { docker: false },
        valid: true,
        // The spec's own example lists two diff_ids but only one non-empty history entry.
        findings: &[(Warning, "/history")],
    },
    Case {
        file: "docker-config.json",
        declared: None,
        kind: Kind::ImageConfig { docker: true },
        valid: true,
        findings: &[],
    },
    Case {
        file: "descriptor.json",
        declared: None,
        kind: Kind::Descriptor,
        valid: true,
        findings: &[(Info, "/mediaType")],
    },
    Case {
        file: "oci-layout",
        declared: None,
        kind: Kind::OciLayout,
        valid: true,
        findings: &[],
    },
    Case {
        file: "invalid-ambiguous.json",
        declared: None,
        kind: Kind::OciIndex,
        valid: false,
        findings: &[(Error, ""), (Info, "/layers"), (Info, "/config")],
    },
    Case {
        file: "invalid-uppercase-digest.json",
        declared: None,
        kind: Kind::OciManifest,
        valid: false,
        findings: &[(Error, "/layers/1/digest")],
    },
    Case {
        file: "invalid-negative-size.json",
        declared: None,
        kind: Kind::OciManifest,
        valid: false,
        findings: &[(Error, "/layers/0/size")],
    },
    Case {
        file: "invalid-data-base64.json",
        declared: None,
        kind: Kind::OciManifest,
        valid: false,
        findings: &[(Error, "/config/data")],
    },
    Case {
        file: "invalid-duplicate-keys.json",
        declared: None,
        kind: Kind::OciManifest,
        valid: false,
        findings: &[(Error, "/layers/0/digest")],
    },
    Case {
        file: "invalid-utf8.json",
        declared: Some(known::OCI_MANIFEST),
        kind: Kind::NotJson,
        valid: false,
        findings: &[(Error, "")],
    },
    Case {
        file: "invalid-env.json",
        declared: None,
        kind: Kind::ImageConfig { docker: false },
        valid: false,
        findings: &[(Error, "/config/Env/1"), (Error, "/config/Env/2")],
    },
    Case {
        file: "invalid-platform.json",
        declared: None,
        kind: Kind::OciIndex,
        valid: false,
        findings: &[
            (Error, "/manifests/0/platform"),
            (Error, "/manifests/1/platform/architecture"),
            (Error, "/manifests/1/platform/os.features"),
        ],
    },
];

#[test]
fn fixtures_inspect_as_expected() {
    let mut covered: Vec<&str> = Vec::new();
    for case in CASES {
        let bytes = fixture(case.file);
        let inspection = inspect(&bytes, case.declared);
        let context = format!("{}: {}", case.file, describe(&inspection));
        assert_eq!(inspection.kind(), case.kind, "{context}");
        assert_eq!(inspection.is_valid(), case.valid, "{context}");
        assert_eq!(inspection.bytes(), bytes.as_slice());
        assert_eq!(inspection.size(), bytes.len() as u64);
        assert_eq!(inspection.json().is_some(), case.kind != Kind::NotJson);
        for (severity, pointer) in case.findings {
            assert!(
                has(&inspection, *severity, pointer),
                "{context}\nmissing {severity:?} at {pointer:?}"
            );
        }
        if case.valid && case.findings.is_empty() {
            assert!(inspection.findings().is_empty(), "{context}");
        }
        covered.push(case.file);
    }
    for name in fixture_names() {
        assert!(
            covered.contains(&name.as_str()),
            "no case for fixture {name}"
        );
    }
}

/// The expected digests come from `sha256sum`, not from the code under test.
#[test]
fn digests_match_sha256sum() {
    let listing = String::from_utf8(fixture("DIGESTS")).unwrap();
    let mut listed = Vec::new();
    for line in listing.lines() {
        let (hex, name) = line.split_once("  ").expect("`<hex>  <file>` line");
        let inspection = inspect(&fixture(name), None);
        assert_eq!(
            inspection.digest().to_string(),
            format!("sha256:{hex}"),
            "{name}"
        );
        listed.push(name.to_owned());
    }
    listed.sort();
    assert_eq!(listed, fixture_names(), "DIGESTS must list every fixture");
}

#[test]
fn media_type_comes_from_body_then_declaration() {
    let manifest = fixture("oci-manifest.json");
    assert_eq!(
        inspect(&manifest, Some("application/octet-stream")).media_type(),
        Some(known::OCI_MANIFEST)
    );
    let index = fixture("oci-index.json");
    assert_eq!(
        inspect(&index, Some(known::OCI_INDEX)).media_type(),
        Some(known::OCI_INDEX)
    );
    assert_eq!(inspect(&index, None).media_type(), None);
    // A descriptor's mediaType is its target's, not its own.
    let descriptor = fixture("descriptor.json");
    assert_eq!(
        inspect(&descriptor, Some(known::OCI_DESCRIPTOR)).media_type(),
        Some(known::OCI_DESCRIPTOR)
    );
}

#[test]
fn declared_type_disagreements() {
    // Manifest body served as an index: confusion, an error; the body wins.
    let i = inspect(&fixture("oci-manifest.json"), Some(known::OCI_INDEX));
    assert_eq!(i.kind(), Kind::OciManifest);
    assert!(has(&i, Error, "/mediaType"), "{}", describe(&i));

    // Same family, other format: a warning.
    let i = inspect(&fixture("docker-manifest.json"), Some(known::OCI_MANIFEST));
    assert_eq!(i.kind(), Kind::DockerManifest);
    assert!(i.is_valid());
    assert!(has(&i, Warning, "/mediaType"), "{}", describe(&i));

    // Unknown declared type vs a body type: a warning.
    let i = inspect(&fixture("oci-manifest.json"), Some("application/json"));
    assert!(has(&i, Warning, "/mediaType"), "{}", describe(&i));

    // Parameters on the declared type do not count as a disagreement.
    let declared = format!("{}; charset=utf-8", known::OCI_MANIFEST);
    let i = inspect(&fixture("oci-manifest.json"), Some(&declared));
    assert!(i.findings().is_empty(), "{}", describe(&i));

    // No body mediaType: an index declared as a manifest is still an index, with an error.
    let i = inspect(&fixture("oci-index.json"), Some(known::OCI_MANIFEST));
    assert_eq!(i.kind(), Kind::OciIndex);
    assert!(has(&i, Error, ""), "{}", describe(&i));

    // The declaration picks the Docker spelling of a shape.
    let i = inspect(
        &fixture("oci-index.json"),
        Some(known::DOCKER_MANIFEST_LIST),
    );
    assert_eq!(i.kind(), Kind::DockerManifestList);
    assert!(
        !i.is_valid(),
        "Docker lists require mediaType: {}",
        describe(&i)
    );

    // A malformed declared type is a warning, not fatal.
    // An unknown body mediaType is information only; the fields decide.
    let i = edited(
        "oci-manifest.json",
        "vnd.oci.image.manifest",
        "vnd.example.manifest",
    );
    assert_eq!(i.kind(), Kind::OciManifest);
    assert!(
        i.is_valid() && has(&i, Info, "/mediaType"),
        "{}",
        describe(&i)
    );

    let i = inspect(&fixture("oci-manifest.json"), Some("not a media type"));
    assert_eq!(i.kind(), Kind::OciManifest);
    assert!(i.is_valid());
    assert!(has(&i, Warning, ""));
}

#[test]
fn body_media_type_against_shape() {
    let text = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,
        "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
        "layers":[]}"#;
    let i = inspect(text.as_bytes(), None);
    assert_eq!(i.kind(), Kind::OciIndex);
    assert!(has(&i, Error, "/mediaType"), "{}", describe(&i));
    assert!(has(&i, Error, ""), "manifests missing: {}", describe(&i));
}

#[test]
fn limits() {
    let bytes = fixture("oci-manifest.json");
    let tight = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let i = inspect_with(&bytes, None, &tight);
    assert_eq!(i.kind(), Kind::NotJson);
    assert!(i.json().is_none());
    assert_eq!(i.findings().len(), 1);
    assert!(i.findings()[0].message.contains("limit"));
    assert_eq!(i.digest(), inspect(&bytes, None).digest());

    let shallow = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    let i = inspect_with(&bytes, None, &shallow);
    assert_eq!(i.kind(), Kind::NotJson);
    assert!(
        i.findings()[0].message.contains("nesting"),
        "{}",
        describe(&i)
    );

    let default = Limits::default();
    assert_eq!(default.max_bytes, 4 * 1024 * 1024);
    let huge = vec![b' '; default.max_bytes + 1];
    assert!(!inspect(&huge, None).is_valid());
}

#[test]
fn not_json_reports_byte_offset() {
    let i = inspect(&fixture("invalid-utf8.json"), None);
    assert!(
        i.findings()[0].message.contains("at byte 908"),
        "{}",
        describe(&i)
    );
    let i = inspect(b"{\"a\": }", None);
    assert!(
        i.findings()[0].message.contains("at byte 6"),
        "{}",
        describe(&i)
    );
    assert_eq!(inspect(b"", None).kind(), Kind::NotJson);
}

/// Replaces the first occurrence of `from` in fixture `name` with `to`.
fn edited(name: &str, from: &str, to: &str) -> Inspection {
    let text = String::from_utf8(fixture(name)).unwrap();
    assert!(text.contains(from), "{name} lacks {from:?}");
    inspect(text.replacen(from, to, 1).as_bytes(), None)
}

#[test]
fn descriptor_rules() {
    // data that is valid base64 but not the described content.
    let i = edited("descriptor.json", "\"data\": \"", "\"data\": \"AAAA");
    assert!(has(&i, Error, "/data"), "{}", describe(&i));
    let i = edited("artifact-image-manifest.json", "\"e30=\"", "\"e31=\"");
    assert!(has(&i, Error, "/config/data"), "{}", describe(&i));
    // The empty descriptor must be the two bytes `{}`.
    let i = edited("artifact-image-manifest.json", "\"size\": 2", "\"size\": 3");
    assert!(has(&i, Error, "/config"), "{}", describe(&i));
    // urls: not a URI is an error, not http(s) a warning.
    let i = edited("descriptor.json", "https://example.com", "example.com");
    assert!(has(&i, Error, "/urls/0"), "{}", describe(&i));
    let i = edited(
        "descriptor.json",
        "https://example.com",
        "ftp://example.com",
    );
    assert!(
        has(&i, Warning, "/urls/0") && i.is_valid(),
        "{}",
        describe(&i)
    );
    // Sizes: fraction, exponent, overflow.
    for size in ["7023.0", "7.023e3", "9223372036854775808"] {
        let i = edited("oci-manifest.json", "7023", size);
        assert!(has(&i, Error, "/config/size"), "{size}: {}", describe(&i));
    }
    // Digest grammar, length, unsupported algorithm (warning only).
    let i = edited("oci-manifest.json", "sha256:b5b2", "sha256:b5b");
    assert!(has(&i, Error, "/config/digest"), "{}", describe(&i));
    let i = edited("oci-manifest.json", "sha256:b5b2", "sha256-b5b2");
    assert!(has(&i, Error, "/config/digest"), "{}", describe(&i));
    let i = edited("oci-manifest.json", "sha256:b5b2", "blake3:b5b2");
    assert!(
        has(&i, Warning, "/config/digest") && i.is_valid(),
        "{}",
        describe(&i)
    );
    let i = edited("oci-manifest.json", "sha256:b5b2", "sha256:B5b2");
    let message = &i.findings()[0].message;
    assert!(
        message.contains("sha256:B5b2"),
        "names the value: {message}"
    );
    // Media types: bad syntax is an error, unknown is only info.
    let i = edited("oci-manifest.json", "v1.tar+gzip", "v1.tar+gzip; x=y");
    assert!(has(&i, Error, "/layers/0/mediaType"), "{}", describe(&i));
    let i = edited(
        "oci-manifest.json",
        "application/vnd.oci.image.layer",
        "application",
    );
    assert!(has(&i, Error, "/layers/0/mediaType"), "{}", describe(&i));
    let i = edited(
        "oci-manifest.json",
        "vnd.oci.image.layer",
        "vnd.example.layer",
    );
    assert!(
        has(&i, Info, "/layers/0/mediaType") && i.is_valid(),
        "{}",
        describe(&i)
    );
    // Missing required descriptor fields.
    let i = edited("oci-manifest.json", "\"size\": 7023,", "");
    assert!(has(&i, Error, "/config"), "{}", describe(&i));
    // Annotations are a string map.
    let i = edited("oci-manifest.json", "\"value1\"", "1");
    assert!(
        has(&i, Error, "/annotations/com.example.key1"),
        "{}",
        describe(&i)
    );
    // Unknown fields are info.
    let i = edited(
        "oci-manifest.json",
        "\"schemaVersion\": 2,",
        "\"schemaVersion\": 2, \"x\": 1,",
    );
    assert!(has(&i, Info, "/x") && i.is_valid(), "{}", describe(&i));
}

#[test]
fn manifest_rules() {
    let i = edited(
        "oci-manifest.json",
        "\"schemaVersion\": 2",
        "\"schemaVersion\": 3",
    );
    assert!(has(&i, Error, "/schemaVersion"), "{}", describe(&i));
    let i = edited(
        "oci-manifest.json",
        "\"schemaVersion\": 2",
        "\"schemaVersion\": 2.0",
    );
    assert!(has(&i, Error, "/schemaVersion"), "{}", describe(&i));
    // Empty config without artifactType.
    let i = edited(
        "artifact-image-manifest.json",
        "\"artifactType\"",
        "\"x-artifactType\"",
    );
    assert!(has(&i, Error, ""), "{}", describe(&i));
    // subject must be a descriptor.
    let i = edited(
        "artifact-image-manifest.json",
        "\"size\": 7682",
        "\"size\": \"7682\"",
    );
    assert!(has(&i, Error, "/subject/size"), "{}", describe(&i));
}

#[test]
fn index_rules() {
    // A Docker list entry needs its platform.
    let i = edited(
        "docker-manifest-list.json",
        "\"platform\": {\n        \"architecture\": \"ppc64le\",\n        \"os\": \"linux\"\n      }",
        "\"annotations\": {}",
    );
    assert!(has(&i, Error, "/manifests/0"), "{}", describe(&i));
    // OCI index entries need not have one.
    let i = edited(
        "oci-index.json",
        "\"platform\": {\n        \"architecture\": \"ppc64le\",\n        \"os\": \"linux\"\n      }",
        "\"annotations\": {}",
    );
    assert!(i.is_valid(), "{}", describe(&i));
    // An attestation pointing at no entry of the index.
    let i = edited(
        "oci-index-buildkit.json",
        "\"vnd.docker.reference.digest\":\"sha256:d2",
        "\"vnd.docker.reference.digest\":\"sha256:e2",
    );
    assert!(
        has(
            &i,
            Warning,
            "/manifests/2/annotations/vnd.docker.reference.digest"
        ),
        "{}",
        describe(&i)
    );
}

#[test]
fn schema1_rules() {
    let text = r#"{"schemaVersion":1,"name":"library/x","tag":"1","architecture":"amd64",
        "fsLayers":[{"blobSum":"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"},
                    {"blobSum":"sha256:5F70"}],
        "history":[{"v1Compatibility":"{\"id\":\"a\"}"}],
        "signatures":[{"header":{"alg":"ES256"},"signature":"x"}]}"#;
    let i = inspect(text.as_bytes(), None);
    assert_eq!(i.kind(), Kind::DockerSchema1 { signed: true });
    for pointer in ["/history", "/fsLayers/1/blobSum", "/signatures/0"] {
        assert!(has(&i, Error, pointer), "{pointer}: {}", describe(&i));
    }
    let i = edited(
        "schema1-unsigned.json",
        "\"schemaVersion\": 1",
        "\"schemaVersion\": 1, \"x\": 1",
    );
    assert!(has(&i, Info, "/x"));
    let i = edited(
        "schema1-unsigned.json",
        "\"schemaVersion\": 1",
        "\"schemaVersion\": 2",
    );
    assert_eq!(i.kind(), Kind::DockerSchema1 { signed: false });
    assert!(has(&i, Error, "/schemaVersion"), "{}", describe(&i));
}

#[test]
fn other_documents() {
    let i = inspect(b"[1, 2]", Some(known::OCI_MANIFEST));
    assert_eq!(i.kind(), Kind::OciManifest);
    assert!(has(&i, Error, ""));
    let i = inspect(b"{\"hello\": \"world\"}", None);
    assert_eq!(i.kind(), Kind::UnknownJson);
    assert!(i.is_valid() && has(&i, Info, ""));
    let i = inspect(br#"{"imageLayoutVersion": "2.0.0"}"#, None);
    assert_eq!(i.kind(), Kind::OciLayout);
    assert!(has(&i, Warning, "/imageLayoutVersion"));
    let i = edited("oci-config.json", "\"os\": \"linux\",", "");
    assert!(has(&i, Error, ""), "{}", describe(&i));
    let i = edited(
        "oci-config.json",
        "\"type\": \"layers\"",
        "\"type\": \"tar\"",
    );
    assert!(has(&i, Error, "/rootfs/type"), "{}", describe(&i));
    let i = edited(
        "oci-config.json",
        "2015-10-31T22:22:56",
        "2015-10-31 22:22:56",
    );
    assert!(has(&i, Error, "/created"), "{}", describe(&i));
}

#[test]
fn findings_are_sorted() {
    for name in fixture_names() {
        let bytes = fixture(&name);
        let i = inspect(&bytes, Some(known::OCI_INDEX));
        let severities: Vec<Severity> = i.findings().iter().map(|f| f.severity).collect();
        let mut sorted = severities.clone();
        sorted.sort();
        assert_eq!(severities, sorted, "{name}");
    }
    let text = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":-1,"digest":"x"},
        "layers":[{},{},{},{},{},{},{},{},{},{},{}]}"#;
    let i = inspect(text.as_bytes(), None);
    let pointers: Vec<&str> = i.findings().iter().map(|f| f.pointer.as_str()).collect();
    let ten = pointers.iter().position(|p| *p == "/layers/10").unwrap();
    let two = pointers.iter().position(|p| *p == "/layers/2").unwrap();
    assert!(two < ten && pointers[0] == "/config/digest", "{pointers:?}");
}

#[test]
fn mutated_fixtures_never_panic() {
    const INTERESTING: &[u8] = b"{}[]\",:0-.e\\ \xff\x00\x80u1";
    let mut rng = Lcg(0x5eed);
    let declared = [None, Some(known::OCI_MANIFEST), Some(known::OCI_INDEX)];
    for name in fixture_names() {
        let original = fixture(&name);
        for round in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(5) {
                    0 if !bytes.is_empty() => bytes[at] ^= 1 << rng.below(8),
                    1 => bytes.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
                    2 if !bytes.is_empty() => {
                        bytes.remove(at);
                    }
                    3 => bytes.truncate(at),
                    _ => {
                        if !bytes.is_empty() {
                            bytes[at] = INTERESTING[rng.below(INTERESTING.len())];
                        }
                    }
                }
            }
            // Every fourth round, garbage as the declared media type too.
            let garbage = String::from_utf8_lossy(&bytes[..bytes.len().min(48)]).into_owned();
            let declared = if round % 4 == 3 {
                Some(garbage.as_str())
            } else {
                declared[round % declared.len()]
            };
            let i = inspect(&bytes, declared);
            assert_eq!(i.bytes(), bytes.as_slice());
            let _ = (i.kind().label(), i.is_valid(), i.media_type());
        }
    }
}

/// Documents near the size limit, built so that any per-member rescan is quadratic: an object
/// of ~100,000 keys (the duplicate-key check) and an index of ~20,000 attestation entries
/// (the check that each names an entry). Linear passes take well under a second even in a
/// debug build; the former quadratic ones took minutes, freezing the page.
#[test]
fn big_documents_are_linted_in_linear_time() {
    let keys: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\":0")).collect();
    let many_keys = format!("{{{},\"k7\":1}}", keys.join(","));
    let entry = |i: usize| {
        format!(
            r#"{{"digest":"d{i}","annotations":{{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"d{}"}}}}"#,
            i + 1
        )
    };
    let entries: Vec<String> = (0..20_000).map(entry).collect();
    let attestations = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[{}]}}"#,
        known::OCI_INDEX,
        entries.join(",")
    );
    let cases: &[(&str, &str, Severity, &str)] = &[
        ("100,000 keys", &many_keys, Error, "/k7"),
        (
            "20,000 attestations",
            &attestations,
            Warning,
            "/manifests/19999/annotations/vnd.docker.reference.digest",
        ),
    ];
    for (name, text, severity, pointer) in cases {
        let start = std::time::Instant::now();
        let i = inspect(text.as_bytes(), None);
        let took = start.elapsed();
        assert!(
            has(&i, *severity, pointer),
            "{name}: no finding at {pointer}"
        );
        assert!(took.as_secs() < 5, "{name}: inspect took {took:?}");
    }
    // Only the last attestation names a digest that is not an entry.
    let i = inspect(attestations.as_bytes(), None);
    assert!(!has(
        &i,
        Warning,
        "/manifests/19998/annotations/vnd.docker.reference.digest"
    ));
}

/// `fixture` with its `layers` array emptied.
fn without_layers(name: &str) -> String {
    let mut doc: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
    doc["layers"] = serde_json::json!([]);
    doc.to_string()
}

/// `layers: []` is an error in every OCI image manifest, artifact or not: the image-spec
/// schema's `minItems: 1` (src/oci/lint.rs cites the texts); other formats keep their rules.
#[test]
fn empty_layers() {
    let artifact_without_blobs = String::from_utf8(fixture("artifact-manifest-withdrawn.json"))
        .unwrap()
        .replacen("\"blobs\"", "\"x-blobs\"", 1);
    let cases: &[(&str, String, Kind, bool)] = &[
        (
            "image",
            without_layers("oci-manifest.json"),
            Kind::OciManifest,
            true,
        ),
        (
            "artifact (empty config, artifactType)",
            without_layers("artifact-image-manifest.json"),
            Kind::OciManifest,
            true,
        ),
        (
            "Docker schema 2 (no schema constraint)",
            without_layers("docker-manifest.json"),
            Kind::DockerManifest,
            false,
        ),
        (
            "withdrawn artifact manifest (blobs OPTIONAL)",
            artifact_without_blobs,
            Kind::ArtifactManifest,
            false,
        ),
        (
            "image with one layer",
            String::from_utf8(fixture("oci-manifest.json")).unwrap(),
            Kind::OciManifest,
            false,
        ),
    ];
    for (name, text, kind, error) in cases {
        let i = inspect(text.as_bytes(), None);
        assert_eq!(i.kind(), *kind, "{name}");
        assert_eq!(
            has(&i, Error, "/layers"),
            *error,
            "{name}: {}",
            describe(&i)
        );
        assert_eq!(i.is_valid(), !*error, "{name}: {}", describe(&i));
    }
}

/// `org.opencontainers.image.{url,documentation,source}` whose value the UI would not link.
#[test]
fn url_annotations() {
    const KEYS: [&str; 3] = [
        "org.opencontainers.image.url",
        "org.opencontainers.image.documentation",
        "org.opencontainers.image.source",
    ];
    // (value, warned)
    let values: &[(&str, bool)] = &[
        ("https://github.com/example/app", false),
        ("http://docs.example:8080/app?x=1#top", false),
        ("HTTPS://EXAMPLE.COM/", false),
        ("git@github.com:example/app.git", true),
        ("ssh://git@github.com/example/app", true),
        ("github.com/example/app", true),
        ("javascript:alert(1)", true),
        ("https://github.com@evil.example/app", true),
        ("https://exa mple.com", true),
        ("", true),
    ];
    for key in KEYS {
        for (value, warned) in values {
            let annotations = format!("{{{key:?}: {value:?}, \"com.example.other\": \"x\"}}");
            // Top-level annotations, and a layer's.
            let top = edited(
                "oci-manifest.json",
                r#"{
    "com.example.key1": "value1",
    "com.example.key2": "value2"
  }"#,
                &annotations,
            );
            let pointer = format!("/annotations/{key}");
            assert_eq!(
                has(&top, Warning, &pointer),
                *warned,
                "{value:?}: {}",
                describe(&top)
            );
            let layer = edited(
                "artifact-image-manifest.json",
                r#"{
        "org.opencontainers.image.title": "sbom.spdx.json"
      }"#,
                &annotations,
            );
            let pointer = format!("/layers/0/annotations/{key}");
            assert_eq!(
                has(&layer, Warning, &pointer),
                *warned,
                "{value:?}: {}",
                describe(&layer)
            );
            // A warning: the document stays valid.
            assert!(top.is_valid() && layer.is_valid(), "{value:?}");
        }
    }
    // Other keys are not URLs by definition.
    let i = edited("oci-manifest.json", "\"value1\"", "\"git@github.com:x/y\"");
    assert!(
        !has(&i, Warning, "/annotations/com.example.key1"),
        "{}",
        describe(&i)
    );
}
