//! `oci::Digest` parsing (image-spec descriptor.md, "Digests"): what is accepted, and for what
//! is not, the error variant and the byte it names. Positions are worked out by hand from the
//! grammar in `src/oci/digest.rs`.

use manifest_explorer::oci::{Algorithm, Digest, DigestError};

const HEX64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn well_formed_digests_round_trip() {
    let sha512 = format!("sha512:{HEX64}{HEX64}");
    for (input, algorithm) in [
        (format!("sha256:{HEX64}"), Algorithm::Sha256),
        (sha512, Algorithm::Sha512),
    ] {
        let digest: Digest = input.parse().expect(&input);
        assert_eq!(digest.algorithm(), algorithm);
        assert_eq!(digest.to_string(), input);
        assert_eq!(digest.encoded(), &input[7..]);
    }
}

/// What kind of error, and the byte offset it names (if any).
fn kind(e: &DigestError) -> (&'static str, Option<usize>) {
    let name = match e {
        DigestError::Empty => "empty",
        DigestError::MissingColon { .. } => "missing colon",
        DigestError::BadAlgorithm { .. } => "bad algorithm",
        DigestError::EmptyEncoded { .. } => "empty encoded",
        DigestError::BadEncoded { .. } => "bad encoded",
        DigestError::Unsupported { .. } => "unsupported",
        DigestError::WrongLength { .. } => "wrong length",
        DigestError::NotLowerHex { .. } => "not lower hex",
    };
    (name, e.position())
}

#[test]
fn malformed_digests_name_the_offending_byte() {
    let upper = format!("sha256:{}", HEX64.to_uppercase());
    let short = format!("sha256:{}", &HEX64[..63]);
    let cases: &[(&str, (&str, Option<usize>))] = &[
        ("", ("empty", None)),
        ("sha256", ("missing colon", None)),
        (":abc", ("bad algorithm", Some(0))),
        ("Sha256:abc", ("bad algorithm", Some(0))),
        ("sha+256:abc", ("unsupported", None)),
        ("sha256+:abc", ("bad algorithm", Some(6))),
        ("sha256-:abc", ("bad algorithm", Some(6))),
        ("sha..256:abc", ("bad algorithm", Some(4))),
        ("sha256:", ("empty encoded", None)),
        ("sha256:ab/cd", ("bad encoded", Some(9))),
        // The first colon separates: a second one is a character of the encoded part.
        ("sha256:ab:cd", ("bad encoded", Some(9))),
        ("md5:abc", ("unsupported", None)),
        (&upper, ("not lower hex", Some(17))),
        (&short, ("wrong length", None)),
    ];
    for (input, want) in cases {
        let e = input.parse::<Digest>().expect_err(input);
        assert_eq!(kind(&e), *want, "{input:?}: {e}");
    }
}

#[test]
fn a_trailing_separator_is_named_with_its_character() {
    let e = "sha256.:abc"
        .parse::<Digest>()
        .expect_err("trailing separator");
    assert!(
        matches!(
            &e,
            DigestError::BadAlgorithm {
                at: 6,
                found: '.',
                ..
            }
        ),
        "{e:?}"
    );
}
