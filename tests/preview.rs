//! File previews: kinds sniffed from content, invalid UTF-8 kept visible, hex like `xxd`.

use manifest_explorer::preview::{hex, sniff, text, Kind};

#[test]
fn kinds_come_from_content() {
    let cases: &[(&[u8], &[u8], Kind)] = &[
        (b"a.txt", b"hello\nworld\n", Kind::Text),
        (b"logo", b"\x89PNG\r\n\x1a\n....", Kind::Image("image/png")),
        (b"x.jpg", b"\xff\xd8\xff\xe0", Kind::Image("image/jpeg")),
        (b"x", b"GIF89a..", Kind::Image("image/gif")),
        (b"x", b"RIFF\0\0\0\0WEBPVP8 ", Kind::Image("image/webp")),
        (
            b"icon.svg",
            b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
            Kind::Image("image/svg+xml"),
        ),
        // Without the name, SVG is text (markup shown as text, never rendered).
        (b"icon", b"<svg onload='alert(1)'/>", Kind::Text),
        (b"bin/sh", b"\x7fELF\x02\x01\x01\0\0\0", Kind::Binary),
        (
            b"latin1.txt",
            b"caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la",
            Kind::Binary,
        ),
        (
            b"mostly.txt",
            b"a fine line of text that ends with one stray byte \xff",
            Kind::Text,
        ),
    ];
    for (name, bytes, kind) in cases {
        assert_eq!(
            sniff(name, bytes),
            *kind,
            "{}",
            String::from_utf8_lossy(name)
        );
    }
}

#[test]
fn invalid_utf8_is_shown_escaped() {
    assert_eq!(text(b"ok \xff\xfe ok"), ("ok \\xff\\xfe ok".to_owned(), 2));
    assert_eq!(text("ünï".as_bytes()), ("ünï".to_owned(), 0));
    // A character cut at the end of a preview.
    assert_eq!(text(&"é".as_bytes()[..1]), ("\\xc3".to_owned(), 1));
}

#[test]
fn hex_matches_xxd() {
    // Expected output from `printf 'Hello, layer!\n\0\1\2\3' | xxd`.
    let dump = hex(b"Hello, layer!\n\0\x01\x02\x03", 0);
    assert_eq!(
        dump,
        "00000000: 4865 6c6c 6f2c 206c 6179 6572 210a 0001  Hello, layer!...\n\
         00000010: 0203                                     ..\n"
    );
}
