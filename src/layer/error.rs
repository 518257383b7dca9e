//! Why a layer could not be read. One variant per cap and per kind of malformed input, each
//! naming the offending value and, for tar problems, the offset in the uncompressed stream.

use thiserror::Error;

use crate::oci::VerifyError;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LayerError {
    // ---- caps ----
    #[error("more than {cap} tar entries (cap max_entries)")]
    TooManyEntries { cap: u64 },
    #[error("{kind} record of {size} bytes at offset {offset} exceeds the cap max_record of {cap} bytes")]
    RecordTooLarge {
        kind: &'static str,
        size: u64,
        offset: u64,
        cap: u64,
    },
    #[error(
        "tar meta records total more than the cap max_metadata of {cap} bytes (at offset {offset})"
    )]
    MetadataTooLarge { offset: u64, cap: u64 },
    #[error("uncompressed layer exceeds the cap max_output of {cap} bytes")]
    OutputTooLarge { cap: u64 },
    #[error("decompression ratio above {cap}:1 ({output} bytes out of {input} compressed; cap max_ratio)")]
    RatioTooHigh { output: u64, input: u64, cap: u64 },
    #[error("zstd frame {frame} declares a {window}-byte window, above the cap zstd_max_window of {cap} bytes")]
    ZstdWindowTooLarge { frame: u64, window: u64, cap: u64 },

    // ---- compressed stream ----
    #[error("gzip stream truncated (in member {member}, after {input} compressed bytes)")]
    TruncatedGzip { member: u64, input: u64 },
    #[error("gzip member {member}: {reason}")]
    GzipHeader { member: u64, reason: String },
    #[error("gzip member {member}: deflate data is corrupt: {message}")]
    Deflate { member: u64, message: String },
    #[error("gzip member {member}: CRC-32 is {actual:#010x}, the trailer says {expected:#010x}")]
    GzipCrc {
        member: u64,
        expected: u32,
        actual: u32,
    },
    #[error("gzip member {member}: {actual} bytes (mod 2^32) decompressed, the trailer ISIZE says {expected}")]
    GzipSize {
        member: u64,
        expected: u32,
        actual: u32,
    },
    #[error("zstd stream truncated (in frame {frame}, after {input} compressed bytes)")]
    TruncatedZstd { frame: u64, input: u64 },
    #[error("zstd frame {frame}: {reason}")]
    Zstd { frame: u64, reason: String },
    #[error(
        "zstd frame {frame}: content checksum is {actual:#010x}, the frame says {expected:#010x}"
    )]
    ZstdChecksum {
        frame: u64,
        expected: u32,
        actual: u32,
    },
    #[error(
        "trailing garbage after the end of the {what} at offset {offset} (first byte {first:#04x})"
    )]
    TrailingGarbage {
        what: &'static str,
        offset: u64,
        first: u8,
    },

    // ---- tar ----
    #[error("not a tar archive: {reason}")]
    NotTar { reason: String },
    #[error("tar stream truncated {what} at offset {offset}")]
    TruncatedTar { what: &'static str, offset: u64 },
    #[error("tar header at offset {offset}: checksum field says {stored}, the header sums to {computed}")]
    TarChecksum {
        offset: u64,
        stored: u64,
        computed: u64,
    },
    #[error("tar header at offset {offset}: field {field} is not a number: {raw}")]
    BadNumber {
        field: &'static str,
        offset: u64,
        raw: String,
    },
    #[error("tar header at offset {offset}: field {field} is negative ({value})")]
    NegativeNumber {
        field: &'static str,
        offset: u64,
        value: i64,
    },
    #[error("tar header at offset {offset}: field {field} overflows 63 bits: {raw}")]
    NumberOverflow {
        field: &'static str,
        offset: u64,
        raw: String,
    },
    #[error("PAX record at offset {offset}: {reason}")]
    BadPax { offset: u64, reason: String },

    // ---- verification ----
    #[error("layer blob: {0}")]
    Verify(#[from] VerifyError),
}

impl LayerError {
    /// Whether this is a cap being hit (as opposed to malformed or mismatching input): the
    /// reader stops at once on these, since going on is what a bomb wants.
    pub fn is_cap(&self) -> bool {
        matches!(
            self,
            LayerError::TooManyEntries { .. }
                | LayerError::RecordTooLarge { .. }
                | LayerError::MetadataTooLarge { .. }
                | LayerError::OutputTooLarge { .. }
                | LayerError::RatioTooHigh { .. }
                | LayerError::ZstdWindowTooLarge { .. }
        )
    }
}
