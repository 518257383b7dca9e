//! The built-in samples form a consistent content-addressed world: every file hashes (with our
//! sha2) to the digest Python's hashlib recorded, every descriptor that names a stored object
//! agrees with it on size, and every sample is a valid document of the kind its title says.

use manifest_explorer::oci::json::{self, Json, Value};
use manifest_explorer::oci::{inspect, Digest};
use manifest_explorer::samples::{Sample, Store, SAMPLES};

/// Every descriptor-shaped object (digest + size) anywhere in the document.
fn descriptors<'a>(node: &'a Json, out: &mut Vec<(&'a str, i64)>) {
    match &node.value {
        Value::Object(members) => {
            if let (Some(d), Some(s)) = (
                node.get("digest").and_then(Json::as_str),
                node.get("size").and_then(Json::as_i64),
            ) {
                out.push((d, s));
            }
            members.iter().for_each(|m| descriptors(&m.value, out));
        }
        Value::Array(items) => items.iter().for_each(|i| descriptors(i, out)),
        _ => {}
    }
}

#[test]
fn every_sample_verifies_except_the_tampered_one() {
    assert_eq!(SAMPLES.len(), 10);
    for sample in SAMPLES {
        let object = sample
            .object()
            .unwrap_or_else(|| panic!("{} has no object", sample.id));
        let actual = Digest::sha256(object.bytes);
        assert_eq!(
            actual == object.addressed_by,
            sample.id != "tampered",
            "{}: {actual} vs {}",
            sample.id,
            object.addressed_by
        );
    }
}

#[test]
fn descriptors_in_samples_agree_with_the_store() {
    let store = Store::samples();
    // 21 files besides the tampered one; the OCI and Docker amd64 configs are the same bytes.
    assert_eq!(store.len(), 20, "every distinct sample object");
    let mut linked = 0;
    for sample in SAMPLES.iter().filter(|s| s.id != "tampered") {
        let object = sample.object().unwrap();
        let json = json::parse(object.bytes, json::DEFAULT_MAX_DEPTH).unwrap();
        let mut found = Vec::new();
        descriptors(&json, &mut found);
        for (digest, size) in found {
            let digest: Digest = digest.parse().unwrap();
            if let Some(bytes) = store.get(&digest) {
                assert_eq!(bytes.len() as i64, size, "{}: size of {digest}", sample.id);
                assert_eq!(Digest::sha256(bytes), digest);
                linked += 1;
            }
        }
    }
    // index → 4 manifests, manifest → config, list → 2, docker manifest → config,
    // artifact → empty config + SBOM + subject, helm → config.
    assert_eq!(
        linked, 12,
        "links between sample entries and stored objects"
    );
}

#[test]
fn samples_are_valid_documents_of_their_kind() {
    let expected = [
        ("oci-index", "OCI image index"),
        ("oci-manifest", "OCI image manifest"),
        ("config", "OCI image config"),
        ("docker-list", "Docker manifest list"),
        ("docker-manifest", "Docker image manifest (schema 2)"),
        ("artifact", "OCI image manifest"),
        ("helm", "OCI image manifest"),
        ("tampered", "OCI image manifest"),
    ];
    for (id, kind) in expected {
        let sample = Sample::by_id(id).unwrap();
        let inspection = inspect(sample.object().unwrap().bytes, None);
        assert_eq!(inspection.kind().label(), kind, "{id}");
        assert!(inspection.is_valid(), "{id}: {:?}", inspection.findings());
    }
}

#[test]
fn store_finds_layers_for_a_config_and_referrers_of_a_subject() {
    let store = Store::samples();
    let digest_of = |id: &str| Digest::sha256(Sample::by_id(id).unwrap().object().unwrap().bytes);
    let layers = store
        .layers_for_config(&digest_of("config"))
        .expect("manifest using the config");
    assert_eq!(layers.len(), 6);
    let referrers = store.referrers(&digest_of("oci-manifest"));
    assert_eq!(
        referrers,
        vec![(
            digest_of("artifact"),
            Some("application/spdx+json".to_owned())
        )]
    );
    assert!(store.referrers(&digest_of("artifact")).is_empty());
}

#[test]
fn store_accepts_only_content_that_hashes_to_its_digest() {
    let mut store = Store::samples();
    let bytes = br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1},"layers":[]}"#.to_vec();
    let digest = Digest::sha256(&bytes);
    assert!(!store.insert_verified(Digest::sha256(b"other"), bytes.clone()));
    assert!(store.get(&digest).is_none());
    assert!(store.insert_verified(digest.clone(), bytes.clone()));
    assert_eq!(store.get(&digest), Some(bytes.as_slice()));
    let config: Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
        .parse()
        .unwrap();
    assert_eq!(store.layers_for_config(&config), Some(Vec::new()));
}
