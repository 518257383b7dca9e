//! Showing path bytes from a tar header. A name is attacker-chosen bytes: it may be invalid
//! UTF-8, hold control characters (a newline forging a second row) or bidi overrides (making
//! `exe.txt` read as `txt.exe`). [`display`] keeps every name visible and unambiguous, and
//! never drops one.

use std::fmt::Write as _;

/// The printable form of raw name bytes: valid UTF-8 is kept, except that invalid bytes are
/// shown as `\xNN`, C0/C1 controls and DEL as `\xNN` / `\u{NN}`, bidi and line-separator
/// characters as `\u{NNNN}`, and a backslash as `\\` (so the escaping can be read back).
pub fn display(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(&mut out, c);
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Whether [`display`] would return the bytes unchanged (printable ASCII without `\`): lets
/// filters skip building the display form for the common case.
pub fn is_plain(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) && b != b'\\')
}

fn push_char(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\0'..='\x1f' | '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// C1 controls, bidi embeddings/overrides/isolates, implicit marks, line/paragraph separators,
/// zero-width characters and the BOM: all render invisibly or reorder text around them.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9f}'
        | '\u{061c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}')
}
