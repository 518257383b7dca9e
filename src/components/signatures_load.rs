//! What the signatures panel fetches for an image (or index) before anything is verified:
//! cosign legacy `sha256-<hex>.sig` / `.att` tags in the same repository, the referrers that
//! are Sigstore bundles or Notation signatures, and the BuildKit attestation manifests of the
//! index the image is part of (or of the index on screen, per platform). Every blob is small,
//! capped, and fetched by digest (the session verifies it); the verification itself runs over
//! these bytes in `signatures_view.rs` and is re-run when a field changes, without fetching
//! again.

use crate::client::{ClientError, Fetched, Session};
use crate::oci::json;
use crate::oci::model::{Descriptor, ImageManifest, Index};
use crate::oci::{Digest, Limits, Reference};
use crate::registry::{Endpoint, RegistryError};
use crate::signature::bundle::bundle_minor_version;
use crate::signature::notation;
use crate::signature::report::MAX_LAYERS;

/// Blobs of signature manifests larger than this are not fetched (their row says so).
const MAX_SIGNATURE_BLOB: u64 = 4 * 1024 * 1024;
/// Referrers (bundles and Notation signatures together) looked at.
const MAX_REFERRERS: usize = 32;
/// BuildKit attestation manifests looked at.
const MAX_ATTESTATIONS: usize = 32;
/// The layer media type of a BuildKit in-toto attestation (moby/buildkit
/// docs/attestations/attestation-storage.md).
const INTOTO_LAYER: &str = "application/vnd.in-toto+json";

/// One thing found next to the image, with its bytes.
#[derive(Clone)]
pub enum Found {
    /// A `.sig` / `.att` manifest and its layers' blobs (`None`: not fetched).
    Cosign {
        tag: String,
        manifest: Vec<u8>,
        layers: Vec<Option<Vec<u8>>>,
    },
    /// A bundle referrer: its manifest digest and the bundle blob (or why it is missing).
    Bundle {
        digest: Digest,
        bundle: Result<Vec<u8>, String>,
    },
    /// A Notation referrer: its manifest digest, and its envelope (media type, bytes).
    Notation {
        digest: Digest,
        envelope: Result<(String, Vec<u8>), String>,
    },
    /// An in-toto layer of a BuildKit attestation manifest, for the image `subject`.
    Unsigned {
        from: String,
        subject: Digest,
        statement: Result<Vec<u8>, String>,
    },
}

#[derive(Clone)]
pub struct Loaded {
    pub image: Digest,
    pub image_manifest: Vec<u8>,
    /// The image's media type as the registry served it (Notation binds it).
    pub image_media_type: Option<String>,
    pub found: Vec<Found>,
    /// Lookups that failed for another reason than "there is none".
    pub problems: Vec<String>,
}

fn is_absent(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Registry(RegistryError::ManifestUnknown { .. })
            | ClientError::Registry(RegistryError::Http { status: 404, .. })
    )
}

fn small_size(d: &Descriptor) -> Option<u64> {
    d.size
        .and_then(|s| u64::try_from(s).ok())
        .filter(|s| *s <= MAX_SIGNATURE_BLOB)
}

/// The registry's view of one repository, for the lookups below.
struct Repo {
    session: Session,
    endpoint: Endpoint,
    reference: Reference,
    limit: usize,
}

impl Repo {
    async fn manifest(&self, digest: Option<&Digest>) -> Result<Fetched, ClientError> {
        self.session
            .manifest(&self.endpoint, &self.reference, digest, self.limit)
            .await
    }

    async fn blob(&self, layer: &Descriptor) -> Result<Vec<u8>, String> {
        let (Some(digest), Some(size)) = (layer.digest.parsed(), small_size(layer)) else {
            return Err("the layer has no valid digest or is larger than 4 MiB".into());
        };
        self.session
            .blob(&self.endpoint, &self.reference, digest, Some(size))
            .await
            .map(|f| f.bytes)
            .map_err(|e| e.to_string())
    }

    /// The layer descriptors of the manifest `digest`.
    async fn layers(&self, digest: &Digest) -> Result<Vec<Descriptor>, String> {
        let m = self
            .manifest(Some(digest))
            .await
            .map_err(|e| e.to_string())?;
        let doc = json::parse(&m.bytes, json::DEFAULT_MAX_DEPTH).map_err(|e| e.to_string())?;
        Ok(ImageManifest::from_json(&doc).layers)
    }

    /// The first layer of the referrer `digest`: its media type and bytes.
    async fn first_layer(&self, digest: &Digest) -> Result<(String, Vec<u8>), String> {
        let layers = self.layers(digest).await?;
        let layer = layers
            .first()
            .ok_or("the referrer manifest has no layers")?;
        let bytes = self.blob(layer).await?;
        Ok((layer.media_type.clone().unwrap_or_default(), bytes))
    }
}

pub async fn load(
    session: Session,
    endpoint: Endpoint,
    reference: Reference,
    at: Option<Digest>,
) -> Result<Loaded, String> {
    let repo = Repo {
        session,
        endpoint,
        reference,
        limit: Limits::raised(false).max_bytes,
    };
    let fetched = repo
        .manifest(at.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let image = fetched.verified.digest.clone();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    cosign_tags(&repo, &image, &mut found, &mut problems).await;
    referrers(&repo, &image, &mut found, &mut problems).await;
    attestations(
        &repo,
        &image,
        &fetched,
        at.is_some(),
        &mut found,
        &mut problems,
    )
    .await;
    Ok(Loaded {
        image,
        image_media_type: fetched
            .content_type
            .as_deref()
            .map(|t| t.split(';').next().unwrap_or_default().trim().to_string()),
        image_manifest: fetched.bytes,
        found,
        problems,
    })
}

async fn cosign_tags(
    repo: &Repo,
    image: &Digest,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    let hex = image.to_string().replacen(':', "-", 1);
    for suffix in ["sig", "att"] {
        let tag = format!("{hex}.{suffix}");
        let Ok(tagged) = format!("{}:{tag}", repo.reference.name()).parse::<Reference>() else {
            continue;
        };
        match repo
            .session
            .manifest(&repo.endpoint, &tagged, None, repo.limit)
            .await
        {
            Ok(m) => {
                let mut layers = Vec::new();
                if let Ok(doc) = json::parse(&m.bytes, json::DEFAULT_MAX_DEPTH) {
                    for layer in ImageManifest::from_json(&doc)
                        .layers
                        .iter()
                        .take(MAX_LAYERS)
                    {
                        layers.push(repo.blob(layer).await.ok());
                    }
                }
                found.push(Found::Cosign {
                    tag,
                    manifest: m.bytes,
                    layers,
                });
            }
            Err(e) if is_absent(&e) => {}
            Err(e) => problems.push(format!("tag {tag}: {e}")),
        }
    }
}

async fn referrers(
    repo: &Repo,
    image: &Digest,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    let list = match repo
        .session
        .referrers(&repo.endpoint, &repo.reference, image, None)
        .await
    {
        Ok((list, _)) => list,
        Err(e) => return problems.push(format!("referrers: {e}")),
    };
    let wanted = list.iter().filter_map(|d| {
        let kind = d.artifact_type.as_deref()?;
        let is_bundle = bundle_minor_version(kind).is_some();
        let digest = d.digest.parsed()?.clone();
        (is_bundle || kind == notation::ARTIFACT_TYPE).then_some((is_bundle, digest))
    });
    for (is_bundle, digest) in wanted.take(MAX_REFERRERS) {
        if is_bundle {
            let bundle = repo.first_layer(&digest).await.map(|(_, bytes)| bytes);
            found.push(Found::Bundle { digest, bundle });
        } else {
            let envelope = repo.first_layer(&digest).await;
            found.push(Found::Notation { digest, envelope });
        }
    }
}

/// BuildKit attestations: in the index on screen (for each platform), or, for a platform
/// manifest reached through a tag (`through_tag`), in the index that tag names.
async fn attestations(
    repo: &Repo,
    image: &Digest,
    fetched: &Fetched,
    through_tag: bool,
    found: &mut Vec<Found>,
    problems: &mut Vec<String>,
) {
    let index_of = |bytes: &[u8]| {
        json::parse(bytes, json::DEFAULT_MAX_DEPTH)
            .ok()
            .filter(|doc| doc.get("manifests").is_some())
            .map(|doc| Index::from_json(&doc))
    };
    let (index, only) = match index_of(&fetched.bytes) {
        Some(index) => (index, None),
        None if through_tag && repo.reference.tag().is_some() => match repo.manifest(None).await {
            Ok(tagged) => match index_of(&tagged.bytes) {
                Some(index) => (index, Some(image)),
                None => return,
            },
            Err(e) => return problems.push(format!("the tag's index: {e}")),
        },
        None => return,
    };
    let groups = index.platform_groups().groups;
    let wanted = groups
        .iter()
        .filter(|g| only.is_none_or(|d| g.image.descriptor.digest.parsed() == Some(d)))
        .flat_map(|g| g.attestations.iter().map(move |a| (g, a)))
        .take(MAX_ATTESTATIONS);
    for (group, attestation) in wanted {
        let (Some(subject), Some(digest)) = (
            group.image.descriptor.digest.parsed(),
            attestation.descriptor.digest.parsed(),
        ) else {
            continue;
        };
        let from = format!(
            "attestation manifest {digest} for {} ({subject})",
            group.image.label()
        );
        let layers = match repo.layers(digest).await {
            Ok(layers) => layers,
            Err(e) => {
                found.push(Found::Unsigned {
                    from,
                    subject: subject.clone(),
                    statement: Err(e),
                });
                continue;
            }
        };
        let intoto = layers
            .iter()
            .filter(|l| l.media_type.as_deref() == Some(INTOTO_LAYER))
            .take(MAX_LAYERS);
        for layer in intoto {
            found.push(Found::Unsigned {
                from: from.clone(),
                subject: subject.clone(),
                statement: repo.blob(layer).await,
            });
        }
    }
}
