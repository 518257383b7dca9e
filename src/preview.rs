//! How a file from a layer is shown: as text (invalid UTF-8 bytes shown as `\xNN`, never
//! dropped or guessed), as an `xxd`-style hex dump, or as an image the browser decodes from a
//! `blob:` URL (never inline markup: an SVG inside `<img>` runs no script).
//!
//! Pure: the choices and renderings are tested natively.

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An image type the browser can show, with its MIME type.
    Image(&'static str),
    Binary,
}

/// Sniffs the kind from the content (and, for SVG, which has no magic, the name).
pub fn sniff(name: &[u8], bytes: &[u8]) -> Kind {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
    ];
    if let Some((_, mime)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Kind::Image(mime);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Kind::Image("image/webp");
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Kind::Binary;
    }
    if name.ends_with(b".svg") && head.windows(4).any(|w| w == b"<svg") {
        return Kind::Image("image/svg+xml");
    }
    // Mostly valid UTF-8 (at most 1 byte in 32 invalid: a cut at the preview's end, a stray
    // byte) is text; Latin-1 prose is not.
    let invalid = text(head).1;
    if invalid * 32 <= head.len() {
        Kind::Text
    } else {
        Kind::Binary
    }
}

/// The bytes as text: valid UTF-8 as it is, every invalid byte as `\xNN`. Returns the text
/// and the number of invalid bytes.
pub fn text(bytes: &[u8]) -> (String, usize) {
    let mut out = String::with_capacity(bytes.len());
    let mut invalid = 0;
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
            invalid += 1;
        }
    }
    (out, invalid)
}

/// An `xxd`-style dump: offset, 16 bytes in hex in pairs, and the printable ASCII.
pub fn hex(bytes: &[u8], start: u64) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 + 16);
    for (i, line) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}: ", start + i as u64 * 16));
        for pos in 0..16 {
            match line.get(pos) {
                Some(b) => out.push_str(&format!("{b:02x}")),
                None => out.push_str("  "),
            }
            if pos % 2 == 1 {
                out.push(' ');
            }
        }
        out.push(' ');
        out.extend(line.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('\n');
    }
    out
}
