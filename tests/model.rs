//! Integration tests of the lenient views in `manifest_explorer::oci::model`, against
//! realistic fixtures in `tests/fixtures/model/` and deliberately broken documents.

use manifest_explorer::oci::json::{self, Json, Member, Span, Value};
use manifest_explorer::oci::model::index::{REFERENCE_DIGEST, REFERENCE_TYPE};
use manifest_explorer::oci::model::manifest::EMPTY_CONFIG_MEDIA_TYPE;
use manifest_explorer::oci::model::payload::{
    COSIGN_SIMPLE_SIGNING_MEDIA_TYPE, CYCLONEDX_MEDIA_TYPE, DSSE_MEDIA_TYPE,
    HELM_CONFIG_MEDIA_TYPE, IN_TOTO_MEDIA_TYPE, MAX_NESTING, SPDX_MEDIA_TYPE,
};
use manifest_explorer::oci::model::{
    human_size, label, recognise, safe_link, Annotations, CosignSimpleSigning, CycloneDxBom,
    Descriptor, DigestField, DsseEnvelope, DssePayload, EntryKind, HelmChart, ImageConfig,
    ImageManifest, InTotoStatement, InTotoSubject, Index, LayerMismatch, Payload, Platform,
    PlatformGroup, PlatformGroups, Schema1History, Schema1Manifest, SpdxDocument, Step,
};
use manifest_explorer::oci::Digest;

const FIXTURES: &[&str] = &[
    "index_buildkit.json",
    "config_docker.json",
    "manifest_docker.json",
    "schema1_signed.json",
    "helm_config.json",
    "dsse_slsa.json",
    "cosign_simple_signing.json",
    "spdx.json",
    "cyclonedx.json",
];

fn fixture(name: &str) -> Json {
    let path = format!("{}/tests/fixtures/model/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    json::parse(&bytes, json::DEFAULT_MAX_DEPTH).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn doc(text: &str) -> Json {
    json::parse(text.as_bytes(), json::DEFAULT_MAX_DEPTH).unwrap()
}

fn digest(hex_seed: &str) -> String {
    format!("sha256:{hex_seed}")
}

const AMD64: &str = "5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51";
const ARM64: &str = "f69162950f235e3cdbbad33f1f912d1a504be90d8a37d002c735d6f3e3882265";

// ---------------------------------------------------------------------------------------
// size

#[test]
fn human_size_boundaries() {
    let cases: &[(u64, &str)] = &[
        (0, "0 B"),
        (1, "1 B"),
        (512, "512 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (1075, "1.0 KiB"), // 1.0498 rounds down
        (1076, "1.1 KiB"), // 1.0508 rounds up
        (1_048_524, "1023.9 KiB"),
        (1_048_525, "1.0 MiB"), // would be 1024.0 KiB
        (1_048_575, "1.0 MiB"),
        (1_048_576, "1.0 MiB"),
        (1_572_864, "1.5 MiB"),
        (29_150_415, "27.8 MiB"),
        (1 << 30, "1.0 GiB"),
        (1 << 40, "1.0 TiB"),
        (1 << 50, "1.0 PiB"),
        (1 << 60, "1.0 EiB"),
        (u64::MAX, "16.0 EiB"),
    ];
    for &(bytes, expected) in cases {
        assert_eq!(human_size(bytes), expected, "{bytes}");
    }
}

// ---------------------------------------------------------------------------------------
// annotations

#[test]
fn annotation_labels() {
    let cases = [
        ("org.opencontainers.image.source", Some("Source")),
        ("org.opencontainers.image.ref.name", Some("Reference name")),
        (
            "org.opencontainers.image.base.digest",
            Some("Base image digest"),
        ),
        ("org.opencontainers.image.base.name", Some("Base image")),
        ("vnd.docker.reference.digest", Some("Describes")),
        ("in-toto.io/predicate-type", Some("Predicate type")),
        ("org.opencontainers.image.Source", None),
        ("com.example.custom", None),
        ("", None),
    ];
    for (key, expected) in cases {
        assert_eq!(label(key), expected, "{key}");
    }
}

#[test]
fn safe_link_accepts_plain_web_urls() {
    let ok = [
        "https://github.com/example/app",
        "http://example.com",
        "HTTPS://Example.COM/Path?q=1&r=2#frag",
        "https://example.com:8443/x",
        "https://192.168.0.1/",
        "https://[2001:db8::1]:443/x",
        "https://example.com/a%20b",
        "https://example.com/tree/v1.2.3/docs/README.md",
    ];
    for value in ok {
        assert_eq!(safe_link(value).as_deref(), Some(value), "{value}");
    }
}

#[test]
fn safe_link_rejects_hostile_values() {
    let hostile = [
        "",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "javascript://example.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "ftp://example.com/",
        "//example.com/path",
        "example.com",
        "https:example.com",
        "https://",
        "https:///path",
        "https://?q",
        "https://#x",
        " https://example.com",
        "https://example.com ",
        "https://exa mple.com",
        "https://example.com/\n",
        "https://example.com/\u{0}",
        "https://example.com/\t",
        "https://github.com@evil.example/",
        "https://user:pass@example.com/",
        "https://exаmple.com/", // Cyrillic а
        "https://example.com/\"onmouseover=\"x",
        "https://example.com/<script>",
        "https://example.com\\@evil.example",
        "https://example.com:/",
        "https://example.com:99999/",
        "https://example.com:80a/",
        "https://example.com:123456/",
        "https://.example.com/",
        "https://example..com/",
        "https://-example.com/",
        "https://example-.com/",
        "https://exa_mple.com/",
        "https://[::1/",
        "https://[zz]/",
        "https://[::1]x/",
        "https://example.com/%zz",
        "https://example.com/%4",
        "\u{202e}https://example.com",
    ];
    for value in hostile {
        assert_eq!(safe_link(value), None, "{value:?}");
    }
}

// ---------------------------------------------------------------------------------------
// descriptor

#[test]
fn descriptor_reads_every_field() {
    let json = doc(r#"{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": "sha256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51",
        "size": 7023,
        "urls": ["https://mirror.example/blob", 3],
        "annotations": {"a": "1", "n": 2, "a": "2", "org.opencontainers.image.title": "x"},
        "platform": {"architecture": "arm64", "os": "linux", "variant": "v8",
                     "os.version": "10.0", "os.features": ["win32k"], "features": ["sse4"]},
        "artifactType": "application/vnd.example+json",
        "data": "e30="
    }"#);
    let d = Descriptor::from_json(&json, "/manifests/0");
    assert_eq!(d.pointer, "/manifests/0");
    assert_eq!(d.field_pointer("digest"), "/manifests/0/digest");
    assert_eq!(
        d.media_type.as_deref(),
        Some("application/vnd.oci.image.manifest.v1+json")
    );
    let parsed: Digest = digest(AMD64).parse().unwrap();
    assert_eq!(d.digest, DigestField::Parsed(parsed.clone()));
    assert_eq!(d.digest.parsed(), Some(&parsed));
    assert_eq!(d.digest.text(), Some(digest(AMD64)));
    assert_eq!(d.size, Some(7023));
    assert_eq!(d.byte_size(), Some(7023));
    assert_eq!(d.urls, ["https://mirror.example/blob"]);
    // Duplicates kept in order for display, last one wins for lookup, non-strings skipped.
    assert_eq!(
        d.annotations,
        Annotations(vec![
            ("a".into(), "1".into()),
            ("a".into(), "2".into()),
            ("org.opencontainers.image.title".into(), "x".into()),
        ])
    );
    assert_eq!(d.annotations.get("a"), Some("2"));
    assert_eq!(d.annotations.get("n"), None);
    assert!(!d.annotations.is_empty());
    let platform = d.platform.as_ref().unwrap();
    assert_eq!(platform.to_string(), "linux/arm64/v8");
    assert_eq!(platform.os_version.as_deref(), Some("10.0"));
    assert_eq!(platform.os_features, ["win32k"]);
    assert_eq!(platform.features, ["sse4"]);
    assert!(!platform.is_unknown());
    assert_eq!(
        d.artifact_type.as_deref(),
        Some("application/vnd.example+json")
    );
    assert_eq!(d.data.as_deref(), Some("e30="));
    assert_eq!(d.decoded_data().as_deref(), Some(&b"{}"[..]));
}

#[test]
fn descriptor_survives_broken_fields() {
    // (document, expected digest field, expected size)
    let cases: &[(&str, DigestField, Option<i64>)] = &[
        (r#"{}"#, DigestField::Missing, None),
        (
            r#"{"digest": "sha256:abc", "size": -1}"#,
            DigestField::Invalid("sha256:abc".into()),
            Some(-1),
        ),
        (
            r#"{"digest": "SHA256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51"}"#,
            DigestField::Invalid(
                "SHA256:5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51".into(),
            ),
            None,
        ),
        (
            r#"{"digest": "md5:d41d8cd98f00b204e9800998ecf8427e"}"#,
            DigestField::Invalid("md5:d41d8cd98f00b204e9800998ecf8427e".into()),
            None,
        ),
        (
            r#"{"digest": 12, "size": "12"}"#,
            DigestField::Invalid("12".into()),
            None,
        ),
        (
            r#"{"digest": true, "size": 1.5}"#,
            DigestField::Invalid("true".into()),
            None,
        ),
        (
            r#"{"digest": null, "size": 1e3}"#,
            DigestField::Invalid("null".into()),
            None,
        ),
        (
            r#"{"digest": [], "size": 99999999999999999999}"#,
            DigestField::Invalid("[…]".into()),
            None,
        ),
        (
            r#"{"digest": {}, "size": null}"#,
            DigestField::Invalid("{…}".into()),
            None,
        ),
        (r#""not an object""#, DigestField::Missing, None),
        (r#"[1, 2]"#, DigestField::Missing, None),
    ];
    for (text, expected_digest, expected_size) in cases {
        let d = Descriptor::from_json(&doc(text), "/config");
        assert_eq!(&d.digest, expected_digest, "{text}");
        assert_eq!(d.digest.parsed(), None, "{text}");
        assert_eq!(d.size, *expected_size, "{text}");
        assert_eq!(d.pointer, "/config");
    }
    assert_eq!(DigestField::Missing.text(), None);

    let d = Descriptor::from_json(
        &doc(
            r#"{"mediaType": 1, "urls": "https://x", "annotations": ["a"], "platform": "linux",
                 "artifactType": {}, "data": "not base64!", "size": -5}"#,
        ),
        "/layers/0",
    );
    assert_eq!(d.media_type, None);
    assert!(d.urls.is_empty());
    assert!(d.annotations.is_empty());
    assert_eq!(d.platform, None);
    assert_eq!(d.artifact_type, None);
    assert_eq!(d.decoded_data(), None);
    assert_eq!(d.byte_size(), None);
}

#[test]
fn platform_display_and_unknown() {
    let cases = [
        (
            r#"{"os": "linux", "architecture": "amd64"}"#,
            "linux/amd64",
            false,
        ),
        (
            r#"{"os": "linux", "architecture": "arm", "variant": "v7"}"#,
            "linux/arm/v7",
            false,
        ),
        (
            r#"{"os": "unknown", "architecture": "unknown"}"#,
            "unknown/unknown",
            true,
        ),
        (
            r#"{"os": "unknown", "architecture": "amd64"}"#,
            "unknown/amd64",
            false,
        ),
        (r#"{"architecture": "amd64"}"#, "?/amd64", false),
        (r#"{"os": 1, "architecture": []}"#, "?/?", false),
        (r#"{}"#, "?/?", false),
    ];
    for (text, shown, unknown) in cases {
        let platform = Platform::from_json(&doc(text));
        assert_eq!(platform.to_string(), shown, "{text}");
        assert_eq!(platform.is_unknown(), unknown, "{text}");
    }
}

// ---------------------------------------------------------------------------------------
// manifest

#[test]
fn docker_manifest() {
    let m = ImageManifest::from_json(&fixture("manifest_docker.json"));
    assert_eq!(m.schema_version, Some(2));
    assert_eq!(
        m.media_type.as_deref(),
        Some("application/vnd.docker.distribution.manifest.v2+json")
    );
    assert_eq!(m.config.as_ref().unwrap().pointer, "/config");
    let pointers: Vec<&str> = m.layers.iter().map(|l| l.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/layers/0", "/layers/1", "/layers/2", "/layers/3"]
    );
    assert!(!m.layers_from_blobs);
    assert_eq!(m.total_size(), 7656 + 29_150_415 + 41_357_234 + 628 + 956);
    assert!(!m.is_empty_config());
    assert_eq!(m.subject, None);
    assert!(m.annotations.is_empty());
}

#[test]
fn oci_artifact_manifests() {
    let with_empty_config = doc(&format!(
        r#"{{
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.sbom+json",
        "config": {{"mediaType": "{EMPTY_CONFIG_MEDIA_TYPE}", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2, "data": "e30="}},
        "layers": [{{"mediaType": "application/spdx+json", "digest": "sha256:{AMD64}", "size": 100}}],
        "subject": {{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:{ARM64}", "size": 1609}},
        "annotations": {{"org.opencontainers.image.created": "2023-11-01T19:04:40Z"}}
    }}"#
    ));
    let m = ImageManifest::from_json(&with_empty_config);
    assert!(m.is_empty_config());
    assert_eq!(
        m.artifact_type.as_deref(),
        Some("application/vnd.example.sbom+json")
    );
    assert_eq!(m.total_size(), 102);
    let subject = m.subject.unwrap();
    assert_eq!(subject.pointer, "/subject");
    assert_eq!(subject.digest.text(), Some(digest(ARM64)));
    assert_eq!(
        m.annotations.get("org.opencontainers.image.created"),
        Some("2023-11-01T19:04:40Z")
    );

    // The withdrawn artifact manifest: `blobs`, no config.
    let artifact = doc(&format!(
        r#"{{
        "mediaType": "application/vnd.oci.artifact.manifest.v1+json",
        "artifactType": "application/vnd.example.signature",
        "blobs": [{{"mediaType": "application/octet-stream", "digest": "sha256:{AMD64}", "size": 10}},
                  {{"mediaType": "application/octet-stream", "digest": "bad", "size": -3}}]
    }}"#
    ));
    let m = ImageManifest::from_json(&artifact);
    assert!(m.layers_from_blobs);
    assert_eq!(m.config, None);
    assert_eq!(m.schema_version, None);
    assert_eq!(m.layers[1].pointer, "/blobs/1");
    assert_eq!(m.layers[1].digest, DigestField::Invalid("bad".into()));
    assert_eq!(m.total_size(), 10); // the negative size is ignored
    assert!(!m.is_empty_config());
}

#[test]
fn broken_manifests_still_build() {
    let cases = [
        ("[]", 0, false),
        ("{}", 0, false),
        (
            r#"{"layers": {}, "config": [], "schemaVersion": "2"}"#,
            0,
            true,
        ),
        (
            r#"{"layers": [1, "x", null, {}], "config": "sha256:..."}"#,
            4,
            true,
        ),
        (r#"{"layers": null, "blobs": [{}]}"#, 0, false), // layers present: blobs ignored
    ];
    for (text, layer_count, has_config) in cases {
        let m = ImageManifest::from_json(&doc(text));
        assert_eq!(m.layers.len(), layer_count, "{text}");
        assert_eq!(m.config.is_some(), has_config, "{text}");
        assert_eq!(m.schema_version, None, "{text}");
        assert_eq!(m.total_size(), 0, "{text}");
    }
}

// ---------------------------------------------------------------------------------------
// index

fn labels(entries: &[manifest_explorer::oci::model::Entry]) -> Vec<(usize, String)> {
    entries.iter().map(|e| (e.position, e.label())).collect()
}

#[test]
fn buildkit_index_groups_attestations_under_their_image() {
    let index = Index::from_json(&fixture("index_buildkit.json"));
    assert_eq!(index.schema_version, Some(2));
    assert_eq!(index.manifests.len(), 6);
    assert_eq!(
        index.annotations.get("org.opencontainers.image.source"),
        Some("https://github.com/example/app")
    );
    let PlatformGroups { groups, orphans } = index.platform_groups();

    let shown: Vec<(usize, String, Vec<usize>)> = groups
        .iter()
        .map(
            |PlatformGroup {
                 image,
                 attestations,
             }| {
                (
                    image.position,
                    image.label(),
                    attestations.iter().map(|a| a.position).collect(),
                )
            },
        )
        .collect();
    assert_eq!(
        shown,
        [
            (0, "linux/amd64".to_owned(), vec![3]),
            (1, "linux/arm64/v8".to_owned(), vec![4]),
            (2, "no platform".to_owned(), vec![]),
        ]
    );
    assert_eq!(labels(&orphans), [(5, "attestation".to_owned())]);
    assert_eq!(
        orphans[0].kind,
        EntryKind::Attestation {
            target: Some(digest(
                "f70293f3a78db37c936b1492eaaaf884d42c821629df977cbb7cbadd1c6cb686"
            ))
        }
    );
    assert_eq!(orphans[0].descriptor.pointer, "/manifests/5");
    // Never shown as a platform, although it carries unknown/unknown.
    assert!(orphans[0]
        .descriptor
        .platform
        .as_ref()
        .unwrap()
        .is_unknown());
    let attestation = &groups[0].attestations[0];
    assert_eq!(
        attestation.descriptor.annotations.get(REFERENCE_TYPE),
        Some("attestation-manifest")
    );
    assert_eq!(
        attestation.descriptor.annotations.get(REFERENCE_DIGEST),
        Some(digest(AMD64).as_str())
    );
}

#[test]
fn index_entry_kinds() {
    // (entries of `manifests`, expected (position, label) of groups, of orphans)
    type Expected<'a> = (&'a [(usize, &'a str)], &'a [(usize, &'a str)]);
    let att = |target: &str| {
        format!(
            r#"{{"digest": "sha256:{AMD64}", "platform": {{"os": "unknown", "architecture": "unknown"}},
                    "annotations": {{"vnd.docker.reference.type": "attestation-manifest",
                                     "vnd.docker.reference.digest": "{target}"}}}}"#
        )
    };
    let image = format!(
        r#"{{"digest": "sha256:{ARM64}", "platform": {{"os": "linux", "architecture": "arm64"}}}}"#
    );
    let to_image = att(&digest(ARM64));
    let to_self = att(&digest(AMD64));
    let cases: Vec<(String, Expected)> = vec![
        // Attestation before its image still groups under it.
        (
            format!("[{to_image}, {image}]"),
            (&[(1, "linux/arm64")], &[]),
        ),
        // An attestation cannot describe another attestation (or itself).
        (format!("[{to_self}]"), (&[], &[(0, "attestation")])),
        // No target annotation: orphan.
        (
            r#"[{"annotations": {"vnd.docker.reference.type": "attestation-manifest"}}]"#.into(),
            (&[], &[(0, "attestation")]),
        ),
        // Another reference type is not an attestation: shown by its platform.
        (
            r#"[{"platform": {"os": "unknown", "architecture": "unknown"},
              "annotations": {"vnd.docker.reference.type": "something-else"}}]"#
                .into(),
            (&[(0, "unknown/unknown")], &[]),
        ),
        // artifactType labels entries without platform.
        (
            r#"[{"artifactType": "application/vnd.cncf.helm.config.v1+json"}, {}]"#.into(),
            (
                &[
                    (0, "application/vnd.cncf.helm.config.v1+json"),
                    (1, "no platform"),
                ],
                &[],
            ),
        ),
        // Garbage entries and a garbage target.
        (
            format!(r#"[1, null, {}]"#, att("not a digest")),
            (
                &[(0, "no platform"), (1, "no platform")],
                &[(2, "attestation")],
            ),
        ),
    ];
    for (manifests, (groups, orphans)) in cases {
        let text = format!(r#"{{"schemaVersion": 2, "manifests": {manifests}}}"#);
        let result = Index::from_json(&doc(&text)).platform_groups();
        let got: Vec<(usize, String)> = result
            .groups
            .iter()
            .map(|g| (g.image.position, g.image.label()))
            .collect();
        let want: Vec<(usize, String)> = groups.iter().map(|&(p, l)| (p, l.to_owned())).collect();
        assert_eq!(got, want, "{manifests}");
        let want: Vec<(usize, String)> = orphans.iter().map(|&(p, l)| (p, l.to_owned())).collect();
        assert_eq!(labels(&result.orphans), want, "{manifests}");
    }

    let first = Index::from_json(&doc(&format!(r#"{{"manifests": [{to_image}, {image}]}}"#)))
        .platform_groups();
    assert_eq!(first.groups[0].attestations[0].position, 0);
    assert!(matches!(first.groups[0].image.kind, EntryKind::Platform(_)));
}

#[test]
fn broken_indexes_still_build() {
    for text in [
        "{}",
        "[]",
        r#"{"manifests": {}}"#,
        r#"{"manifests": [[]], "subject": 1, "mediaType": 2}"#,
    ] {
        let index = Index::from_json(&doc(text));
        assert_eq!(index.media_type, None, "{text}");
        assert_eq!(index.artifact_type, None, "{text}");
        let groups = index.platform_groups();
        assert!(groups.orphans.is_empty(), "{text}");
        assert_eq!(groups.groups.len(), index.manifests.len(), "{text}");
    }
    let index = Index::from_json(&doc(r#"{"manifests": [], "subject": 1}"#));
    assert_eq!(index.subject.as_ref().unwrap().pointer, "/subject");
    assert_eq!(index.platform_groups(), PlatformGroups::default());
}

// ---------------------------------------------------------------------------------------
// config

#[test]
fn docker_config_fields() {
    let c = ImageConfig::from_json(&fixture("config_docker.json"));
    assert_eq!(c.architecture.as_deref(), Some("amd64"));
    assert_eq!(c.os.as_deref(), Some("linux"));
    assert_eq!(c.variant, None);
    assert_eq!(c.os_version, None);
    assert_eq!(c.created.as_deref(), Some("2023-11-01T19:04:35.567895466Z"));
    assert_eq!(c.author, None);
    assert_eq!(c.env.len(), 2);
    assert_eq!(c.entrypoint, ["/docker-entrypoint.sh"]);
    assert_eq!(c.cmd, ["nginx", "-g", "daemon off;"]);
    assert_eq!(c.working_dir.as_deref(), Some(""));
    assert_eq!(c.user.as_deref(), Some(""));
    assert_eq!(c.exposed_ports, ["80/tcp"]);
    assert!(c.volumes.is_empty()); // `null`
    assert_eq!(
        c.labels.get("maintainer"),
        Some("NGINX Docker Maintainers <docker-maint@nginx.com>")
    );
    assert_eq!(c.stop_signal.as_deref(), Some("SIGQUIT"));
    assert_eq!(c.history.len(), 10);
    assert_eq!(c.history[1].pointer, "/history/1");
    assert!(c.history[1].empty_layer);
    assert_eq!(c.history[0].comment, None);
    assert_eq!(c.history[0].author, None);
    assert_eq!(c.diff_ids.len(), 4);
}

#[test]
fn docker_history_steps_pair_with_layers() {
    let c = ImageConfig::from_json(&fixture("config_docker.json"));
    let manifest = ImageManifest::from_json(&fixture("manifest_docker.json"));
    assert_eq!(c.mismatch(Some(&manifest.layers)), None);
    assert_eq!(c.mismatch(None), None);
    let steps = c.history_steps(Some(&manifest.layers));
    let expected: &[(&str, Option<usize>, Option<u64>)] = &[
        ("ADD file:3b1c6ba3fa8e5d9a31e7bd9fbb8ab2e0c0c02d1a7ab1e6b7d0d1b0b8f0c0d1a2 in /", Some(0), Some(29_150_415)),
        (r#"CMD ["bash"]"#, None, None),
        ("LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>", None, None),
        ("ENV NGINX_VERSION=1.25.3", None, None),
        ("RUN set -x     && groupadd --system --gid 101 nginx     && apt-get update     && apt-get install --no-install-recommends --no-install-suggests -y nginx=${NGINX_VERSION}-1~bookworm", Some(1), Some(41_357_234)),
        ("COPY file:01e75c6dd0ce317d516928a17a10d5c5e25ee4a5cc4b6e7c4a8ee7d3e1b48a0b in /", Some(2), Some(628)),
        ("COPY file:caec368f5a54f70a844a13005eb2255bed778809b3672d516e719ce2f4bce123 in /docker-entrypoint.d", Some(3), Some(956)),
        (r#"ENTRYPOINT ["/docker-entrypoint.sh"]"#, None, None),
        ("EXPOSE 80", None, None),
        (r#"CMD ["nginx" "-g" "daemon off;"]"#, None, None),
    ];
    assert_eq!(steps.len(), expected.len());
    for (step, &(instruction, layer_index, size)) in steps.iter().zip(expected) {
        assert_eq!(step.instruction.as_deref(), Some(instruction));
        assert_eq!(step.layer_index, layer_index, "{instruction}");
        assert_eq!(
            step.layer.as_ref().and_then(Descriptor::byte_size),
            size,
            "{instruction}"
        );
        assert_eq!(step.empty_layer, layer_index.is_none());
        assert_eq!(step.diff_id, layer_index.map(|i| c.diff_ids[i].clone()));
        assert_eq!(step.pointer, format!("/history/{}", step.history_index));
        assert!(step.created.is_some());
        assert_eq!(step.comment, None);
    }
    // Without the manifest: diff_ids but no descriptors.
    let steps = c.history_steps(None);
    assert!(steps.iter().all(|s| s.layer.is_none()));
    assert_eq!(steps[4].diff_id.as_deref(), Some(c.diff_ids[1].as_str()));
}

#[test]
fn history_instructions() {
    let cases = [
        // classic builder
        ("/bin/sh -c #(nop)  CMD [\"sh\"]", "CMD [\"sh\"]"),
        ("/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /"),
        (
            "/bin/sh -c apk add --no-cache curl",
            "RUN apk add --no-cache curl",
        ),
        (
            "|2 A=1 B=2 /bin/sh -c make",
            "RUN |2 A=1 B=2 /bin/sh -c make",
        ),
        // BuildKit
        (
            "RUN /bin/sh -c apt-get update # buildkit",
            "RUN /bin/sh -c apt-get update",
        ),
        ("COPY . /src # buildkit", "COPY . /src"),
        (
            "ENV PATH=/usr/local/bin:/usr/bin",
            "ENV PATH=/usr/local/bin:/usr/bin",
        ),
        ("WORKDIR /app", "WORKDIR /app"),
        // other tools: verbatim
        ("bazel build //app:image", "bazel build //app:image"),
        ("", ""),
    ];
    for (created_by, expected) in cases {
        let text = format!(
            r#"{{"history": [{{"created_by": {}}}]}}"#,
            serde_json::to_string(created_by).unwrap()
        );
        let steps = ImageConfig::from_json(&doc(&text)).history_steps(None);
        assert_eq!(
            steps[0].instruction.as_deref(),
            Some(expected),
            "{created_by}"
        );
    }
}

#[test]
fn history_mismatch_is_reported() {
    let layer = |i: usize| Descriptor::from_json(&doc(r#"{"size": 10}"#), &format!("/layers/{i}"));
    let layers: Vec<Descriptor> = (0..3).map(layer).collect();
    // (history empty_layer flags, diff_id count, manifest layer count, expected mismatch)
    type Case<'a> = (&'a [bool], usize, Option<usize>, Option<LayerMismatch>);
    let cases: &[Case] = &[
        (&[false, true, false], 2, None, None),
        (&[false, true, false], 2, Some(2), None),
        (&[], 5, Some(3), None), // no history: nothing to compare
        (
            &[false, false],
            3,
            None,
            Some(LayerMismatch {
                non_empty_history: 2,
                diff_ids: 3,
                layers: None,
            }),
        ),
        (
            &[false, false, false],
            3,
            Some(2),
            Some(LayerMismatch {
                non_empty_history: 3,
                diff_ids: 3,
                layers: Some(2),
            }),
        ),
        (&[true], 0, Some(0), None),
        (
            &[true, false],
            0,
            Some(1),
            Some(LayerMismatch {
                non_empty_history: 1,
                diff_ids: 0,
                layers: Some(1),
            }),
        ),
    ];
    for (flags, diff_ids, layer_count, expected) in cases {
        let history: Vec<String> = flags
            .iter()
            .map(|e| format!(r#"{{"created_by": "x", "empty_layer": {e}}}"#))
            .collect();
        let ids: Vec<String> = (0..*diff_ids)
            .map(|_| format!(r#""sha256:{AMD64}""#))
            .collect();
        let text = format!(
            r#"{{"history": [{}], "rootfs": {{"diff_ids": [{}]}}}}"#,
            history.join(","),
            ids.join(",")
        );
        let config = ImageConfig::from_json(&doc(&text));
        let layers = layer_count.map(|n| &layers[..n]);
        assert_eq!(&config.mismatch(layers), expected, "{text}");
        // Pairing still goes as far as it can.
        let steps: Vec<Step> = config.history_steps(layers);
        assert_eq!(steps.len(), flags.len());
    }
    let message = LayerMismatch {
        non_empty_history: 3,
        diff_ids: 2,
        layers: Some(2),
    }
    .to_string();
    assert_eq!(
        message,
        "the history has 3 layer-creating steps but rootfs has 2 diff_ids and the manifest has 2 layers; \
         steps and layers below may be paired wrongly"
    );
    let message = LayerMismatch {
        non_empty_history: 3,
        diff_ids: 2,
        layers: None,
    }
    .to_string();
    assert!(message.contains("2 diff_ids; steps"), "{message}");
}

#[test]
fn broken_configs_still_build() {
    let cases = [
        "[]",
        "{}",
        r#"{"config": [], "history": {}, "rootfs": []}"#,
        r#"{"config": {"Env": "A=1", "Cmd": "sh", "ExposedPorts": ["80"], "Labels": {"a": 1}}}"#,
        r#"{"history": [1, null, {"created_by": 5, "empty_layer": "true"}], "rootfs": {"diff_ids": [1]}}"#,
    ];
    for text in cases {
        let c = ImageConfig::from_json(&doc(text));
        assert!(
            c.env.is_empty()
                && c.cmd.is_empty()
                && c.exposed_ports.is_empty()
                && c.labels.is_empty(),
            "{text}"
        );
        assert!(c.diff_ids.is_empty(), "{text}");
        for step in c.history_steps(None) {
            assert_eq!(step.instruction, None, "{text}");
            assert!(!step.empty_layer, "{text}"); // "true" (a string) is not true
        }
    }
    assert_eq!(ImageConfig::from_json(&doc("{}")), ImageConfig::default());
}

// ---------------------------------------------------------------------------------------
// schema 1

#[test]
fn schema1_signed_manifest() {
    let m = Schema1Manifest::from_json(&fixture("schema1_signed.json"));
    assert_eq!(m.schema_version, Some(1));
    assert_eq!(m.name.as_deref(), Some("library/hello-world"));
    assert_eq!(m.tag.as_deref(), Some("latest"));
    assert_eq!(m.architecture.as_deref(), Some("amd64"));
    assert_eq!(m.fs_layers.len(), 2);
    assert_eq!(m.fs_layers[1].pointer, "/fsLayers/1");
    assert!(m.fs_layers.iter().all(|l| l.blob_sum.parsed().is_some()));
    assert_eq!(m.signature_count, 1);
    assert_eq!(
        m.key_ids,
        ["OD6I:6DRK:JXEJ:KBM4:255X:NSAA:MUSF:E4VM:ZI6W:CUN2:L4Z6:LSF4"]
    );
    let newest = &m.history[0];
    assert_eq!(newest.pointer, "/history/0");
    assert_eq!(
        newest.id.as_deref(),
        Some("1815c82652c03bfd8644afda26fb184f2ed891d921b20a0703b46768f9755c57")
    );
    assert_eq!(
        newest.parent.as_deref(),
        Some("5d1cbd7e3a1c1d4a4c6fd4d0ef1bbbc7ec7a0e19d6b54d35e3bcbbd27e0f6f12")
    );
    assert_eq!(
        newest.created.as_deref(),
        Some("2016-09-23T18:08:51.133779867Z")
    );
    assert_eq!(newest.cmd, ["/bin/sh", "-c", "#(nop) CMD [\"/hello\"]"]);
    assert!(newest.throwaway);
    assert_eq!(newest.error, None);
    assert!(!m.history[1].throwaway);
    assert_eq!(m.history[1].parent, None);
}

#[test]
fn schema1_broken_and_unsigned() {
    let m = Schema1Manifest::from_json(&doc(r#"{
        "schemaVersion": 1, "name": "x", "tag": "y",
        "fsLayers": [{"blobSum": "sha256:nope"}, {}, 3],
        "history": [{"v1Compatibility": "{not json"}, {"v1Compatibility": {"id": "x"}}, {},
                    {"v1Compatibility": "[]"}]
    }"#));
    assert_eq!(m.signature_count, 0);
    assert!(m.key_ids.is_empty());
    assert_eq!(
        m.fs_layers[0].blob_sum,
        DigestField::Invalid("sha256:nope".into())
    );
    assert_eq!(m.fs_layers[1].blob_sum, DigestField::Missing);
    assert_eq!(m.fs_layers[2].pointer, "/fsLayers/2");
    let errors: Vec<Option<&str>> = m.history.iter().map(|h| h.error.as_deref()).collect();
    assert!(
        errors[0]
            .unwrap()
            .starts_with("v1Compatibility is not JSON: "),
        "{errors:?}"
    );
    assert_eq!(
        errors[1],
        Some("v1Compatibility is missing or not a string")
    );
    assert_eq!(
        errors[2],
        Some("v1Compatibility is missing or not a string")
    );
    // Valid JSON of the wrong shape: nothing to extract, but no error either.
    assert_eq!(
        m.history[3],
        Schema1History {
            pointer: "/history/3".into(),
            ..Schema1History::default()
        }
    );

    let m = Schema1Manifest::from_json(&doc(
        r#"{"signatures": [{}, {"header": {"jwk": {"kid": 1}}}]}"#,
    ));
    assert_eq!(m.signature_count, 2);
    assert!(m.key_ids.is_empty());
    assert!(Schema1Manifest::from_json(&doc("null")).history.is_empty());
}

// ---------------------------------------------------------------------------------------
// payloads

#[test]
fn helm_chart_config() {
    let json = fixture("helm_config.json");
    let expected = Payload::Helm(HelmChart {
        name: Some("nginx".into()),
        version: Some("15.4.4".into()),
        api_version: Some("v2".into()),
        app_version: Some("1.25.3".into()),
        description: Some("NGINX Open Source is a web server that can be also used as a reverse proxy, load balancer, and HTTP cache.".into()),
        chart_type: Some("application".into()),
        keywords: ["nginx", "http", "web", "www", "reverse proxy"].map(String::from).to_vec(),
    });
    assert_eq!(
        recognise(&json, Some(HELM_CONFIG_MEDIA_TYPE)),
        Some(expected.clone())
    );
    assert_eq!(recognise(&json, None), Some(expected.clone()), "by shape");
    assert_eq!(
        recognise(
            &json,
            Some("application/vnd.cncf.helm.config.v1+json; charset=utf-8")
        ),
        Some(expected)
    );
}

#[test]
fn dsse_envelope_with_slsa_statement() {
    let json = fixture("dsse_slsa.json");
    for media_type in [Some(DSSE_MEDIA_TYPE), None] {
        let Some(Payload::Dsse(DsseEnvelope {
            payload_type,
            payload,
            signature_count,
            key_ids,
        })) = recognise(&json, media_type)
        else {
            panic!("not recognised as DSSE with {media_type:?}");
        };
        assert_eq!(payload_type.as_deref(), Some(IN_TOTO_MEDIA_TYPE));
        assert_eq!(signature_count, 1);
        assert_eq!(
            key_ids,
            ["SHA256:nzsF8x2HkHcyR6L4fy5rOwMhl5NoIDb3QPKoWSbOsKE"]
        );
        let DssePayload::Decoded {
            bytes,
            json: inner,
            recognised,
        } = payload
        else {
            panic!("payload not decoded");
        };
        assert!(bytes.starts_with(br#"{"_type":"#));
        assert!(inner.is_some());
        let Some(Payload::InToto(statement)) = recognised.map(|b| *b) else {
            panic!("inner statement not recognised");
        };
        assert_eq!(
            statement,
            InTotoStatement {
                statement_type: Some("https://in-toto.io/Statement/v0.1".into()),
                predicate_type: Some("https://slsa.dev/provenance/v0.2".into()),
                subjects: vec![InTotoSubject {
                    name: Some(
                        "pkg:docker/ghcr.io/example/app@latest?platform=linux%2Famd64".into()
                    ),
                    digests: vec![("sha256".into(), AMD64.into())],
                }],
                predicate: None, // SLSA provenance is not a payload kind of its own
            }
        );
    }
}

#[test]
fn in_toto_statement_with_sbom_predicate() {
    let spdx = String::from_utf8(
        std::fs::read(format!(
            "{}/tests/fixtures/model/spdx.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let statement = format!(
        r#"{{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://spdx.dev/Document",
            "subject": [{{"name": "_", "digest": {{"sha256": "{AMD64}"}}}}, {{"digest": 1}}, 7],
            "predicate": {spdx}}}"#
    );
    let Some(Payload::InToto(s)) = recognise(&doc(&statement), Some(IN_TOTO_MEDIA_TYPE)) else {
        panic!("not in-toto");
    };
    assert_eq!(s.subjects.len(), 3);
    assert_eq!(
        s.subjects[1],
        InTotoSubject {
            name: None,
            digests: vec![]
        }
    );
    assert!(matches!(s.predicate.as_deref(), Some(Payload::Spdx(_))));

    // The same statement inside DSSE: still within MAX_NESTING.
    let envelope = |payload_type: &str, inner: &str| {
        let encoded = base64_encode(inner.as_bytes());
        format!(r#"{{"payloadType": "{payload_type}", "payload": "{encoded}", "signatures": []}}"#)
    };
    let Some(Payload::Dsse(e)) = recognise(&doc(&envelope(IN_TOTO_MEDIA_TYPE, &statement)), None)
    else {
        panic!("not DSSE");
    };
    let DssePayload::Decoded {
        recognised: Some(inner),
        ..
    } = e.payload
    else {
        panic!()
    };
    let Payload::InToto(s) = *inner else { panic!() };
    assert!(matches!(s.predicate.as_deref(), Some(Payload::Spdx(_))));

    // Nesting is bounded: DSSE in DSSE in DSSE stops being decoded-and-recognised.
    assert_eq!(MAX_NESTING, 2);
    let level2 = envelope(
        "application/vnd.dsse.envelope.v1+json",
        &envelope(IN_TOTO_MEDIA_TYPE, &statement),
    );
    let level1 = envelope(DSSE_MEDIA_TYPE, &level2);
    let Some(Payload::Dsse(e1)) = recognise(&doc(&level1), None) else {
        panic!()
    };
    let DssePayload::Decoded {
        recognised: Some(e2),
        ..
    } = e1.payload
    else {
        panic!()
    };
    let Payload::Dsse(e2) = *e2 else { panic!() };
    let DssePayload::Decoded {
        recognised: Some(e3),
        ..
    } = e2.payload
    else {
        panic!()
    };
    let Payload::Dsse(e3) = *e3 else { panic!() };
    // The third envelope is still decoded, but its content is no longer recognised.
    let DssePayload::Decoded {
        recognised, json, ..
    } = e3.payload
    else {
        panic!()
    };
    assert!(json.is_some());
    assert_eq!(recognised, None);
}

/// Test-only encoder, to build DSSE envelopes around arbitrary payloads.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn dsse_broken_payloads() {
    let cases: &[(&str, &str)] = &[
        (r#"{"payloadType": "x", "payload": "!!!!"}"#, "invalid"),
        (r#"{"payloadType": "x", "payload": 5}"#, "missing"),
        (
            r#"{"payloadType": "x", "payload": "bm90IGpzb24="}"#,
            "not json",
        ), // "not json"
        (
            r#"{"payloadType": "application/vnd.in-toto+json", "payload": "W10="}"#,
            "unrecognised",
        ), // []
    ];
    for (text, expected) in cases {
        let Some(Payload::Dsse(e)) = recognise(&doc(text), Some(DSSE_MEDIA_TYPE)) else {
            panic!("{text}");
        };
        let got = match e.payload {
            DssePayload::Missing => "missing",
            DssePayload::Invalid(_) => "invalid",
            DssePayload::Decoded { json: None, .. } => "not json",
            DssePayload::Decoded {
                recognised: None, ..
            } => "unrecognised",
            DssePayload::Decoded { .. } => "recognised",
        };
        assert_eq!(got, *expected, "{text}");
        assert_eq!(e.signature_count, 0);
    }
}

#[test]
fn cosign_spdx_cyclonedx() {
    let cosign = Payload::CosignSimpleSigning(CosignSimpleSigning {
        docker_reference: Some("ghcr.io/example/app".into()),
        manifest_digest: Some(digest(AMD64)),
        signature_type: Some("cosign container image signature".into()),
        optional: Annotations(vec![
            ("creator".into(), "ci".into()),
            ("run".into(), "1234".into()),
        ]),
    });
    let spdx = Payload::Spdx(SpdxDocument {
        spdx_version: Some("SPDX-2.3".into()),
        name: Some("sbom".into()),
        package_count: Some(3),
        created: Some("2023-11-01T19:04:40Z".into()),
    });
    let cyclonedx = Payload::CycloneDx(CycloneDxBom {
        bom_format: Some("CycloneDX".into()),
        spec_version: Some("1.5".into()),
        component_count: Some(2),
        component_name: Some("ghcr.io/example/app".into()),
    });
    let cases = [
        (
            "cosign_simple_signing.json",
            COSIGN_SIMPLE_SIGNING_MEDIA_TYPE,
            cosign,
        ),
        ("spdx.json", SPDX_MEDIA_TYPE, spdx),
        ("cyclonedx.json", CYCLONEDX_MEDIA_TYPE, cyclonedx),
    ];
    for (name, media_type, expected) in cases {
        let json = fixture(name);
        assert_eq!(
            recognise(&json, Some(media_type)).as_ref(),
            Some(&expected),
            "{name}"
        );
        assert_eq!(
            recognise(&json, None).as_ref(),
            Some(&expected),
            "{name} by shape"
        );
        assert_eq!(
            recognise(&json, Some("application/octet-stream")).as_ref(),
            Some(&expected),
            "{name}"
        );
    }
}

#[test]
fn payload_recognition_edge_cases() {
    // (document, media type, recognised kind)
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        ("[]", Some(HELM_CONFIG_MEDIA_TYPE), None),
        ("\"x\"", None, None),
        ("{}", None, None),
        ("{}", Some(HELM_CONFIG_MEDIA_TYPE), Some("helm")), // the media type decides
        ("{}", Some(SPDX_MEDIA_TYPE), Some("spdx")),
        (
            r#"{"apiVersion": "apps/v1", "name": "x", "version": "1"}"#,
            None,
            None,
        ), // k8s-ish
        (r#"{"apiVersion": "v2", "name": "x"}"#, None, None),
        (r#"{"_type": "https://example.com/Statement"}"#, None, None),
        (r#"{"critical": {"type": "x"}}"#, None, None),
        (r#"{"spdxVersion": "2.3"}"#, None, None),
        (r#"{"bomFormat": "cyclonedx"}"#, None, None),
        (r#"{"payloadType": "x"}"#, None, None),
        (
            r#"{"payloadType": "x", "payload": null}"#,
            None,
            Some("dsse"),
        ),
        (
            r#"{"spdxVersion": "SPDX-2.3", "packages": {}}"#,
            None,
            Some("spdx"),
        ),
    ];
    for (text, media_type, expected) in cases {
        let kind = recognise(&doc(text), *media_type).map(|p| match p {
            Payload::Helm(_) => "helm",
            Payload::InToto(_) => "in-toto",
            Payload::Dsse(_) => "dsse",
            Payload::CosignSimpleSigning(_) => "cosign",
            Payload::Spdx(_) => "spdx",
            Payload::CycloneDx(_) => "cyclonedx",
        });
        assert_eq!(kind, *expected, "{text} {media_type:?}");
    }
    let Some(Payload::Spdx(s)) =
        recognise(&doc(r#"{"spdxVersion": "SPDX-2.3", "packages": {}}"#), None)
    else {
        panic!()
    };
    assert_eq!(s.package_count, None);
}

// ---------------------------------------------------------------------------------------
// robustness: every view over every fixture with every node replaced by every JSON type

fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        Value::Bool(true),
        Value::Number("-1".into()),
        Value::String("sha256:zz".into()),
        Value::Array(vec![Json {
            value: Value::Null,
            span: Span::default(),
        }]),
        Value::Object(vec![Member {
            key: "digest".into(),
            key_span: Span::default(),
            value: Json {
                value: Value::Number("1e3".into()),
                span: Span::default(),
            },
        }]),
    ]
}

/// Every copy of `json` with one node (the root included) replaced by `value`.
fn mutations(json: &Json, value: &Value) -> Vec<Json> {
    let mut out = vec![Json {
        value: value.clone(),
        span: json.span,
    }];
    match &json.value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                for mutated in mutations(item, value) {
                    let mut copy = items.clone();
                    copy[i] = mutated;
                    out.push(Json {
                        value: Value::Array(copy),
                        span: json.span,
                    });
                }
            }
        }
        Value::Object(members) => {
            for (i, member) in members.iter().enumerate() {
                for mutated in mutations(&member.value, value) {
                    let mut copy = members.clone();
                    copy[i].value = mutated;
                    out.push(Json {
                        value: Value::Object(copy),
                        span: json.span,
                    });
                }
            }
        }
        _ => {}
    }
    out
}

#[test]
fn no_view_panics_on_mutated_fixtures() {
    let mut built = 0;
    for name in FIXTURES {
        let original = fixture(name);
        for value in replacements() {
            for json in mutations(&original, &value) {
                let manifest = ImageManifest::from_json(&json);
                let _ = manifest.total_size();
                let _ = manifest.is_empty_config();
                let _ = Index::from_json(&json).platform_groups();
                let config = ImageConfig::from_json(&json);
                let _ = config.history_steps(Some(&manifest.layers));
                let _ = config.mismatch(Some(&manifest.layers));
                let _ = Schema1Manifest::from_json(&json);
                for media_type in [None, Some(DSSE_MEDIA_TYPE), Some(IN_TOTO_MEDIA_TYPE)] {
                    let _ = recognise(&json, media_type);
                }
                built += 1;
            }
        }
    }
    assert!(built > 1000, "{built}");
}
