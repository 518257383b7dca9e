//! Push-driven decompression of a layer blob: gzip (RFC 1952, any number of members, so pigz
//! output and eStargz work where `DecompressionStream` stops after the first member), zstd
//! (RFC 8878, any number of frames, skippable frames skipped) and uncompressed tar.
//!
//! The compression is chosen by magic bytes ([`sniff`]), never by media type: registries and
//! `docker save` both mislabel layers. Input arrives in chunks of any size (one byte works);
//! output is handed to a callback in pieces of at most [`OUT_CHUNK`] bytes, so a bomb is
//! stopped by [`Caps::max_output`] / [`Caps::max_ratio`] after bounded work, and internal
//! buffers stay bounded (gzip: one 32 KiB piece; zstd: one block of ≤ 128 KiB plus the window,
//! itself capped by [`Caps::zstd_max_window`] before anything is allocated).

use std::io::Read as _;

use flate2::{Crc, Decompress, FlushDecompress, Status};
use ruzstd::decoding::errors::FrameDecoderError;
use ruzstd::decoding::FrameDecoder;

use super::{Caps, LayerError};

/// Largest piece of output handed to the callback at once.
pub const OUT_CHUNK: usize = 32 * 1024;

/// What a layer blob is compressed with, as seen from its first bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    Gzip,
    Zstd,
    /// No known compression magic: an uncompressed tar (which may start with any byte).
    #[default]
    Tar,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Tar => "tar",
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: u32 = 0xFD2F_B528;
const SKIPPABLE: std::ops::RangeInclusive<u32> = 0x184D_2A50..=0x184D_2A5F;

/// Bytes [`sniff`] needs to decide (fewer are fine at the end of a stream).
pub const SNIFF_LEN: usize = 4;

/// Compression by magic bytes: gzip `1f 8b`, a zstd frame `28 b5 2f fd` or a zstd skippable
/// frame (zstd:chunked may start with one); anything else is taken as a plain tar, which the
/// tar walker then checks.
pub fn sniff(first_bytes: &[u8]) -> Compression {
    if first_bytes.starts_with(&GZIP_MAGIC) {
        return Compression::Gzip;
    }
    if let Some(magic) = first_bytes
        .first_chunk::<4>()
        .map(|m| u32::from_le_bytes(*m))
    {
        if magic == ZSTD_MAGIC || SKIPPABLE.contains(&magic) {
            return Compression::Zstd;
        }
    }
    Compression::Tar
}

/// Where decompressed bytes go.
pub type Sink<'a> = dyn FnMut(&[u8]) -> Result<(), LayerError> + 'a;

/// Inside: decompressed bytes and how many bytes of the current push were consumed to make
/// them, so the ratio cap is judged on input actually used, not on the whole chunk.
type Emit<'a> = dyn FnMut(&[u8], usize) -> Result<(), LayerError> + 'a;

/// A push-driven decompressor that sniffs its format from the first [`SNIFF_LEN`] bytes and
/// enforces the output and ratio caps.
pub struct Decoder {
    caps: Caps,
    /// Until the format is known: the first bytes.
    head: Vec<u8>,
    inner: Option<Inner>,
    input: u64,
    output: u64,
}

enum Inner {
    Gzip(Box<Gzip>),
    Zstd(Box<Zstd>),
    Plain,
}

impl Decoder {
    /// A decoder that picks the compression from the first bytes.
    pub fn new(caps: Caps) -> Decoder {
        Decoder {
            caps,
            head: Vec::with_capacity(SNIFF_LEN),
            inner: None,
            input: 0,
            output: 0,
        }
    }

    /// The compression, once enough bytes have been seen.
    pub fn compression(&self) -> Option<Compression> {
        self.inner.as_ref().map(Inner::compression)
    }

    /// Compressed bytes consumed so far.
    pub fn input(&self) -> u64 {
        self.input
    }

    /// Decompressed bytes produced so far.
    pub fn output(&self) -> u64 {
        self.output
    }

    pub fn push(&mut self, input: &[u8], out: &mut Sink<'_>) -> Result<(), LayerError> {
        if self.inner.is_none() {
            let take = (SNIFF_LEN - self.head.len()).min(input.len());
            self.head.extend_from_slice(&input[..take]);
            if self.head.len() < SNIFF_LEN {
                return Ok(());
            }
            let head = std::mem::take(&mut self.head);
            self.start(&head, out)?;
            return self.feed(&input[take..], out);
        }
        self.feed(input, out)
    }

    /// Ends the stream: a stream that stops inside a gzip member or zstd frame is an error.
    pub fn finish(mut self, out: &mut Sink<'_>) -> Result<(), LayerError> {
        if self.inner.is_none() {
            let head = std::mem::take(&mut self.head);
            self.start(&head, out)?;
        }
        let input = self.input;
        match self.inner {
            Some(Inner::Gzip(g)) => g.finish(input),
            Some(Inner::Zstd(z)) => z.finish(input),
            Some(Inner::Plain) | None => Ok(()),
        }
    }

    fn start(&mut self, head: &[u8], out: &mut Sink<'_>) -> Result<(), LayerError> {
        self.inner = Some(Inner::new(sniff(head), &self.caps));
        self.feed(head, out)
    }

    fn feed(&mut self, input: &[u8], out: &mut Sink<'_>) -> Result<(), LayerError> {
        let Decoder {
            caps,
            inner,
            input: consumed,
            output,
            ..
        } = self;
        let Some(inner) = inner.as_mut() else {
            return Ok(());
        };
        let before = *consumed;
        *consumed = consumed.saturating_add(input.len() as u64);
        let mut emit = |bytes: &[u8], used: usize| -> Result<(), LayerError> {
            let compressed = before + used as u64;
            *output = output.saturating_add(bytes.len() as u64);
            if *output > caps.max_output {
                return Err(LayerError::OutputTooLarge {
                    cap: caps.max_output,
                });
            }
            if *output > caps.ratio_grace && *output > compressed.saturating_mul(caps.max_ratio) {
                return Err(LayerError::RatioTooHigh {
                    output: *output,
                    input: compressed,
                    cap: caps.max_ratio,
                });
            }
            out(bytes)
        };
        match inner {
            Inner::Gzip(g) => g.push(input, before, &mut emit),
            Inner::Zstd(z) => z.push(input, before, &mut emit),
            // Plain: hand the bytes on in bounded pieces, like the decoders do.
            Inner::Plain => input
                .chunks(OUT_CHUNK)
                .enumerate()
                .try_for_each(|(i, c)| emit(c, i * OUT_CHUNK + c.len())),
        }
    }
}

impl Inner {
    fn new(compression: Compression, caps: &Caps) -> Inner {
        match compression {
            Compression::Gzip => Inner::Gzip(Box::new(Gzip::new())),
            Compression::Zstd => Inner::Zstd(Box::new(Zstd::new(caps.zstd_max_window))),
            Compression::Tar => Inner::Plain,
        }
    }

    fn compression(&self) -> Compression {
        match self {
            Inner::Gzip(_) => Compression::Gzip,
            Inner::Zstd(_) => Compression::Zstd,
            Inner::Plain => Compression::Tar,
        }
    }
}

// ---------------------------------------------------------------- gzip (RFC 1952)

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;
/// FNAME and FCOMMENT are NUL-terminated and otherwise unbounded: cap them.
const MAX_GZIP_STRING: u32 = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GzState {
    /// Between members (or before the first): `1f 8b` starts a member, end of input is fine
    /// after at least one member, anything else is trailing garbage.
    Start,
    /// The 10-byte fixed header; `at` bytes of it seen.
    Fixed {
        at: u8,
    },
    ExtraLen {
        at: u8,
    },
    Extra {
        left: u16,
    },
    Name {
        len: u32,
    },
    Comment {
        len: u32,
    },
    HeaderCrc {
        at: u8,
    },
    Deflate,
    /// The 8-byte trailer (CRC-32, ISIZE); `at` bytes of it seen.
    Trailer {
        at: u8,
    },
}

struct Gzip {
    state: GzState,
    flags: u8,
    /// Fixed header, extra length or header CRC bytes, and then the trailer.
    small: [u8; 10],
    /// CRC-32 of the header bytes, for FHCRC.
    header_crc: Crc,
    inflate: Decompress,
    crc: Crc,
    members: u64,
    buf: Box<[u8]>,
}

impl Gzip {
    fn new() -> Gzip {
        Gzip {
            state: GzState::Start,
            flags: 0,
            small: [0; 10],
            header_crc: Crc::new(),
            inflate: Decompress::new(false),
            crc: Crc::new(),
            members: 0,
            buf: vec![0; OUT_CHUNK].into_boxed_slice(),
        }
    }

    fn header_error(&self, reason: impl Into<String>) -> LayerError {
        LayerError::GzipHeader {
            member: self.members,
            reason: reason.into(),
        }
    }

    /// `offset`: compressed bytes consumed before `input`.
    fn push(
        &mut self,
        mut input: &[u8],
        offset: u64,
        out: &mut Emit<'_>,
    ) -> Result<(), LayerError> {
        let start_len = input.len() as u64;
        loop {
            if input.is_empty() && self.state != GzState::Deflate {
                return Ok(());
            }
            match self.state {
                GzState::Start => {
                    self.members += 1;
                    self.header_crc.reset();
                    self.state = GzState::Fixed { at: 0 };
                    if input[0] != GZIP_MAGIC[0] && self.members > 1 {
                        return Err(LayerError::TrailingGarbage {
                            what: "last gzip member",
                            offset: offset + start_len - input.len() as u64,
                            first: input[0],
                        });
                    }
                }
                GzState::Fixed { at } => {
                    let b = input[0];
                    self.header_byte(&input[..1]);
                    input = &input[1..];
                    self.small[usize::from(at)] = b;
                    match at {
                        0 if b != GZIP_MAGIC[0] => {
                            return Err(self.header_error(format!("bad magic byte {b:#04x}")))
                        }
                        1 if b != GZIP_MAGIC[1] => {
                            // A lone 0x1f after a member: still garbage, name it so.
                            if self.members > 1 {
                                return Err(LayerError::TrailingGarbage {
                                    what: "last gzip member",
                                    offset: offset + start_len - input.len() as u64 - 2,
                                    first: GZIP_MAGIC[0],
                                });
                            }
                            return Err(self.header_error(format!("bad magic byte {b:#04x}")));
                        }
                        2 if b != 8 => {
                            return Err(self.header_error(format!(
                                "compression method {b} (only 8, deflate, exists)"
                            )))
                        }
                        3 if b & FRESERVED != 0 => {
                            return Err(
                                self.header_error(format!("reserved flag bits set ({b:#04x})"))
                            )
                        }
                        _ => {}
                    }
                    self.state = if at == 9 {
                        self.flags = self.small[3];
                        self.after(0)
                    } else {
                        GzState::Fixed { at: at + 1 }
                    };
                }
                GzState::ExtraLen { at } => {
                    self.header_byte(&input[..1]);
                    self.small[usize::from(at)] = input[0];
                    input = &input[1..];
                    self.state = if at == 1 {
                        let len = u16::from_le_bytes([self.small[0], self.small[1]]);
                        if len == 0 {
                            self.after(FEXTRA)
                        } else {
                            GzState::Extra { left: len }
                        }
                    } else {
                        GzState::ExtraLen { at: 1 }
                    };
                }
                GzState::Extra { left } => {
                    let n = usize::from(left).min(input.len());
                    self.header_byte(&input[..n]);
                    input = &input[n..];
                    let left = left - n as u16;
                    self.state = if left == 0 {
                        self.after(FEXTRA)
                    } else {
                        GzState::Extra { left }
                    };
                }
                GzState::Name { len } | GzState::Comment { len } => {
                    let is_name = matches!(self.state, GzState::Name { .. });
                    let nul = input.iter().position(|&b| b == 0);
                    let n = nul.map_or(input.len(), |i| i + 1);
                    self.header_byte(&input[..n]);
                    input = &input[n..];
                    let len = len.saturating_add(n as u32);
                    if len > MAX_GZIP_STRING {
                        return Err(self.header_error(format!(
                            "{} longer than {MAX_GZIP_STRING} bytes",
                            if is_name { "file name" } else { "comment" }
                        )));
                    }
                    self.state = match (nul, is_name) {
                        (Some(_), true) => self.after(FNAME),
                        (Some(_), false) => self.after(FCOMMENT),
                        (None, true) => GzState::Name { len },
                        (None, false) => GzState::Comment { len },
                    };
                }
                GzState::HeaderCrc { at } => {
                    self.small[usize::from(at)] = input[0];
                    input = &input[1..];
                    if at == 1 {
                        let stored = u16::from_le_bytes([self.small[0], self.small[1]]);
                        let actual = self.header_crc.sum() as u16;
                        if stored != actual {
                            return Err(self.header_error(format!(
                                "header CRC-16 is {actual:#06x}, the header says {stored:#06x}"
                            )));
                        }
                        self.state = self.after(FHCRC);
                    } else {
                        self.state = GzState::HeaderCrc { at: 1 };
                    }
                }
                GzState::Deflate => {
                    let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
                    let status = self
                        .inflate
                        .decompress(input, &mut self.buf, FlushDecompress::None)
                        .map_err(|e| LayerError::Deflate {
                            member: self.members,
                            message: e.message().unwrap_or("invalid data").to_owned(),
                        })?;
                    let used = (self.inflate.total_in() - in0) as usize;
                    let made = (self.inflate.total_out() - out0) as usize;
                    input = input.get(used..).unwrap_or_default();
                    let piece = &self.buf[..made];
                    self.crc.update(piece);
                    if made > 0 {
                        out(piece, (start_len - input.len() as u64) as usize)?;
                    }
                    if status == Status::StreamEnd {
                        self.state = GzState::Trailer { at: 0 };
                    } else if made < self.buf.len() && (input.is_empty() || used == 0) {
                        // Needs more input (no progress possible with what is here).
                        if used == 0 && made == 0 && !input.is_empty() {
                            return Err(LayerError::Deflate {
                                member: self.members,
                                message: "no progress on the input".to_owned(),
                            });
                        }
                        return Ok(());
                    }
                }
                GzState::Trailer { at } => {
                    let n = (8 - usize::from(at)).min(input.len());
                    let at = usize::from(at);
                    self.small[at..at + n].copy_from_slice(&input[..n]);
                    input = &input[n..];
                    if at + n < 8 {
                        self.state = GzState::Trailer { at: (at + n) as u8 };
                        continue;
                    }
                    self.check_trailer()?;
                    self.inflate.reset(false);
                    self.crc.reset();
                    self.state = GzState::Start;
                }
            }
        }
    }

    fn header_byte(&mut self, bytes: &[u8]) {
        if self.flags & FHCRC != 0 || matches!(self.state, GzState::Fixed { .. }) {
            self.header_crc.update(bytes);
        }
    }

    /// The header state after the optional field `done` (0: after the fixed header). The
    /// optional fields come in the order FEXTRA, FNAME, FCOMMENT, FHCRC.
    fn after(&self, done: u8) -> GzState {
        const ORDER: [u8; 4] = [FEXTRA, FNAME, FCOMMENT, FHCRC];
        let next = ORDER.iter().position(|&b| b == done).map_or(0, |p| p + 1);
        match ORDER[next..].iter().find(|&&bit| self.flags & bit != 0) {
            Some(&FEXTRA) => GzState::ExtraLen { at: 0 },
            Some(&FNAME) => GzState::Name { len: 0 },
            Some(&FCOMMENT) => GzState::Comment { len: 0 },
            Some(_) => GzState::HeaderCrc { at: 0 },
            None => GzState::Deflate,
        }
    }

    fn check_trailer(&self) -> Result<(), LayerError> {
        let expected_crc =
            u32::from_le_bytes([self.small[0], self.small[1], self.small[2], self.small[3]]);
        let expected_size =
            u32::from_le_bytes([self.small[4], self.small[5], self.small[6], self.small[7]]);
        if self.crc.sum() != expected_crc {
            return Err(LayerError::GzipCrc {
                member: self.members,
                expected: expected_crc,
                actual: self.crc.sum(),
            });
        }
        // ISIZE is the member's size mod 2^32.
        let actual_size = self.inflate.total_out() as u32;
        if actual_size != expected_size {
            return Err(LayerError::GzipSize {
                member: self.members,
                expected: expected_size,
                actual: actual_size,
            });
        }
        Ok(())
    }

    fn finish(self, input: u64) -> Result<(), LayerError> {
        if self.state == GzState::Start && self.members > 0 {
            return Ok(());
        }
        Err(LayerError::TruncatedGzip {
            member: self.members.max(1),
            input,
        })
    }
}

// ---------------------------------------------------------------- zstd (RFC 8878)

/// Largest block content (RFC 8878 3.1.1.2.3: Block_Maximum_Size ≤ 128 KiB).
const MAX_BLOCK: usize = 128 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ZState {
    /// Expecting a frame magic (or the end of the stream after at least one frame).
    FrameStart,
    /// Inside a skippable frame: bytes left to skip.
    Skip(u64),
    /// Inside a frame: next is a block header. `checksum`: the frame ends with 4 checksum bytes.
    Blocks { checksum: bool },
}

struct Zstd {
    decoder: FrameDecoder,
    max_window: u64,
    state: ZState,
    /// Bytes of the current step (frame header, block) when it straddles pushes.
    pending: Vec<u8>,
    frames: u64,
    buf: Box<[u8]>,
}

impl Zstd {
    fn new(max_window: u64) -> Zstd {
        let mut decoder = FrameDecoder::new();
        decoder.set_max_window_size(max_window);
        Zstd {
            decoder,
            max_window,
            state: ZState::FrameStart,
            pending: Vec::new(),
            frames: 0,
            buf: vec![0; OUT_CHUNK].into_boxed_slice(),
        }
    }

    fn error(&self, reason: impl Into<String>) -> LayerError {
        LayerError::Zstd {
            frame: self.frames + 1,
            reason: reason.into(),
        }
    }

    /// `offset`: compressed bytes consumed before `input`.
    fn push(
        &mut self,
        mut input: &[u8],
        offset: u64,
        out: &mut Emit<'_>,
    ) -> Result<(), LayerError> {
        let total = input.len() as u64;
        loop {
            if let ZState::Skip(left) = self.state {
                let n = left.min(input.len() as u64) as usize;
                input = &input[n..];
                let left = left - n as u64;
                self.state = if left == 0 {
                    ZState::FrameStart
                } else {
                    ZState::Skip(left)
                };
                if left > 0 {
                    return Ok(());
                }
                continue;
            }
            // Stream offset of the next step's first byte.
            let at = offset + (total - input.len() as u64) - self.pending.len() as u64;
            if !self.pending.is_empty() {
                // `need` on a short prefix is a lower bound (enough to read a length from):
                // top up to it, then ask again until the step is complete.
                let need = self.need(&self.pending, at)?;
                if self.pending.len() >= need {
                    let step = std::mem::take(&mut self.pending);
                    self.step(&step, &mut |b| out(b, total as usize - input.len()))?;
                    self.pending = step;
                    self.pending.clear();
                    continue;
                }
                if input.is_empty() {
                    return Ok(());
                }
                let take = (need - self.pending.len()).min(input.len());
                self.pending.extend_from_slice(&input[..take]);
                input = &input[take..];
                continue;
            }
            if input.is_empty() {
                return Ok(());
            }
            // The common case: one push holds the whole step, no copy.
            let need = self.need(input, at)?;
            if need > input.len() {
                // Fewer bytes than one step (≤ a block): keep them for the next push.
                self.pending.extend_from_slice(input);
                return Ok(());
            }
            let (step, rest) = input.split_at(need);
            input = rest;
            let consumed = total as usize - input.len();
            self.step(step, &mut |b| out(b, consumed))?;
        }
    }

    /// Bytes the next step needs, given the bytes `avail` at its start (a lower bound when
    /// `avail` is too short to tell: the caller asks again with more).
    fn need(&self, avail: &[u8], offset: u64) -> Result<usize, LayerError> {
        match self.state {
            ZState::Skip(_) => Ok(0),
            ZState::FrameStart => {
                let Some(magic) = avail.first_chunk::<4>().map(|m| u32::from_le_bytes(*m)) else {
                    return Ok(4);
                };
                if SKIPPABLE.contains(&magic) {
                    return Ok(8);
                }
                if magic != ZSTD_MAGIC {
                    if self.frames > 0 {
                        return Err(LayerError::TrailingGarbage {
                            what: "last zstd frame",
                            offset,
                            first: avail[0],
                        });
                    }
                    return Err(self.error(format!("bad magic number {magic:#010x}")));
                }
                let Some(&fhd) = avail.get(4) else {
                    return Ok(5);
                };
                Ok(frame_header_len(fhd))
            }
            ZState::Blocks { checksum } => {
                let Some(h) = avail.first_chunk::<3>() else {
                    return Ok(3);
                };
                let h = u32::from_le_bytes([h[0], h[1], h[2], 0]);
                let last = h & 1 == 1;
                let size = (h >> 3) as usize;
                let body = match (h >> 1) & 3 {
                    0 | 2 => size,
                    1 => 1,
                    _ => return Err(self.error("reserved block type")),
                };
                if size > MAX_BLOCK {
                    return Err(self.error(format!("block of {size} bytes (at most {MAX_BLOCK})")));
                }
                Ok(3 + body + if last && checksum { 4 } else { 0 })
            }
        }
    }

    /// Runs one complete step: a frame header or a skippable-frame header, or one block.
    fn step(&mut self, step: &[u8], out: &mut Sink<'_>) -> Result<(), LayerError> {
        match self.state {
            ZState::Skip(_) => Ok(()),
            ZState::FrameStart => {
                let magic = u32::from_le_bytes([step[0], step[1], step[2], step[3]]);
                if SKIPPABLE.contains(&magic) {
                    let len = u32::from_le_bytes([step[4], step[5], step[6], step[7]]);
                    self.state = if len == 0 {
                        ZState::FrameStart
                    } else {
                        ZState::Skip(u64::from(len))
                    };
                    return Ok(());
                }
                let fhd = step[4];
                if fhd & 0x08 != 0 {
                    return Err(self.error("reserved bit set in the frame header descriptor"));
                }
                let window = window_size(step, fhd);
                if window > self.max_window {
                    return Err(LayerError::ZstdWindowTooLarge {
                        frame: self.frames + 1,
                        window,
                        cap: self.max_window,
                    });
                }
                self.decoder
                    .reset(step)
                    .map_err(|e| self.error(zstd_reason(&e)))?;
                self.state = ZState::Blocks {
                    checksum: fhd & 0x04 != 0,
                };
                Ok(())
            }
            ZState::Blocks { checksum } => {
                let (used, _) = self
                    .decoder
                    .decode_from_to(step, &mut [])
                    .map_err(|e| self.error(zstd_reason(&e)))?;
                if used != step.len() {
                    return Err(self.error(format!(
                        "block of {} bytes decoded only {used} of them",
                        step.len()
                    )));
                }
                let last = self.decoder.is_finished();
                loop {
                    let n = self
                        .decoder
                        .read(&mut self.buf)
                        .map_err(|_| self.error("invalid data (decode buffer)"))?;
                    if n == 0 {
                        break;
                    }
                    out(&self.buf[..n])?;
                }
                if last {
                    if checksum {
                        let expected = self.decoder.get_checksum_from_data();
                        let actual = self.decoder.get_calculated_checksum();
                        if let (Some(expected), Some(actual)) = (expected, actual) {
                            if expected != actual {
                                return Err(LayerError::ZstdChecksum {
                                    frame: self.frames + 1,
                                    expected,
                                    actual,
                                });
                            }
                        }
                    }
                    self.frames += 1;
                    self.state = ZState::FrameStart;
                }
                Ok(())
            }
        }
    }

    fn finish(self, input: u64) -> Result<(), LayerError> {
        if self.state == ZState::FrameStart && self.pending.is_empty() {
            return Ok(());
        }
        Err(LayerError::TruncatedZstd {
            frame: self.frames + 1,
            input,
        })
    }
}

/// A short reason for a ruzstd error. Its `Display` prints the nested errors' `Debug`
/// forms, which are unreadable for a person and cost ≈ 10 kB brotli in the worker; the
/// variant says enough (the frame number and offset come with the error).
fn zstd_reason(e: &FrameDecoderError) -> String {
    use FrameDecoderError as E;
    match e {
        E::ReadFrameHeaderError(_) | E::FrameHeaderError(_) | E::FailedToInitialize(_) => {
            "invalid frame header".to_owned()
        }
        E::WindowSizeTooBig { requested, max } => {
            format!("window of {requested} bytes (at most {max})")
        }
        E::DictNotProvided { dict_id } => {
            format!("needs dictionary {dict_id}, which a layer cannot provide")
        }
        E::DictionaryDecodeError(_) => "invalid dictionary".to_owned(),
        E::FailedToReadBlockHeader(_) => "invalid block header".to_owned(),
        E::FailedToReadBlockBody(_) => "corrupt block".to_owned(),
        E::FailedToReadChecksum(_) => "unreadable content checksum".to_owned(),
        _ => "invalid data".to_owned(),
    }
}

/// Length of a frame header (magic included) from its descriptor byte (RFC 8878 3.1.1.1).
fn frame_header_len(fhd: u8) -> usize {
    let single_segment = fhd & 0x20 != 0;
    let dict = [0, 1, 2, 4][usize::from(fhd & 3)];
    let fcs = match fhd >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    4 + 1 + usize::from(!single_segment) + dict + fcs
}

/// The window a frame declares (RFC 8878 3.1.1.1.2), from its complete header.
fn window_size(header: &[u8], fhd: u8) -> u64 {
    if fhd & 0x20 == 0 {
        let wd = header.get(5).copied().unwrap_or(0);
        let log = 10 + u32::from(wd >> 3);
        let base = 1u64 << log;
        return base + (base / 8) * u64::from(wd & 7);
    }
    // Single segment: the window is the frame content size.
    let dict = [0, 1, 2, 4][usize::from(fhd & 3)];
    let fcs = &header[5 + dict..];
    match fhd >> 6 {
        0 => u64::from(fcs[0]),
        1 => u64::from(u16::from_le_bytes([fcs[0], fcs[1]])) + 256,
        2 => u64::from(u32::from_le_bytes([fcs[0], fcs[1], fcs[2], fcs[3]])),
        _ => u64::from_le_bytes([
            fcs[0], fcs[1], fcs[2], fcs[3], fcs[4], fcs[5], fcs[6], fcs[7],
        ]),
    }
}
