//! The built-in offline samples: a small content-addressed world (index → manifests →
//! configs, attestations, an SBOM referring to its subject, a Helm chart, schema 1, a DSSE
//! envelope) written by `scripts/make-samples.py`, so every view and every digest link works
//! with no registry at all.
//!
//! The digest each file is addressed by comes from `samples/SHA256SUMS`, written by Python's
//! hashlib; the app hashes the bytes again with `sha2` before calling anything verified, so a
//! sample is checked exactly like a download.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::oci::json;
use crate::oci::model::{Descriptor, ImageManifest};
use crate::oci::Digest;

/// Every sample file, by name.
macro_rules! sample_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../samples/", $name)) as &[u8])),*]
    };
}

static FILES: &[(&str, &[u8])] = sample_files![
    "artifact-sbom.json",
    "attestation-amd64.json",
    "attestation-arm64.json",
    "config-amd64.json",
    "config-arm64v8.json",
    "config-docker-amd64.json",
    "config-docker-armv7.json",
    "dsse-envelope.json",
    "empty.json",
    "helm-config.json",
    "helm-manifest.json",
    "index.json",
    "manifest-amd64.json",
    "manifest-arm64v8.json",
    "manifest-docker-amd64.json",
    "manifest-docker-armv7.json",
    "manifest-list.json",
    "provenance-amd64.json",
    "provenance-arm64.json",
    "sbom.spdx.json",
    "schema1.json",
    "tampered-manifest-amd64.json",
];

static SUMS: &str = include_str!("../samples/SHA256SUMS");

/// A sample on the start page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub id: &'static str,
    pub title: &'static str,
    pub file: &'static str,
    /// The file whose digest this sample is addressed by: itself, except for the tampered
    /// sample, which claims to be another file.
    pub addressed_as: &'static str,
}

const fn sample(id: &'static str, title: &'static str, file: &'static str) -> Sample {
    Sample {
        id,
        title,
        file,
        addressed_as: file,
    }
}

pub static SAMPLES: &[Sample] = &[
    sample(
        "oci-index",
        "OCI index from buildx, with attestations",
        "index.json",
    ),
    sample("oci-manifest", "OCI image manifest", "manifest-amd64.json"),
    sample(
        "config",
        "Image config with a long history",
        "config-amd64.json",
    ),
    sample("docker-list", "Docker manifest list", "manifest-list.json"),
    sample(
        "docker-manifest",
        "Docker v2 manifest",
        "manifest-docker-amd64.json",
    ),
    sample("schema1", "Docker schema 1 (signed)", "schema1.json"),
    sample(
        "artifact",
        "SBOM artifact with subject and empty config",
        "artifact-sbom.json",
    ),
    sample("helm", "Helm chart", "helm-manifest.json"),
    sample(
        "dsse",
        "DSSE envelope with in-toto provenance",
        "dsse-envelope.json",
    ),
    Sample {
        id: "tampered",
        title: "Tampered manifest (digest mismatch)",
        file: "tampered-manifest-amd64.json",
        addressed_as: "manifest-amd64.json",
    },
];

/// A sample's bytes and the digest it claims to have.
#[derive(Clone, Debug)]
pub struct Object {
    pub bytes: &'static [u8],
    pub addressed_by: Digest,
}

/// The digest recorded in SHA256SUMS for `file`.
fn recorded_digest(file: &str) -> Option<Digest> {
    SUMS.lines().find_map(|line| {
        let (hex, name) = line.split_once("  ")?;
        (name == file)
            .then(|| format!("sha256:{hex}").parse().ok())
            .flatten()
    })
}

fn file_bytes(file: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == file).map(|(_, b)| *b)
}

impl Sample {
    pub fn by_id(id: &str) -> Option<Sample> {
        SAMPLES.iter().copied().find(|s| s.id == id)
    }

    /// The sample's entry document.
    pub fn object(&self) -> Option<Object> {
        Some(Object {
            bytes: file_bytes(self.file)?,
            addressed_by: recorded_digest(self.addressed_as)?,
        })
    }
}

/// The content-addressed store behind digest links: every sample file by its recorded digest,
/// plus every manifest fetched and verified in this tab (so a config reached from a registry
/// manifest still finds its layers). The tampered sample is reachable only from its own entry,
/// never by digest.
pub struct Store {
    objects: HashMap<Digest, Cow<'static, [u8]>>,
    /// The image manifests among `objects`, parsed once when stored: every document view asks
    /// for referrers and config layers, and re-parsing the whole store (a fetched 2,000-entry
    /// index included) on each render would be wasted work. Sorted by digest: deterministic.
    manifests: BTreeMap<Digest, ImageManifest>,
}

impl Store {
    /// A store with no samples (the views of an archive from disk fill it as they verify).
    pub fn empty() -> Store {
        Store {
            objects: HashMap::new(),
            manifests: BTreeMap::new(),
        }
    }

    pub fn samples() -> Store {
        let mut store = Store::empty();
        for (name, bytes) in FILES
            .iter()
            .filter(|(name, _)| !name.starts_with("tampered-"))
        {
            if let Some(digest) = recorded_digest(name) {
                store.add(digest, Cow::Borrowed(*bytes));
            }
        }
        store
    }

    fn add(&mut self, digest: Digest, bytes: Cow<'static, [u8]>) {
        if let Ok(json) = json::parse(&bytes, json::DEFAULT_MAX_DEPTH) {
            let has = |key: &str| json.get(key).is_some();
            if has("layers") && has("config") && !has("manifests") {
                self.manifests
                    .insert(digest.clone(), ImageManifest::from_json(&json));
            }
        }
        self.objects.insert(digest, bytes);
    }

    pub fn get(&self, digest: &Digest) -> Option<&[u8]> {
        self.objects.get(digest).map(|b| b.as_ref())
    }

    /// Adds `bytes` under `digest` if they hash to it; anything else is refused, so the store
    /// only ever holds verified content.
    pub fn insert_verified(&mut self, digest: Digest, bytes: Vec<u8>) -> bool {
        if Digest::compute(digest.algorithm(), &bytes) != digest {
            return false;
        }
        if !self.objects.contains_key(&digest) {
            self.add(digest, Cow::Owned(bytes));
        }
        true
    }

    /// The layers of a stored manifest whose config is `config`, so a config view can show
    /// each history step's layer size.
    pub fn layers_for_config(&self, config: &Digest) -> Option<Vec<Descriptor>> {
        self.manifests
            .values()
            .find(|m| m.config.as_ref().and_then(|c| c.digest.parsed()) == Some(config))
            .map(|m| m.layers.clone())
    }

    /// Stored manifests whose `subject` is `subject` (what the referrers API would list),
    /// with their artifactType.
    pub fn referrers(&self, subject: &Digest) -> Vec<(Digest, Option<String>)> {
        self.manifests
            .iter()
            .filter(|(_, m)| m.subject.as_ref().and_then(|s| s.digest.parsed()) == Some(subject))
            .map(|(d, m)| (d.clone(), m.artifact_type.clone()))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}
