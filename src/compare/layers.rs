//! Shared and unique blobs of images, from their manifests' descriptors alone (image-spec
//! manifest.md `config` and `layers`): instant, nothing downloaded.
//!
//! A blob is identified by its digest text ([`DigestField::text`]); a descriptor without a
//! digest is its own blob, shared with nothing. Configs count as blobs (a registry stores them
//! too), so an image's figures are config + layers, as [`ImageManifest::total_size`] is. A
//! missing or negative size counts as 0 and is counted in [`Matrix::unknown_sizes`].

use std::collections::HashMap;

use crate::oci::model::{Descriptor, DigestField, ImageManifest};
use crate::oci::Digest;

/// Where a blob sits in one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Absent,
    Config,
    /// Index into the manifest's `layers` of its first occurrence.
    Layer(usize),
}

/// One distinct blob of the set, with its place in each image (one cell per image).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRow {
    /// `None` for a descriptor without a digest.
    pub digest: Option<String>,
    pub size: u64,
    pub cells: Vec<Cell>,
}

impl BlobRow {
    /// How many images reference this blob.
    pub fn image_count(&self) -> usize {
        self.cells.iter().filter(|c| **c != Cell::Absent).count()
    }
}

/// Figures of one image within a set.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ImageFigures {
    pub layers: usize,
    /// Config + layers as listed (a layer listed twice counts twice): what a pull transfers
    /// at most, and what [`ImageManifest::total_size`] says.
    pub listed_bytes: u64,
    /// Distinct blobs of this image.
    pub stored_bytes: u64,
    /// Blobs in no other image of the set: what deleting only this image would free.
    pub unique_bytes: u64,
    pub unique_blobs: usize,
}

/// Which blobs each image of a set has (rows in first-seen order: image 0's config and
/// layers, then what image 1 adds, …).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Matrix {
    pub rows: Vec<BlobRow>,
    pub images: Vec<ImageFigures>,
    /// Each distinct blob once: what a registry stores for the whole set.
    pub dedup_bytes: u64,
    /// Descriptors without a usable size.
    pub unknown_sizes: usize,
    /// Digests declared with different sizes in different places (one of them is wrong; the
    /// first size seen is used).
    pub size_conflicts: Vec<String>,
}

/// How a blob is matched without formatting its digest: parsed digests by value, invalid
/// ones by their text (the model keeps both; equal texts name the same content).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Digest(&'a Digest),
    Text(&'a str),
}

fn key(descriptor: &Descriptor) -> Option<Key<'_>> {
    match &descriptor.digest {
        DigestField::Parsed(digest) => Some(Key::Digest(digest)),
        DigestField::Invalid(text) => Some(Key::Text(text)),
        DigestField::Missing => None,
    }
}

/// The matrix of `images` (several tags of one repository, several platforms…).
pub fn matrix(images: &[&ImageManifest]) -> Matrix {
    let mut result = Matrix::default();
    let mut by_digest: HashMap<Key, usize> = HashMap::new();
    for (image, manifest) in images.iter().enumerate() {
        let blobs = manifest.config.iter().map(|c| (c, Cell::Config)).chain(
            manifest
                .layers
                .iter()
                .enumerate()
                .map(|(i, l)| (l, Cell::Layer(i))),
        );
        for (descriptor, cell) in blobs {
            let size = descriptor.byte_size();
            if size.is_none() {
                result.unknown_sizes += 1;
            }
            let size = size.unwrap_or(0);
            let key = key(descriptor);
            let existing = key.and_then(|k| by_digest.get(&k).copied());
            let row = match existing {
                Some(row) => row,
                None => {
                    result.rows.push(BlobRow {
                        digest: descriptor.digest.text(),
                        size,
                        cells: vec![Cell::Absent; images.len()],
                    });
                    let row = result.rows.len() - 1;
                    if let Some(key) = key {
                        by_digest.insert(key, row);
                    }
                    row
                }
            };
            let Some(entry) = result.rows.get_mut(row) else {
                continue;
            };
            if entry.size != size {
                if let Some(d) = &entry.digest {
                    if !result.size_conflicts.contains(d) {
                        result.size_conflicts.push(d.clone());
                    }
                }
            }
            if let Some(slot) = entry.cells.get_mut(image) {
                if *slot == Cell::Absent {
                    *slot = cell;
                }
            }
        }
    }
    result.images = images
        .iter()
        .enumerate()
        .map(|(image, manifest)| {
            let mut figures = ImageFigures {
                layers: manifest.layers.len(),
                listed_bytes: manifest.total_size(),
                ..ImageFigures::default()
            };
            for row in &result.rows {
                if row.cells.get(image).is_some_and(|c| *c != Cell::Absent) {
                    figures.stored_bytes = figures.stored_bytes.saturating_add(row.size);
                    if row.image_count() == 1 {
                        figures.unique_bytes = figures.unique_bytes.saturating_add(row.size);
                        figures.unique_blobs += 1;
                    }
                }
            }
            figures
        })
        .collect();
    result.dedup_bytes = result
        .rows
        .iter()
        .map(|r| r.size)
        .fold(0, u64::saturating_add);
    result
}

/// A layer of one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRef {
    pub digest: Option<String>,
    pub size: u64,
    /// Index into that image's `layers`.
    pub position: usize,
}

/// A layer both images have, with its place in each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedLayer {
    pub digest: String,
    pub size: u64,
    pub left: usize,
    pub right: usize,
}

/// Two images compared by their descriptors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    pub left: ImageFigures,
    pub right: ImageFigures,
    /// In the left image's layer order.
    pub shared: Vec<SharedLayer>,
    pub only_left: Vec<LayerRef>,
    pub only_right: Vec<LayerRef>,
    /// Distinct blobs both have (the config too when it is the same).
    pub shared_bytes: u64,
    pub dedup_bytes: u64,
    /// `None` when either manifest has no config digest.
    pub config_equal: Option<bool>,
    /// How many leading layers are the same digests in the same order: "same base up to
    /// layer N" is `common_base` layers.
    pub common_base: usize,
    /// The first layer index where the lists differ; `None` when the layer lists are equal.
    pub diverges_at: Option<usize>,
    pub unknown_sizes: usize,
    pub size_conflicts: Vec<String>,
}

/// Compares two images (see the module docs).
pub fn compare(left: &ImageManifest, right: &ImageManifest) -> Comparison {
    let m = matrix(&[left, right]);
    let mut shared = Vec::new();
    let (mut only_left, mut only_right) = (Vec::new(), Vec::new());
    let mut shared_bytes = 0u64;
    for row in &m.rows {
        let (l, r) = match row.cells.as_slice() {
            [l, r] => (*l, *r),
            _ => continue,
        };
        if l != Cell::Absent && r != Cell::Absent {
            shared_bytes = shared_bytes.saturating_add(row.size);
        }
        match (l, r, &row.digest) {
            (Cell::Layer(left), Cell::Layer(right), Some(digest)) => shared.push(SharedLayer {
                digest: digest.clone(),
                size: row.size,
                left,
                right,
            }),
            (Cell::Layer(position), Cell::Absent, _) => only_left.push(LayerRef {
                digest: row.digest.clone(),
                size: row.size,
                position,
            }),
            (Cell::Absent, Cell::Layer(position), _) => only_right.push(LayerRef {
                digest: row.digest.clone(),
                size: row.size,
                position,
            }),
            _ => {}
        }
    }
    let config_equal = match (
        left.config.as_ref().and_then(key),
        right.config.as_ref().and_then(key),
    ) {
        (Some(l), Some(r)) => Some(l == r),
        _ => None,
    };
    let common_base = left
        .layers
        .iter()
        .zip(&right.layers)
        .take_while(|(l, r)| key(l).is_some() && key(l) == key(r))
        .count();
    let diverges_at =
        (common_base < left.layers.len().max(right.layers.len())).then_some(common_base);
    let mut images = m.images.into_iter();
    Comparison {
        left: images.next().unwrap_or_default(),
        right: images.next().unwrap_or_default(),
        shared,
        only_left,
        only_right,
        shared_bytes,
        dedup_bytes: m.dedup_bytes,
        config_equal,
        common_base,
        diverges_at,
        unknown_sizes: m.unknown_sizes,
        size_conflicts: m.size_conflicts,
    }
}
