//! Image archives from disk (`manifest_explorer::archive`): layouts and `docker save` tars made
//! by `skopeo copy` from the images of tests/fixtures/archive/make.py (committed outputs),
//! hostile variants of them, and tars built here byte by byte for the tar header edge cases
//! and a 2 GiB archive that is never materialised.
// Reads fixtures from disk: native only.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::Lcg;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use manifest_explorer::archive::{
    Archive, ArchiveError, Directory, FileSource, Format, Input, MemberKind, ReadAhead, Source,
    SourceError, TagOrigin, TarIndex,
};
use manifest_explorer::oci::json;
use manifest_explorer::oci::media_type::known;
use manifest_explorer::oci::model::{ImageConfig, ImageManifest, Index};
use manifest_explorer::oci::Digest;
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/archive");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

fn open_tar(name: &str) -> Result<Archive, ArchiveError> {
    let source = FileSource::open(&fixture(name)).unwrap();
    Archive::open(Input::Tar(Box::new(source)))
}

/// A folder as the browser hands it over: paths relative to the folder's parent, so they start
/// with the folder's own name (`webkitRelativePath`).
fn open_dir(name: &str) -> Archive {
    fn walk(base: &Path, dir: &Path, files: &mut Directory) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, files);
            } else {
                let relative = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned();
                files.insert(relative, Box::new(FileSource::open(&path).unwrap()));
            }
        }
    }
    let mut files = Directory::new();
    walk(Path::new(FIXTURES), &fixture(name), &mut files);
    Archive::open(Input::Directory(files)).unwrap()
}

fn parse(bytes: &[u8]) -> json::Json {
    json::parse(bytes, json::DEFAULT_MAX_DEPTH).unwrap()
}

fn tag_names(archive: &Archive) -> Vec<String> {
    archive.tags().iter().map(|t| t.name.clone()).collect()
}

fn digest_of(descriptor: &manifest_explorer::oci::model::Descriptor) -> Digest {
    descriptor.digest.parsed().unwrap().clone()
}

/// The committed `oci/` layout read with plain std + serde_json, as an independent witness.
struct Witness {
    index: Value,
}

impl Witness {
    fn new() -> Witness {
        let index = fs::read(fixture("oci/index.json")).unwrap();
        Witness {
            index: serde_json::from_slice(&index).unwrap(),
        }
    }

    fn blob(&self, digest: &str) -> Vec<u8> {
        fs::read(fixture("oci/blobs/sha256").join(&digest[7..])).unwrap()
    }

    fn json_blob(&self, digest: &str) -> Value {
        serde_json::from_slice(&self.blob(digest)).unwrap()
    }

    fn tag(&self, name: &str) -> String {
        self.index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == name)
            .unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Everything a layout should give: tags, verified manifests, every referenced blob readable.
fn check_layout(archive: &Archive, tags: &[&str]) {
    let witness = Witness::new();
    assert!(archive.problems().is_empty(), "{:?}", archive.problems());
    assert_eq!(tag_names(archive), tags);
    for tag in archive.tags() {
        let expected = witness.tag(&tag.name);
        assert_eq!(tag.descriptor.digest.text().unwrap(), expected);
        let bytes = archive.read_blob(&digest_of(&tag.descriptor)).unwrap();
        assert_eq!(bytes, witness.blob(&expected));
    }
    let multi: Digest = witness.tag("multi").parse().unwrap();
    let index = Index::from_json(&parse(&archive.read_blob(&multi).unwrap()));
    let platforms: Vec<String> = index
        .manifests
        .iter()
        .map(|m| m.platform.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
    for entry in &index.manifests {
        let manifest =
            ImageManifest::from_json(&parse(&archive.read_blob(&digest_of(entry)).unwrap()));
        for blob in manifest.config.iter().chain(&manifest.layers) {
            let digest = digest_of(blob);
            let bytes = archive.read_blob(&digest).unwrap();
            assert_eq!(bytes, witness.blob(&digest.to_string()));
            let location = archive.blob_location(&digest).unwrap();
            assert_eq!(location.size, blob.byte_size().unwrap());
        }
    }
}

#[test]
fn oci_layout_folder() {
    let archive = open_dir("oci");
    assert_eq!(archive.format(), Format::OciLayout);
    check_layout(&archive, &["multi", "single"]);
    assert!(archive
        .tags()
        .iter()
        .all(|t| t.origin == TagOrigin::RefName));
    assert_eq!(archive.index().unwrap().manifests.len(), 2);
    assert_eq!(archive.images().len(), 2);
}

#[test]
fn oci_archive_tar() {
    let archive = open_tar("oci-archive.tar").unwrap();
    assert_eq!(archive.format(), Format::OciLayout);
    check_layout(&archive, &["multi"]);
}

#[test]
fn blob_location_is_a_slice_of_the_tar() {
    let archive = open_tar("oci-archive.tar").unwrap();
    let whole = fs::read(fixture("oci-archive.tar")).unwrap();
    let witness = Witness::new();
    let digest = witness.tag("multi");
    let location = archive.blob_location(&digest.parse().unwrap()).unwrap();
    let start = location.offset as usize;
    let slice = &whole[start..start + location.size as usize];
    assert_eq!(slice, witness.blob(&digest));
    assert_eq!(location.member, format!("blobs/sha256/{}", &digest[7..]));
}

/// The config of tag `single` in the OCI layout, which skopeo copied unchanged.
fn single_config(witness: &Witness) -> (String, Value) {
    let manifest = witness.json_blob(&witness.tag("single"));
    let digest = manifest["config"]["digest"].as_str().unwrap().to_owned();
    let config = witness.json_blob(&digest);
    (digest, config)
}

#[test]
fn legacy_docker_save() {
    let archive = open_tar("docker-archive.tar").unwrap();
    assert_eq!(archive.format(), Format::DockerSave);
    assert!(archive.problems().is_empty(), "{:?}", archive.problems());
    assert!(archive.index().is_none());
    assert_eq!(
        tag_names(&archive),
        [
            "docker.io/example/app:single",
            "docker.io/example/app:latest"
        ]
    );
    let tag = &archive.tags()[0];
    assert_eq!(tag.origin, TagOrigin::RepoTags);
    let digest = digest_of(&tag.descriptor);
    assert!(archive.is_synthesized(&digest));
    assert!(archive.blob_location(&digest).is_none());
    let manifest_bytes = archive.read_blob(&digest).unwrap();
    assert_eq!(Digest::sha256(&manifest_bytes), digest);
    let manifest = ImageManifest::from_json(&parse(&manifest_bytes));
    assert_eq!(manifest.media_type.as_deref(), Some(known::DOCKER_MANIFEST));

    // Independently: the layers are the diff_ids of the config skopeo copied, uncompressed.
    let witness = Witness::new();
    let (config_digest, config) = single_config(&witness);
    assert_eq!(
        manifest.config.as_ref().unwrap().digest.text().unwrap(),
        config_digest
    );
    let diff_ids: Vec<&str> = config["rootfs"]["diff_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let layers: Vec<String> = manifest
        .layers
        .iter()
        .map(|l| l.digest.text().unwrap())
        .collect();
    assert_eq!(layers, diff_ids);
    for layer in &manifest.layers {
        assert_eq!(layer.media_type.as_deref(), Some(known::DOCKER_LAYER));
        let bytes = archive.read_blob_with(&digest_of(layer), 1 << 20).unwrap();
        assert_eq!(bytes.len() as u64, layer.byte_size().unwrap());
        assert_eq!(&bytes[257..262], b"ustar", "an uncompressed tar");
    }
    let config_bytes = archive
        .read_blob(&manifest.config.unwrap().digest.parsed().unwrap().clone())
        .unwrap();
    assert_eq!(
        ImageConfig::from_json(&parse(&config_bytes)).diff_ids,
        diff_ids
    );
}

#[test]
fn docker_25_save_is_a_layout_with_manifest_json() {
    let archive = open_tar("docker25.tar").unwrap();
    assert_eq!(archive.format(), Format::DockerSaveOci);
    assert!(archive.problems().is_empty(), "{:?}", archive.problems());
    assert_eq!(tag_names(&archive), ["single", "example/app:single"]);
    let (a, b) = (&archive.tags()[0], &archive.tags()[1]);
    assert_eq!(
        (a.origin, b.origin),
        (TagOrigin::RefName, TagOrigin::RepoTags)
    );
    // manifest.json's entry resolves to the layout's real manifest, nothing synthesized.
    assert_eq!(a.descriptor.digest, b.descriptor.digest);
    assert!(!archive.is_synthesized(&digest_of(&b.descriptor)));
    assert_eq!(archive.images().len(), 1);
    let manifest = ImageManifest::from_json(&parse(
        &archive.read_blob(&digest_of(&a.descriptor)).unwrap(),
    ));
    let (_, config) = single_config(&Witness::new());
    let diff_ids = config["rootfs"]["diff_ids"].as_array().unwrap();
    assert_eq!(manifest.layers.len(), diff_ids.len());
    for (layer, diff_id) in manifest.layers.iter().zip(diff_ids) {
        // Uncompressed layers: their digest is the diff_id.
        assert_eq!(layer.digest.text().as_deref(), diff_id.as_str());
        archive.read_blob_with(&digest_of(layer), 1 << 20).unwrap();
    }
}

#[test]
fn tampered_layer_is_a_mismatch_naming_digest_and_path() {
    let archive = open_tar("hostile-tampered.tar").unwrap();
    // Same size, so opening (which never reads layers) sees nothing wrong.
    assert!(archive.problems().is_empty(), "{:?}", archive.problems());
    let witness = Witness::new();
    let index = witness.json_blob(&witness.tag("multi"));
    let amd = witness.json_blob(index["manifests"][0]["digest"].as_str().unwrap());
    let tampered: Digest = amd["layers"][1]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    match archive.read_blob(&tampered) {
        Err(ArchiveError::Mismatch {
            digest,
            path,
            actual,
        }) => {
            assert_eq!(digest, tampered);
            assert_eq!(path, format!("blobs/sha256/{}", tampered.encoded()));
            assert_ne!(actual, tampered);
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    // Streaming (as a worker reads a layer) comes to the same verdict.
    let mut streamed = Vec::new();
    let verdict = archive.stream_blob(&tampered, 7, |bytes| streamed.extend_from_slice(bytes));
    assert!(
        matches!(verdict, Err(ArchiveError::Mismatch { .. })),
        "{verdict:?}"
    );
    assert_eq!(
        streamed.len() as u64,
        archive.blob_location(&tampered).unwrap().size
    );
    let message = archive.read_blob(&tampered).unwrap_err().to_string();
    assert!(message.contains(&tampered.to_string()), "{message}");
    // Nothing else is hidden: the shared base layer still reads.
    let base: Digest = amd["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    archive.read_blob(&base).unwrap();
}

#[test]
fn missing_manifest_is_reported_and_the_rest_works() {
    let archive = open_tar("hostile-missing.tar").unwrap();
    let witness = Witness::new();
    let index = witness.json_blob(&witness.tag("multi"));
    let arm: Digest = index["manifests"][1]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let amd: Digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(archive.problems().len(), 1, "{:?}", archive.problems());
    match &archive.problems()[0] {
        ArchiveError::MissingBlob {
            digest,
            referenced_by: Some(by),
        } => {
            assert_eq!(*digest, arm);
            assert!(by.ends_with("/manifests/1"), "{by}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        archive.read_blob(&arm),
        Err(ArchiveError::MissingBlob { .. })
    ));
    archive.read_blob(&amd).unwrap();
    assert_eq!(tag_names(&archive), ["multi"]);
}

#[test]
fn blob_names_that_are_not_digests() {
    let archive = open_tar("hostile-badname.tar").unwrap();
    let bad: Vec<&str> = archive
        .problems()
        .iter()
        .map(|p| match p {
            ArchiveError::NotADigest { path, .. } => path.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    let upper = format!("blobs/sha256/{}", "AB".repeat(32));
    assert_eq!(bad, [upper.as_str(), "blobs/sha256/not-a-digest"]);
    check_layout(&open_tar("oci-archive.tar").unwrap(), &["multi"]);
    assert_eq!(tag_names(&archive), ["multi"]);
}

#[test]
fn dotdot_and_absolute_members_are_refused_one_by_one() {
    let archive = open_tar("hostile-dotdot.tar").unwrap();
    let refused: Vec<(&str, &str)> = archive
        .problems()
        .iter()
        .map(|p| match p {
            ArchiveError::UnsafeMemberName { name, reason } => (name.as_str(), *reason),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("../escape", "contains `..`"),
            ("/etc/absolute", "absolute path")
        ]
    );
    assert_eq!(tag_names(&archive), ["multi"]);
}

#[test]
fn not_a_layout_and_not_a_tar() {
    match open_tar("hostile-notlayout.tar") {
        Err(ArchiveError::NotALayout { found }) => {
            assert_eq!(found, ["README.txt", "data/blob.bin"])
        }
        other => panic!("{:?}", other.map(|a| a.format())),
    }
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    assert!(matches!(
        Archive::open(Input::Tar(Box::new(garbage))),
        Err(ArchiveError::NotATar { .. })
    ));
    assert!(matches!(
        Archive::open(Input::Tar(Box::new(Vec::new()))),
        Err(ArchiveError::NotALayout { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// tars built here

/// A minimal ustar writer for edge cases (GNU and pax records, links, bad checksums).
#[derive(Default)]
struct Tar(Vec<u8>);

impl Tar {
    fn header(&mut self, name: &[u8], size: u64, flag: u8, link: &[u8]) {
        let mut h = [0u8; 512];
        h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = flag;
        h[157..157 + link.len()].copy_from_slice(link);
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        self.0.extend_from_slice(&h);
    }

    fn data(&mut self, data: &[u8]) {
        self.0.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.0.extend(std::iter::repeat_n(0, pad));
    }

    fn file(&mut self, name: &str, data: &[u8]) -> &mut Tar {
        self.header(name.as_bytes(), data.len() as u64, b'0', b"");
        self.data(data);
        self
    }

    fn gnu_long(&mut self, name: &str, data: &[u8]) -> &mut Tar {
        let mut record = name.as_bytes().to_vec();
        record.push(0);
        self.header(b"././@LongLink", record.len() as u64, b'L', b"");
        self.data(&record);
        self.header(&name.as_bytes()[..100], data.len() as u64, b'0', b"");
        self.data(data);
        self
    }

    fn pax(&mut self, records: &[(&str, &str)], name: &str, data: &[u8]) -> &mut Tar {
        let mut body = Vec::new();
        for (key, value) in records {
            let item = format!(" {key}={value}\n");
            // The length counts its own digits.
            let mut length = item.len() + 1;
            while format!("{length}{item}").len() != length {
                length += 1;
            }
            body.extend(format!("{length}{item}").into_bytes());
        }
        self.header(b"PaxHeaders/x", body.len() as u64, b'x', b"");
        self.data(&body);
        self.header(name.as_bytes(), data.len() as u64, b'0', b"");
        self.data(data);
        self
    }

    fn link(&mut self, name: &str, flag: u8, target: &str) -> &mut Tar {
        self.header(name.as_bytes(), 0, flag, target.as_bytes());
        self
    }

    fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.0);
        out.extend([0u8; 1024]);
        out
    }
}

fn index_of(bytes: Vec<u8>) -> TarIndex {
    TarIndex::build(&bytes).unwrap()
}

#[test]
fn tar_long_names_pax_and_links() {
    let long = format!("{}/file", "d".repeat(150));
    let pax_name = format!("{}/pax", "p".repeat(200));
    let bytes = Tar::default()
        .file("./plain", b"plain")
        .gnu_long(&long, b"gnu")
        .pax(
            &[("path", &pax_name), ("mtime", "1.5")],
            "short",
            b"pax data",
        )
        .link("sym", b'2', "plain")
        .link("dir/up", b'2', "../plain")
        .link("hard", b'1', "./plain")
        .link("loop1", b'2', "loop2")
        .link("loop2", b'2', "loop1")
        .link("escape", b'2', "../../etc/passwd")
        .finish();
    let index = index_of(bytes.clone());
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    let read = |name: &str| {
        let member = index.resolve(name)?;
        let start = member.offset as usize;
        Some(bytes[start..start + member.size as usize].to_vec())
    };
    assert_eq!(read("plain").as_deref(), Some(&b"plain"[..]));
    assert_eq!(read(&long).as_deref(), Some(&b"gnu"[..]));
    assert_eq!(read(&pax_name).as_deref(), Some(&b"pax data"[..]));
    assert!(
        index.get("short").is_none(),
        "pax path replaces the header name"
    );
    assert_eq!(read("sym").as_deref(), Some(&b"plain"[..]));
    assert_eq!(read("dir/up").as_deref(), Some(&b"plain"[..]));
    assert_eq!(read("hard").as_deref(), Some(&b"plain"[..]));
    assert_eq!(read("loop1"), None, "a link loop resolves to nothing");
    assert_eq!(
        read("escape"),
        None,
        "a link out of the archive resolves to nothing"
    );
    assert!(matches!(
        index.get("sym").unwrap().kind,
        MemberKind::Symlink(_)
    ));
}

#[test]
fn tar_pax_size_overrides_header_size() {
    // The header says 0 bytes, pax says 600: the next header is after 1024 bytes of data.
    let mut tar = Tar::default();
    tar.header(b"PaxHeaders/x", 12, b'x', b"");
    tar.data(b"12 size=600\n");
    tar.header(b"big", 0, b'0', b"");
    tar.data(&[7u8; 600]);
    tar.file("after", b"next");
    let index = index_of(tar.finish());
    assert_eq!(index.get("big").unwrap().size, 600);
    assert!(index.get("after").is_some(), "{:?}", index.problems);
}

#[test]
fn tar_pax_applies_to_the_file_not_to_records_between() {
    // x (size=600, path=from-pax), then a GNU L record, then the file: the L record keeps its
    // own size, the file gets pax's size, and the pax path wins over the long name (Go).
    let mut tar = Tar::default();
    let pax = b"12 size=600\n17 path=from-pax\n";
    tar.header(b"PaxHeaders/x", pax.len() as u64, b'x', b"");
    tar.data(pax);
    tar.header(b"././@LongLink", 9, b'L', b"");
    tar.data(b"from-gnu\0");
    tar.header(b"short", 0, b'0', b"");
    tar.data(&[7u8; 600]);
    tar.file("after", b"next");
    let index = index_of(tar.finish());
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.get("from-pax").unwrap().size, 600);
    assert!(index.get("from-gnu").is_none());
    assert!(index.get("after").is_some());
}

#[test]
fn tar_without_end_marker_or_final_padding() {
    let mut bytes = Tar::default().file("a", b"abc").finish();
    bytes.truncate(512 + 3);
    let index = index_of(bytes);
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.get("a").unwrap().size, 3);
}

#[test]
fn tar_caps_and_damage() {
    // An oversized pax record is skipped with a problem, and reading continues.
    let mut tar = Tar::default();
    tar.header(b"PaxHeaders/x", 2 * 1024 * 1024, b'x', b"");
    tar.data(&vec![b'a'; 2 * 1024 * 1024]);
    tar.file("kept", b"k");
    let index = index_of(tar.finish());
    assert!(matches!(
        index.problems.as_slice(),
        [ArchiveError::RecordTooLarge { size: 2097152, .. }]
    ));
    assert!(index.get("kept").is_some());

    // A damaged header after good members: the good ones stay, the walk stops loudly.
    let mut bytes = Tar::default().file("good", b"g").file("bad", b"b").finish();
    bytes[1024] ^= 0x01; // the second header's name, so its checksum no longer matches
    let index = index_of(bytes);
    assert!(index.get("good").is_some());
    assert!(matches!(
        index.problems.as_slice(),
        [ArchiveError::BadTarHeader { offset: 1024, .. }]
    ));

    // A member whose data runs past the end of the file.
    let mut truncated = Tar::default().file("cut", &[1u8; 2000]).finish();
    truncated.truncate(1024);
    let index = index_of(truncated);
    assert!(matches!(
        index.problems.as_slice(),
        [ArchiveError::Truncated { name, .. }] if name == "cut"
    ));

    // A long-name record cut short is a truncation too, not a read failure.
    let mut cut = Tar::default().gnu_long(&"n".repeat(300), b"x").finish();
    cut.truncate(600);
    let index = index_of(cut);
    assert!(matches!(
        index.problems.as_slice(),
        [ArchiveError::Truncated { .. }]
    ));

    // Duplicates: the last copy wins, and it is said.
    let bytes = Tar::default().file("x", b"1").file("x", b"22").finish();
    let index = index_of(bytes);
    assert_eq!(index.get("x").unwrap().size, 2);
    assert!(matches!(
        index.problems.as_slice(),
        [ArchiveError::DuplicateMember { name }] if name == "x"
    ));
}

#[test]
fn legacy_layer_tar_through_a_symlink() {
    // Docker's own legacy `docker save` names `<id>/layer.tar`, often a symlink.
    let layer = Tar::default().file("hello", b"hello\n").finish();
    let diff_id = Digest::sha256(&layer);
    let config = json!({"architecture": "amd64", "os": "linux",
                        "rootfs": {"type": "layers", "diff_ids": [diff_id.to_string()]}})
    .to_string();
    let config_digest = Digest::sha256(config.as_bytes());
    let manifest = json!([{"Config": format!("{}.json", config_digest.encoded()),
                           "RepoTags": null, "Layers": ["abc/layer.tar"]}])
    .to_string();
    let bytes = Tar::default()
        .file(
            &format!("{}.json", config_digest.encoded()),
            config.as_bytes(),
        )
        .file("real/layer.tar", &layer)
        .link("abc/layer.tar", b'2', "../real/layer.tar")
        .file("manifest.json", manifest.as_bytes())
        .finish();
    let archive = Archive::open(Input::Tar(Box::new(bytes))).unwrap();
    assert!(archive.problems().is_empty(), "{:?}", archive.problems());
    assert!(archive.tags().is_empty(), "RepoTags null: no tags");
    assert_eq!(archive.images().len(), 1, "but the image is listed");
    let location = archive.blob_location(&diff_id).unwrap();
    assert_eq!(location.member, "real/layer.tar");
    assert_eq!(archive.read_blob(&diff_id).unwrap(), layer);
}

#[test]
fn legacy_config_that_does_not_match_its_name() {
    let config = br#"{"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let claimed = Digest::sha256(b"something else");
    let manifest = json!([{"Config": format!("{}.json", claimed.encoded()),
                           "RepoTags": ["x:1"], "Layers": []}])
    .to_string();
    let bytes = Tar::default()
        .file(&format!("{}.json", claimed.encoded()), config)
        .file("manifest.json", manifest.as_bytes())
        .finish();
    let archive = Archive::open(Input::Tar(Box::new(bytes))).unwrap();
    assert!(archive.tags().is_empty());
    match archive.problems() {
        [ArchiveError::Mismatch { digest, actual, .. }] => {
            assert_eq!(*digest, claimed);
            assert_eq!(*actual, Digest::sha256(config));
        }
        other => panic!("{other:?}"),
    }
}

/// Random byte flips in real archives: opening and reading every listed blob never panics
/// (errors are fine). Seeds make failures replayable.
#[test]
fn mutated_archives_never_panic() {
    for name in ["oci-archive.tar", "docker-archive.tar", "docker25.tar"] {
        let original = fs::read(fixture(name)).unwrap();
        for seed in 0..150u64 {
            let mut rng = Lcg(seed);
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
            if seed % 10 == 0 {
                bytes.truncate(rng.below(bytes.len()));
            }
            if let Ok(archive) = Archive::open(Input::Tar(Box::new(bytes))) {
                for image in archive.images() {
                    if let Some(digest) = image.digest.parsed() {
                        let _ = archive.read_blob(digest);
                    }
                }
            }
        }
    }
}

fn layout_dir(files: &[(&str, Vec<u8>)]) -> Directory {
    let mut dir: Directory = BTreeMap::new();
    for (name, bytes) in files {
        dir.insert((*name).to_owned(), Box::new(bytes.clone()));
    }
    dir
}

#[test]
fn layout_version_and_null_manifests() {
    let layout = |version: &str| format!(r#"{{"imageLayoutVersion":"{version}"}}"#).into_bytes();
    let index = br#"{"schemaVersion":2,"manifests":null}"#.to_vec();
    let archive = Archive::open(Input::Directory(layout_dir(&[
        ("oci-layout", layout("1.0.0")),
        ("index.json", index.clone()),
    ])))
    .unwrap();
    assert!(archive.tags().is_empty());
    assert!(matches!(
        archive.problems(),
        [ArchiveError::NullManifests { path }] if path == "index.json"
    ));
    match Archive::open(Input::Directory(layout_dir(&[
        ("oci-layout", layout("2.0.0")),
        ("index.json", index),
    ]))) {
        Err(ArchiveError::LayoutVersion { found, .. }) => assert_eq!(found, "2.0.0"),
        other => panic!("{:?}", other.map(|a| a.format())),
    }
}

#[test]
fn size_mismatch_and_bad_descriptor_in_index_json() {
    let blob = b"{}".to_vec();
    let digest = Digest::sha256(&blob);
    let index = json!({"schemaVersion": 2, "manifests": [
        {"mediaType": known::OCI_MANIFEST, "digest": digest.to_string(), "size": 3},
        {"mediaType": known::OCI_MANIFEST, "digest": "sha256:nothex", "size": 3},
    ]})
    .to_string();
    let archive = Archive::open(Input::Directory(layout_dir(&[
        (
            "x/oci-layout",
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("x/index.json", index.into_bytes()),
        (&format!("x/blobs/sha256/{}", digest.encoded()), blob),
    ])))
    .unwrap();
    match archive.problems() {
        [ArchiveError::SizeMismatch {
            declared: 3,
            actual: 2,
            path,
            ..
        }, ArchiveError::BadDescriptor { at, .. }] => {
            assert_eq!(path, &format!("x/blobs/sha256/{}", digest.encoded()));
            assert_eq!(at, "x/index.json/manifests/1");
        }
        other => panic!("{other:?}"),
    }
}

/// A 2 GiB tar: real headers and documents, then a layer member whose data is never stored
/// (reads of it return zeros), counting every byte read.
struct Sparse {
    head: Vec<u8>,
    hole: u64,
    tail: Vec<u8>,
    read: Cell<u64>,
}

impl Source for Sparse {
    fn len(&self) -> u64 {
        self.head.len() as u64 + self.hole + self.tail.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        if offset + len as u64 > self.len() {
            return Err(SourceError {
                offset,
                len,
                reason: "past the end".into(),
            });
        }
        self.read.set(self.read.get() + len as u64);
        let head = self.head.len() as u64;
        Ok((offset..offset + len as u64)
            .map(|at| {
                if at < head {
                    self.head[at as usize]
                } else if at < head + self.hole {
                    0
                } else {
                    self.tail[(at - head - self.hole) as usize]
                }
            })
            .collect())
    }
}

#[test]
fn two_gigabyte_archive_opens_reading_under_one_mebibyte() {
    const LAYER: u64 = 2 << 30;
    let layer_digest = Digest::sha256(b"pretend");
    let config = br#"{"architecture":"amd64","os":"linux"}"#;
    let config_digest = Digest::sha256(config);
    let manifest = json!({"schemaVersion": 2, "mediaType": known::OCI_MANIFEST,
        "config": {"mediaType": known::OCI_CONFIG, "digest": config_digest.to_string(), "size": config.len()},
        "layers": [{"mediaType": known::OCI_LAYER_TAR_GZIP, "digest": layer_digest.to_string(), "size": LAYER}]})
    .to_string();
    let manifest_digest = Digest::sha256(manifest.as_bytes());
    let index = json!({"schemaVersion": 2, "manifests": [{"mediaType": known::OCI_MANIFEST,
        "digest": manifest_digest.to_string(), "size": manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": "big"}}]})
    .to_string();
    let mut tar = Tar::default();
    tar.file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)
        .file("index.json", index.as_bytes())
        .file(
            &format!("blobs/sha256/{}", manifest_digest.encoded()),
            manifest.as_bytes(),
        )
        .file(&format!("blobs/sha256/{}", config_digest.encoded()), config);
    tar.header(
        format!("blobs/sha256/{}", layer_digest.encoded()).as_bytes(),
        LAYER,
        b'0',
        b"",
    );
    let head = std::mem::take(&mut tar.0);
    let source = Sparse {
        head,
        hole: LAYER,
        tail: Tar::default().file("trailer", b"after the layer").finish(),
        read: Cell::new(0),
    };
    let layer_offset = source.head.len() as u64;
    let counter = std::rc::Rc::new(source);
    let archive = Archive::open(Input::Tar(Box::new(Shared(counter.clone())))).unwrap();
    let read = counter.read.get();
    println!("benchmark: opening a 2 GiB archive read {read} bytes");
    assert!(read <= 1 << 20, "read {read} bytes");
    assert!(archive.problems().is_empty(), "{:?}", archive.problems());
    assert_eq!(tag_names(&archive), ["big"]);
    let location = archive.blob_location(&layer_digest).unwrap();
    assert_eq!((location.offset, location.size), (layer_offset, LAYER));
    assert!(matches!(
        archive.read_blob(&layer_digest),
        Err(ArchiveError::TooLarge { size: LAYER, .. })
    ));
}

/// Lets the test keep a handle on the source the archive owns.
struct Shared(std::rc::Rc<Sparse>);

impl Source for Shared {
    fn len(&self) -> u64 {
        self.0.len()
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        self.0.read_at(offset, len)
    }
}

/// What the worker sends the page: tags from index.json or manifest.json (checked against the
/// witness read with serde_json), untagged images after them, problems as their messages.
#[test]
fn summary_for_the_page() {
    let witness = Witness::new();
    let archive = open_dir("oci");
    let s = archive.summary("k", 123, 45);
    assert_eq!(
        (s.key.as_str(), s.format.as_str(), s.size, s.read),
        ("k", "OCI image layout", 123, 45)
    );
    let tags: Vec<(Option<&str>, &str, String)> = s
        .entries
        .iter()
        .map(|e| {
            (
                e.tag.as_deref(),
                e.from.as_str(),
                e.digest.as_ref().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            (Some("multi"), "index.json", witness.tag("multi")),
            (Some("single"), "index.json", witness.tag("single")),
        ]
    );
    assert!(s.entries.iter().all(|e| !e.synthesized));
    assert!(s.problems.is_empty());
    let blobs = fs::read_dir(fixture("oci/blobs/sha256")).unwrap().count() as u64;
    assert_eq!(s.blobs, blobs);
    // oci-layout, index.json and the blobs.
    assert_eq!(s.files, blobs + 2);

    let legacy = open_tar("docker-archive.tar").unwrap().summary("d", 0, 0);
    assert_eq!(legacy.format, "docker save");
    assert!(legacy
        .entries
        .iter()
        .all(|e| e.from == "manifest.json" && e.synthesized && e.tag.is_some()));

    let docker25 = open_tar("docker25.tar").unwrap().summary("d", 0, 0);
    assert_eq!(docker25.format, "docker save (Docker 25+, OCI layout)");
    let from: Vec<(&str, &str)> = docker25
        .entries
        .iter()
        .map(|e| (e.tag.as_deref().unwrap(), e.from.as_str()))
        .collect();
    assert_eq!(
        from,
        [
            ("single", "index.json"),
            ("example/app:single", "manifest.json")
        ]
    );

    let dotdot = open_tar("hostile-dotdot.tar").unwrap().summary("x", 0, 0);
    assert_eq!(dotdot.problems.len(), 2);
    assert!(
        dotdot.problems[0].contains("\"../escape\"") && dotdot.problems[0].contains(".."),
        "{:?}",
        dotdot.problems
    );
}

/// An index.json entry without a ref.name is listed after the tags, untagged.
#[test]
fn summary_lists_untagged_images() {
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    let digest = Digest::sha256(manifest);
    let index = json!({
        "schemaVersion": 2,
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest.to_string(), "size": manifest.len(),
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}
        ]
    });
    let files = layout_dir(&[
        ("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
        ("index.json", serde_json::to_vec(&index).unwrap()),
        (
            &format!("blobs/sha256/{}", digest.encoded()),
            manifest.to_vec(),
        ),
        (
            "blobs/sha256/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            b"{}".to_vec(),
        ),
    ]);
    let s = Archive::open(Input::Directory(files))
        .unwrap()
        .summary("k", 0, 0);
    assert_eq!(s.entries.len(), 1);
    let e = &s.entries[0];
    assert_eq!(e.tag, None);
    assert_eq!(e.digest.as_ref(), Some(&digest));
    assert_eq!(e.size, Some(manifest.len() as u64));
    assert_eq!(e.platform.as_deref(), Some("linux/arm64/v8"));
}

/// A source that counts its reads, for the read-ahead test.
struct Counted {
    bytes: Vec<u8>,
    calls: std::rc::Rc<Cell<u64>>,
}

impl Source for Counted {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        self.calls.set(self.calls.get() + 1);
        self.bytes.read_at(offset, len)
    }
}

/// The worker's read-ahead gives exactly the bytes of the source underneath, for any offset
/// and length (window edges, the end of the file, past it), and saves reads on a tar walk.
#[test]
fn read_ahead_is_transparent_and_saves_reads() {
    let bytes = fs::read(fixture("oci-archive.tar")).unwrap();
    let calls = std::rc::Rc::new(Cell::new(0));
    let counted = |bytes: Vec<u8>| Counted {
        bytes,
        calls: calls.clone(),
    };
    let ahead = ReadAhead::new(counted(bytes.clone()), 4096);
    let total = bytes.len() as u64;
    let mut rng = Lcg(0xa11ead);
    let mut cases: Vec<(u64, usize)> = vec![
        (0, 0),
        (0, 512),
        (512, 512),
        (4095, 2),
        (4096, 4096),
        (total - 1, 1),
        (total, 0),
        (total - 10, 10),
        (0, bytes.len()),
    ];
    for _ in 0..2000 {
        let offset = rng.below(bytes.len()) as u64;
        let len = rng.below(6000).min(bytes.len() - offset as usize);
        cases.push((offset, len));
    }
    for (offset, len) in cases {
        assert_eq!(
            ahead.read_at(offset, len),
            bytes.read_at(offset, len),
            "at {offset}, {len} bytes"
        );
    }
    for (offset, len) in [(total, 1), (total - 1, 2), (u64::MAX, 1)] {
        assert!(
            ahead.read_at(offset, len).is_err(),
            "{offset} + {len} is past the end"
        );
    }

    // Opening reads the same archive through it, in far fewer reads.
    calls.set(0);
    let direct = Archive::open(Input::Tar(Box::new(counted(bytes.clone())))).unwrap();
    let direct_calls = calls.get();
    calls.set(0);
    let through = Archive::open(Input::Tar(Box::new(ReadAhead::new(
        counted(bytes.clone()),
        32 * 1024,
    ))))
    .unwrap();
    assert_eq!(tag_names(&through), tag_names(&direct));
    assert_eq!(through.problems(), direct.problems());
    assert!(
        calls.get() * 2 < direct_calls,
        "{} reads through the read-ahead, {direct_calls} without",
        calls.get()
    );
}
