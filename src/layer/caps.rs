//! Limits on what a layer may make us do. A layer is untrusted input: every count and size it
//! controls is capped, and a person may raise a cap for the session (hence plain pub fields).

/// Caps on one layer read. Breaking one is a distinct [`LayerError`](super::LayerError) that
/// names the cap and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Tar entries in one layer (meta headers such as PAX `x` and GNU `L` not counted).
    pub max_entries: u64,
    /// Bytes of one meta record payload: a PAX `x`/`g` header or a GNU `L`/`K` long name (at
    /// most 4 GiB whatever this says: an entry keeps its path length in 32 bits).
    pub max_record: u64,
    /// Total bytes of all meta record payloads (and GNU sparse extension blocks) in one layer.
    pub max_metadata: u64,
    /// Uncompressed bytes of one layer.
    pub max_output: u64,
    /// Uncompressed bytes per compressed byte, only enforced once the output is above
    /// [`Caps::ratio_grace`]: small layers legitimately compress extremely well (a 1 MiB file
    /// of zeros), bombs only hurt once they are big.
    pub max_ratio: u64,
    /// Output below which [`Caps::max_ratio`] is not enforced.
    pub ratio_grace: u64,
    /// Largest zstd window a frame may declare; checked before anything is allocated, since a
    /// 9-byte frame header can declare a 512 MiB window.
    pub zstd_max_window: u64,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            max_entries: 1_000_000,
            max_record: 1 << 20,
            max_metadata: 64 << 20,
            max_output: 4 << 30,
            max_ratio: 1000,
            ratio_grace: 64 << 20,
            zstd_max_window: 64 << 20,
        }
    }
}
