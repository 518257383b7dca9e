//! Table-driven tests for `oci::Reference`, with the test tables of distribution/reference
//! (`reference_test.go`, `normalize_test.go`, `regexp_test.go`) ported as data.
//!
//! Upstream runs many of these inputs through `Parse` (no normalisation) or through a bare
//! regexp; here every input goes through `FromStr`, which is `ParseNormalizedNamed` +
//! `TagNameOnly`, so the expected values are the normalised ones (`test_com` is
//! `docker.io/library/test_com:latest`).

mod common;
use common::Lcg;
use std::collections::HashSet;

use manifest_explorer::oci::{Normalization, Reference, ReferenceError};

// Digests used by the upstream tables.
macro_rules! ff256 {
    () => {
        "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    };
}
macro_rules! ff512 {
    () => {
        "sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    };
}
macro_rules! d1234 {
    () => {
        "sha256:1234567890098765432112345667890098765432112345667890098765432112"
    };
}
macro_rules! d86e0 {
    () => {
        "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
    };
}
macro_rules! ddbcc {
    () => {
        "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
    };
}
macro_rules! de669 {
    () => {
        "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"
    };
}
macro_rules! dbe17 {
    () => {
        "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"
    };
}

/// A valid input: `V(input, registry, repository, tag, digest, familiar, display)`;
/// an empty tag or digest means none.
struct V(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const VALID: &[V] = &[
    // reference_test.go TestReferenceParse (valid rows), normalised.
    V("test_com", "docker.io", "library/test_com", "latest", "", "test_com:latest", "docker.io/library/test_com:latest"),
    V("test.com:tag", "docker.io", "library/test.com", "tag", "", "test.com:tag", "docker.io/library/test.com:tag"),
    V("test.com:5000", "docker.io", "library/test.com", "5000", "", "test.com:5000", "docker.io/library/test.com:5000"),
    V("test.com/repo:tag", "test.com", "repo", "tag", "", "test.com/repo:tag", "test.com/repo:tag"),
    V("test:5000/repo", "test:5000", "repo", "latest", "", "test:5000/repo:latest", "test:5000/repo:latest"),
    V("test:5000/repo:tag", "test:5000", "repo", "tag", "", "test:5000/repo:tag", "test:5000/repo:tag"),
    V(concat!("test:5000/repo@", ff256!()), "test:5000", "repo", "", ff256!(), concat!("test:5000/repo@", ff256!()), concat!("test:5000/repo@", ff256!())),
    V(concat!("test:5000/repo:tag@", ff256!()), "test:5000", "repo", "tag", ff256!(), concat!("test:5000/repo:tag@", ff256!()), concat!("test:5000/repo:tag@", ff256!())),
    V("lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", "", "lowercase:Uppercase", "docker.io/library/lowercase:Uppercase"),
    V("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "latest", "", "sub-dom1.foo.com/bar/baz/quux:latest", "sub-dom1.foo.com/bar/baz/quux:latest"),
    V("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", "", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag"),
    V("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", "", "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com"),
    V("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", "", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com"),
    V(concat!("xn--7o8h.com/myimage:xn--7o8h.com@", ff512!()), "xn--7o8h.com", "myimage", "xn--7o8h.com", ff512!(), concat!("xn--7o8h.com/myimage:xn--7o8h.com@", ff512!()), concat!("xn--7o8h.com/myimage:xn--7o8h.com@", ff512!())),
    V("foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", "", "foo_bar.com:8080", "docker.io/library/foo_bar.com:8080"),
    V("foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", "", "foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080"),
    V("192.168.1.1", "docker.io", "library/192.168.1.1", "latest", "", "192.168.1.1:latest", "docker.io/library/192.168.1.1:latest"),
    V("192.168.1.1:tag", "docker.io", "library/192.168.1.1", "tag", "", "192.168.1.1:tag", "docker.io/library/192.168.1.1:tag"),
    V("192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000", "", "192.168.1.1:5000", "docker.io/library/192.168.1.1:5000"),
    V("192.168.1.1/repo", "192.168.1.1", "repo", "latest", "", "192.168.1.1/repo:latest", "192.168.1.1/repo:latest"),
    V("192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", "latest", "", "192.168.1.1:5000/repo:latest", "192.168.1.1:5000/repo:latest"),
    V("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", "", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050"),
    V("[2001:db8::1]/repo", "[2001:db8::1]", "repo", "latest", "", "[2001:db8::1]/repo:latest", "[2001:db8::1]/repo:latest"),
    V("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", "", "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag"),
    V("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", "latest", "", "[2001:db8::1]:5000/repo:latest", "[2001:db8::1]:5000/repo:latest"),
    V("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", "", "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000/repo:tag"),
    V(concat!("[2001:db8::1]:5000/repo@", ff256!()), "[2001:db8::1]:5000", "repo", "", ff256!(), concat!("[2001:db8::1]:5000/repo@", ff256!()), concat!("[2001:db8::1]:5000/repo@", ff256!())),
    V(concat!("[2001:db8::1]:5000/repo:tag@", ff256!()), "[2001:db8::1]:5000", "repo", "tag", ff256!(), concat!("[2001:db8::1]:5000/repo:tag@", ff256!()), concat!("[2001:db8::1]:5000/repo:tag@", ff256!())),
    V("[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", "latest", "", "[2001:db8::]:5000/repo:latest", "[2001:db8::]:5000/repo:latest"),
    V("[::1]:5000/repo", "[::1]:5000", "repo", "latest", "", "[::1]:5000/repo:latest", "[::1]:5000/repo:latest"),
    // reference_test.go TestSerialization, TestParseNamed, TestDomainAndPath.
    V("example.com:8000/named", "example.com:8000", "named", "latest", "", "example.com:8000/named:latest", "example.com:8000/named:latest"),
    V("example.com:8000/named:tagged", "example.com:8000", "named", "tagged", "", "example.com:8000/named:tagged", "example.com:8000/named:tagged"),
    V(concat!("other.com/named@", d1234!()), "other.com", "named", "", d1234!(), concat!("other.com/named@", d1234!()), concat!("other.com/named@", d1234!())),
    V("test.com/foo", "test.com", "foo", "latest", "", "test.com/foo:latest", "test.com/foo:latest"),
    V("test:8080/foo", "test:8080", "foo", "latest", "", "test:8080/foo:latest", "test:8080/foo:latest"),
    V("test_com/foo", "docker.io", "test_com/foo", "latest", "", "test_com/foo:latest", "docker.io/test_com/foo:latest"),
    V("test.com", "docker.io", "library/test.com", "latest", "", "test.com:latest", "docker.io/library/test.com:latest"),
    V("library/foo", "docker.io", "library/foo", "latest", "", "foo:latest", "docker.io/library/foo:latest"),
    V("test.com:8080/foo", "test.com:8080", "foo", "latest", "", "test.com:8080/foo:latest", "test.com:8080/foo:latest"),
    V("test-com:8080/foo", "test-com:8080", "foo", "latest", "", "test-com:8080/foo:latest", "test-com:8080/foo:latest"),
    V("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", "latest", "", "xn--n3h.com:18080/foo:latest", "xn--n3h.com:18080/foo:latest"),
    // normalize_test.go TestValidateReferenceName (valid).
    V("docker/docker", "docker.io", "docker/docker", "latest", "", "docker/docker:latest", "docker.io/docker/docker:latest"),
    V("library/debian", "docker.io", "library/debian", "latest", "", "debian:latest", "docker.io/library/debian:latest"),
    V("debian", "docker.io", "library/debian", "latest", "", "debian:latest", "docker.io/library/debian:latest"),
    V("docker.io/docker/docker", "docker.io", "docker/docker", "latest", "", "docker/docker:latest", "docker.io/docker/docker:latest"),
    V("docker.io/library/debian", "docker.io", "library/debian", "latest", "", "debian:latest", "docker.io/library/debian:latest"),
    V("docker.io/debian", "docker.io", "library/debian", "latest", "", "debian:latest", "docker.io/library/debian:latest"),
    V("index.docker.io/docker/docker", "docker.io", "docker/docker", "latest", "", "docker/docker:latest", "docker.io/docker/docker:latest"),
    V("index.docker.io/library/debian", "docker.io", "library/debian", "latest", "", "debian:latest", "docker.io/library/debian:latest"),
    V("index.docker.io/debian", "docker.io", "library/debian", "latest", "", "debian:latest", "docker.io/library/debian:latest"),
    V("127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", "latest", "", "127.0.0.1:5000/docker/docker:latest", "127.0.0.1:5000/docker/docker:latest"),
    V("127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "latest", "", "127.0.0.1:5000/library/debian:latest", "127.0.0.1:5000/library/debian:latest"),
    V("127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", "latest", "", "127.0.0.1:5000/debian:latest", "127.0.0.1:5000/debian:latest"),
    V("192.168.0.1", "docker.io", "library/192.168.0.1", "latest", "", "192.168.0.1:latest", "docker.io/library/192.168.0.1:latest"),
    V("192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", "", "192.168.0.1:80", "docker.io/library/192.168.0.1:80"),
    V("192.168.0.1:8/debian", "192.168.0.1:8", "debian", "latest", "", "192.168.0.1:8/debian:latest", "192.168.0.1:8/debian:latest"),
    V("192.168.0.2:25000/debian", "192.168.0.2:25000", "debian", "latest", "", "192.168.0.2:25000/debian:latest", "192.168.0.2:25000/debian:latest"),
    V("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "latest", "", "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest", "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest"),
    V("[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", "latest", "", "[fc00::1]:5000/docker:latest", "[fc00::1]:5000/docker:latest"),
    V("[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", "latest", "", "[fc00::1]:5000/docker/docker:latest", "[fc00::1]:5000/docker/docker:latest"),
    V("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", "latest", "", "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest", "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest"),
    V("docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io", "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "latest", "", "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest", "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest"),
    V("Docker/docker", "Docker", "docker", "latest", "", "Docker/docker:latest", "Docker/docker:latest"),
    V("DOCKER/docker", "DOCKER", "docker", "latest", "", "DOCKER/docker:latest", "DOCKER/docker:latest"),
    // normalize_test.go TestValidateRemoteName (valid).
    V("docker-rules/docker", "docker.io", "docker-rules/docker", "latest", "", "docker-rules/docker:latest", "docker.io/docker-rules/docker:latest"),
    V("docker---rules/docker", "docker.io", "docker---rules/docker", "latest", "", "docker---rules/docker:latest", "docker.io/docker---rules/docker:latest"),
    V("doc/docker", "docker.io", "doc/docker", "latest", "", "doc/docker:latest", "docker.io/doc/docker:latest"),
    V("d/docker", "docker.io", "d/docker", "latest", "", "d/docker:latest", "docker.io/d/docker:latest"),
    V("jess/t", "docker.io", "jess/t", "latest", "", "jess/t:latest", "docker.io/jess/t:latest"),
    V("dock__er/docker", "docker.io", "dock__er/docker", "latest", "", "dock__er/docker:latest", "docker.io/dock__er/docker:latest"),
    // normalize_test.go TestParseRepositoryInfo (familiar, full and ambiguous names).
    V("fooo/bar", "docker.io", "fooo/bar", "latest", "", "fooo/bar:latest", "docker.io/fooo/bar:latest"),
    V("docker.io/fooo/bar", "docker.io", "fooo/bar", "latest", "", "fooo/bar:latest", "docker.io/fooo/bar:latest"),
    V("index.docker.io/fooo/bar", "docker.io", "fooo/bar", "latest", "", "fooo/bar:latest", "docker.io/fooo/bar:latest"),
    V("ubuntu", "docker.io", "library/ubuntu", "latest", "", "ubuntu:latest", "docker.io/library/ubuntu:latest"),
    V("docker.io/library/ubuntu", "docker.io", "library/ubuntu", "latest", "", "ubuntu:latest", "docker.io/library/ubuntu:latest"),
    V("library/ubuntu", "docker.io", "library/ubuntu", "latest", "", "ubuntu:latest", "docker.io/library/ubuntu:latest"),
    V("nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", "latest", "", "nonlibrary/ubuntu:latest", "docker.io/nonlibrary/ubuntu:latest"),
    V("other/library", "docker.io", "other/library", "latest", "", "other/library:latest", "docker.io/other/library:latest"),
    V("127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", "latest", "", "127.0.0.1:8000/private/moonbase:latest", "127.0.0.1:8000/private/moonbase:latest"),
    V("127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase", "latest", "", "127.0.0.1:8000/privatebase:latest", "127.0.0.1:8000/privatebase:latest"),
    V("example.com/private/moonbase", "example.com", "private/moonbase", "latest", "", "example.com/private/moonbase:latest", "example.com/private/moonbase:latest"),
    V("example.com/privatebase", "example.com", "privatebase", "latest", "", "example.com/privatebase:latest", "example.com/privatebase:latest"),
    V("example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", "latest", "", "example.com:8000/private/moonbase:latest", "example.com:8000/private/moonbase:latest"),
    V("example.com:8000/privatebasee", "example.com:8000", "privatebasee", "latest", "", "example.com:8000/privatebasee:latest", "example.com:8000/privatebasee:latest"),
    V("ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", "", "ubuntu-12.04-base:latest", "docker.io/library/ubuntu-12.04-base:latest"),
    V("docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", "", "ubuntu-12.04-base:latest", "docker.io/library/ubuntu-12.04-base:latest"),
    V("index.docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "latest", "", "ubuntu-12.04-base:latest", "docker.io/library/ubuntu-12.04-base:latest"),
    V("foo", "docker.io", "library/foo", "latest", "", "foo:latest", "docker.io/library/foo:latest"),
    V("docker.io/foo", "docker.io", "library/foo", "latest", "", "foo:latest", "docker.io/library/foo:latest"),
    V("docker.io/library/foo", "docker.io", "library/foo", "latest", "", "foo:latest", "docker.io/library/foo:latest"),
    V("library/foo/bar", "docker.io", "library/foo/bar", "latest", "", "library/foo/bar:latest", "docker.io/library/foo/bar:latest"),
    V("docker.io/library/foo/bar", "docker.io", "library/foo/bar", "latest", "", "library/foo/bar:latest", "docker.io/library/foo/bar:latest"),
    V("store/foo/bar", "docker.io", "store/foo/bar", "latest", "", "store/foo/bar:latest", "docker.io/store/foo/bar:latest"),
    V("Foo/bar", "Foo", "bar", "latest", "", "Foo/bar:latest", "Foo/bar:latest"),
    V("FOO/bar", "FOO", "bar", "latest", "", "FOO/bar:latest", "FOO/bar:latest"),
    // normalize_test.go TestParseReferenceWithTagAndDigest.
    V(concat!("busybox:latest@", d86e0!()), "docker.io", "library/busybox", "latest", d86e0!(), concat!("busybox:latest@", d86e0!()), concat!("docker.io/library/busybox:latest@", d86e0!())),
    // normalize_test.go TestParseAnyReference (the named ones).
    V("redis", "docker.io", "library/redis", "latest", "", "redis:latest", "docker.io/library/redis:latest"),
    V("redis:latest", "docker.io", "library/redis", "latest", "", "redis:latest", "docker.io/library/redis:latest"),
    V("docker.io/library/redis:latest", "docker.io", "library/redis", "latest", "", "redis:latest", "docker.io/library/redis:latest"),
    V(concat!("redis@", ddbcc!()), "docker.io", "library/redis", "", ddbcc!(), concat!("redis@", ddbcc!()), concat!("docker.io/library/redis@", ddbcc!())),
    V(concat!("docker.io/library/redis@", ddbcc!()), "docker.io", "library/redis", "", ddbcc!(), concat!("redis@", ddbcc!()), concat!("docker.io/library/redis@", ddbcc!())),
    V("dmcgowan/myapp", "docker.io", "dmcgowan/myapp", "latest", "", "dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest"),
    V("dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp", "latest", "", "dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest"),
    V("docker.io/mcgowan/myapp:latest", "docker.io", "mcgowan/myapp", "latest", "", "mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest"),
    V(concat!("dmcgowan/myapp@", ddbcc!()), "docker.io", "dmcgowan/myapp", "", ddbcc!(), concat!("dmcgowan/myapp@", ddbcc!()), concat!("docker.io/dmcgowan/myapp@", ddbcc!())),
    V(concat!("docker.io/dmcgowan/myapp@", ddbcc!()), "docker.io", "dmcgowan/myapp", "", ddbcc!(), concat!("dmcgowan/myapp@", ddbcc!()), concat!("docker.io/dmcgowan/myapp@", ddbcc!())),
    // 63 hex characters are a name, not an identifier.
    V("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "latest", "", "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest", "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest"),
    V("dbcc1", "docker.io", "library/dbcc1", "latest", "", "dbcc1:latest", "docker.io/library/dbcc1:latest"),
    // A bare digest is a name "sha256" with a 64-character tag under ParseNormalizedNamed.
    V(ddbcc!(), "docker.io", "library/sha256", "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "", ddbcc!(), concat!("docker.io/library/", ddbcc!())),
    // normalize_test.go TestNormalizedSplitHostname.
    V("docker/migrator", "docker.io", "docker/migrator", "latest", "", "docker/migrator:latest", "docker.io/docker/migrator:latest"),
    V("xn--n3h.com/foo", "xn--n3h.com", "foo", "latest", "", "xn--n3h.com/foo:latest", "xn--n3h.com/foo:latest"),
    // normalize_test.go TestParseDockerRef; unlike ParseDockerRef, tag and digest are both kept.
    V("busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V(concat!("busybox@", de669!()), "docker.io", "library/busybox", "", de669!(), concat!("busybox@", de669!()), concat!("docker.io/library/busybox@", de669!())),
    V("library/busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("docker.io/busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("docker.io/library/busybox", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("docker.io/busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("library/busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest", "docker.io/library/busybox:latest"),
    V("gcr.io/library/busybox", "gcr.io", "library/busybox", "latest", "", "gcr.io/library/busybox:latest", "gcr.io/library/busybox:latest"),
    V(concat!("gcr.io/library/busybox:latest@", de669!()), "gcr.io", "library/busybox", "latest", de669!(), concat!("gcr.io/library/busybox:latest@", de669!()), concat!("gcr.io/library/busybox:latest@", de669!())),
    // regexp_test.go TestFullNameRegexp (matching names).
    V("short", "docker.io", "library/short", "latest", "", "short:latest", "docker.io/library/short:latest"),
    V("simple/name", "docker.io", "simple/name", "latest", "", "simple/name:latest", "docker.io/simple/name:latest"),
    V("docker/stevvooe/app", "docker.io", "docker/stevvooe/app", "latest", "", "docker/stevvooe/app:latest", "docker.io/docker/stevvooe/app:latest"),
    V("aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb", "docker.io", "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb", "latest", "", "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb:latest", "docker.io/aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb:latest"),
    V("aa/aa/bb/bb/bb", "docker.io", "aa/aa/bb/bb/bb", "latest", "", "aa/aa/bb/bb/bb:latest", "docker.io/aa/aa/bb/bb/bb:latest"),
    V("a/a/a/a", "docker.io", "a/a/a/a", "latest", "", "a/a/a/a:latest", "docker.io/a/a/a/a:latest"),
    V("a", "docker.io", "library/a", "latest", "", "a:latest", "docker.io/library/a:latest"),
    V("a/aa", "docker.io", "a/aa", "latest", "", "a/aa:latest", "docker.io/a/aa:latest"),
    V("a/aa/a", "docker.io", "a/aa/a", "latest", "", "a/aa/a:latest", "docker.io/a/aa/a:latest"),
    V("foo.com", "docker.io", "library/foo.com", "latest", "", "foo.com:latest", "docker.io/library/foo.com:latest"),
    V("foo.com:8080/bar", "foo.com:8080", "bar", "latest", "", "foo.com:8080/bar:latest", "foo.com:8080/bar:latest"),
    V("foo.com/bar", "foo.com", "bar", "latest", "", "foo.com/bar:latest", "foo.com/bar:latest"),
    V("foo.com/bar/baz", "foo.com", "bar/baz", "latest", "", "foo.com/bar/baz:latest", "foo.com/bar/baz:latest"),
    V("localhost:8080/bar", "localhost:8080", "bar", "latest", "", "localhost:8080/bar:latest", "localhost:8080/bar:latest"),
    V("blog.foo.com/bar/baz", "blog.foo.com", "bar/baz", "latest", "", "blog.foo.com/bar/baz:latest", "blog.foo.com/bar/baz:latest"),
    V("aa-a/a", "docker.io", "aa-a/a", "latest", "", "aa-a/a:latest", "docker.io/aa-a/a:latest"),
    V("foo_bar", "docker.io", "library/foo_bar", "latest", "", "foo_bar:latest", "docker.io/library/foo_bar:latest"),
    V("foo_bar.com", "docker.io", "library/foo_bar.com", "latest", "", "foo_bar.com:latest", "docker.io/library/foo_bar.com:latest"),
    V("foo.com/foo_bar", "foo.com", "foo_bar", "latest", "", "foo.com/foo_bar:latest", "foo.com/foo_bar:latest"),
    V("xn--7o8h.com/myimage", "xn--7o8h.com", "myimage", "latest", "", "xn--7o8h.com/myimage:latest", "xn--7o8h.com/myimage:latest"),
    V("example.com/xn--7o8h.com/myimage", "example.com", "xn--7o8h.com/myimage", "latest", "", "example.com/xn--7o8h.com/myimage:latest", "example.com/xn--7o8h.com/myimage:latest"),
    V("example.com/some_separator__underscore/myimage", "example.com", "some_separator__underscore/myimage", "latest", "", "example.com/some_separator__underscore/myimage:latest", "example.com/some_separator__underscore/myimage:latest"),
    V("do__cker/docker", "docker.io", "do__cker/docker", "latest", "", "do__cker/docker:latest", "docker.io/do__cker/docker:latest"),
    V("registry.io/foo/project--id.module--name.ver---sion--name", "registry.io", "foo/project--id.module--name.ver---sion--name", "latest", "", "registry.io/foo/project--id.module--name.ver---sion--name:latest", "registry.io/foo/project--id.module--name.ver---sion--name:latest"),
    V("Asdf.com/foo/bar", "Asdf.com", "foo/bar", "latest", "", "Asdf.com/foo/bar:latest", "Asdf.com/foo/bar:latest"),
    // regexp_test.go TestReferenceRegexp (matching references).
    V("registry.com:8080/myapp:tag", "registry.com:8080", "myapp", "tag", "", "registry.com:8080/myapp:tag", "registry.com:8080/myapp:tag"),
    V(concat!("registry.com:8080/myapp@", dbe17!()), "registry.com:8080", "myapp", "", dbe17!(), concat!("registry.com:8080/myapp@", dbe17!()), concat!("registry.com:8080/myapp@", dbe17!())),
    V(concat!("registry.com:8080/myapp:tag2@", dbe17!()), "registry.com:8080", "myapp", "tag2", dbe17!(), concat!("registry.com:8080/myapp:tag2@", dbe17!()), concat!("registry.com:8080/myapp:tag2@", dbe17!())),
    V(concat!("localhost:8080@", dbe17!()), "docker.io", "library/localhost", "8080", dbe17!(), concat!("localhost:8080@", dbe17!()), concat!("docker.io/library/localhost:8080@", dbe17!())),
    V(concat!("localhost:8080/name@", dbe17!()), "localhost:8080", "name", "", dbe17!(), concat!("localhost:8080/name@", dbe17!()), concat!("localhost:8080/name@", dbe17!())),
    V(concat!("localhost@", dbe17!()), "docker.io", "library/localhost", "", dbe17!(), concat!("localhost@", dbe17!()), concat!("docker.io/library/localhost@", dbe17!())),
    // regexp_test.go TestIdentifierRegexp: non-identifiers are names.
    V("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf", "docker.io", "library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf", "latest", "", "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf:latest", "docker.io/library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf:latest"),
    V("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482", "docker.io", "library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482", "latest", "", "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482:latest", "docker.io/library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482:latest"),
    // regexp_test.go TestDomainRegexp (matching hosts), each followed by a path.
    V("test.com:10304/repo", "test.com:10304", "repo", "latest", "", "test.com:10304/repo:latest", "test.com:10304/repo:latest"),
    V("localhost/repo", "localhost", "repo", "latest", "", "localhost/repo:latest", "localhost/repo:latest"),
    V("a.b/repo", "a.b", "repo", "latest", "", "a.b/repo:latest", "a.b/repo:latest"),
    V("ab.cd.com/repo", "ab.cd.com", "repo", "latest", "", "ab.cd.com/repo:latest", "ab.cd.com/repo:latest"),
    V("a-b.com/repo", "a-b.com", "repo", "latest", "", "a-b.com/repo:latest", "a-b.com/repo:latest"),
    V("ab.c-om/repo", "ab.c-om", "repo", "latest", "", "ab.c-om/repo:latest", "ab.c-om/repo:latest"),
    V("0101.com/repo", "0101.com", "repo", "latest", "", "0101.com/repo:latest", "0101.com/repo:latest"),
    V("001a.com/repo", "001a.com", "repo", "latest", "", "001a.com/repo:latest", "001a.com/repo:latest"),
    V("b.gbc.io:443/repo", "b.gbc.io:443", "repo", "latest", "", "b.gbc.io:443/repo:latest", "b.gbc.io:443/repo:latest"),
    V("192.168.1.1:75050/repo", "192.168.1.1:75050", "repo", "latest", "", "192.168.1.1:75050/repo:latest", "192.168.1.1:75050/repo:latest"),
    V("192.168.1.1:750050/repo", "192.168.1.1:750050", "repo", "latest", "", "192.168.1.1:750050/repo:latest", "192.168.1.1:750050/repo:latest"),
    V("[fd00:1:2::3]:75050/repo", "[fd00:1:2::3]:75050", "repo", "latest", "", "[fd00:1:2::3]:75050/repo:latest", "[fd00:1:2::3]:75050/repo:latest"),
    V("[fd00123123123]:75050/repo", "[fd00123123123]:75050", "repo", "latest", "", "[fd00123123123]:75050/repo:latest", "[fd00123123123]:75050/repo:latest"),
    V("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050/repo", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", "repo", "latest", "", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050/repo:latest", "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050/repo:latest"),
    // Further cases: localhost and domains as the brief lists them, familiar-form corners.
    V("localhost:5000/x", "localhost:5000", "x", "latest", "", "localhost:5000/x:latest", "localhost:5000/x:latest"),
    V("localhost:5000", "docker.io", "library/localhost", "5000", "", "localhost:5000", "docker.io/library/localhost:5000"),
    V("localhost", "docker.io", "library/localhost", "latest", "", "localhost:latest", "docker.io/library/localhost:latest"),
    V("[::1]:5000/x", "[::1]:5000", "x", "latest", "", "[::1]:5000/x:latest", "[::1]:5000/x:latest"),
    V("index.docker.io/x", "docker.io", "library/x", "latest", "", "x:latest", "docker.io/library/x:latest"),
    V("index.docker.io:443/x", "index.docker.io:443", "x", "latest", "", "index.docker.io:443/x:latest", "index.docker.io:443/x:latest"),
    V("docker.io/foo.com/x", "docker.io", "foo.com/x", "latest", "", "docker.io/foo.com/x:latest", "docker.io/foo.com/x:latest"),
    V("docker.io/localhost/x", "docker.io", "localhost/x", "latest", "", "docker.io/localhost/x:latest", "docker.io/localhost/x:latest"),
    V("docker.io/library/foo.com", "docker.io", "library/foo.com", "latest", "", "foo.com:latest", "docker.io/library/foo.com:latest"),
    V("ubuntu:_", "docker.io", "library/ubuntu", "_", "", "ubuntu:_", "docker.io/library/ubuntu:_"),
    V("ubuntu:A.b-C_9", "docker.io", "library/ubuntu", "A.b-C_9", "", "ubuntu:A.b-C_9", "docker.io/library/ubuntu:A.b-C_9"),
    V("a--b---c/d.e_f__g", "docker.io", "a--b---c/d.e_f__g", "latest", "", "a--b---c/d.e_f__g:latest", "docker.io/a--b---c/d.e_f__g:latest"),
    V(concat!("host:5000/a/b:v1@", ff256!()), "host:5000", "a/b", "v1", ff256!(), concat!("host:5000/a/b:v1@", ff256!()), concat!("host:5000/a/b:v1@", ff256!())),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Empty,
    HexIdentifier,
    InvalidRegistry,
    Uppercase,
    InvalidPath,
    EmptyComponent,
    NameTooLong,
    InvalidTag,
    TagTooLong,
    Digest,
}

fn kind(error: &ReferenceError) -> Kind {
    match error {
        ReferenceError::Empty => Kind::Empty,
        ReferenceError::HexIdentifier { .. } => Kind::HexIdentifier,
        ReferenceError::InvalidRegistry { .. } => Kind::InvalidRegistry,
        ReferenceError::Uppercase { .. } => Kind::Uppercase,
        ReferenceError::InvalidPath { .. } => Kind::InvalidPath,
        ReferenceError::EmptyComponent { .. } => Kind::EmptyComponent,
        ReferenceError::NameTooLong { .. } => Kind::NameTooLong,
        ReferenceError::InvalidTag { .. } => Kind::InvalidTag,
        ReferenceError::TagTooLong { .. } => Kind::TagTooLong,
        ReferenceError::Digest { .. } => Kind::Digest,
    }
}

use Kind::*;

/// An invalid input, the kind of error and the byte it points at.
#[rustfmt::skip]
const INVALID: &[(&str, Kind, Option<usize>)] = &[
    // reference_test.go TestReferenceParse (invalid rows).
    ("", Empty, None),
    (":justtag", EmptyComponent, Some(0)),
    (concat!("@", ff256!()), EmptyComponent, Some(0)),
    ("repo@sha256:ffffffffffffffffffffffffffffffffff", Digest, Some(5)),
    ("validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", Digest, Some(10)),
    ("Uppercase:tag", Uppercase, Some(0)),
    ("test:5000/Uppercase/lowercase:tag", Uppercase, Some(10)),
    ("aa/asdf$$^/aa", InvalidPath, Some(7)),
    ("[2001:db8::1]", InvalidPath, Some(0)),
    ("[2001:db8::1]:5000", InvalidPath, Some(0)),
    ("[2001:db8::1]:tag", InvalidPath, Some(0)),
    ("[fe80::1%eth0]:5000/repo", InvalidRegistry, Some(8)),
    ("[fe80::1%@invalidzone]:5000/repo", InvalidPath, Some(0)),
    // normalize_test.go TestValidateReferenceName (invalid).
    ("https://github.com/docker/docker", InvalidRegistry, Some(6)),
    ("docker/Docker", Uppercase, Some(7)),
    ("-docker", InvalidPath, Some(0)),
    ("-docker/docker", InvalidPath, Some(0)),
    ("-docker.io/docker/docker", InvalidRegistry, Some(0)),
    ("docker///docker", EmptyComponent, Some(7)),
    ("docker.io/docker/Docker", Uppercase, Some(17)),
    ("docker.io/docker///docker", EmptyComponent, Some(17)),
    ("[fc00::1]", InvalidPath, Some(0)),
    ("[fc00::1]:5000", InvalidPath, Some(0)),
    ("fc00::1:5000/debian", InvalidRegistry, Some(5)),
    ("[fe80::1%eth0]:5000/debian", InvalidRegistry, Some(8)),
    ("[2001:db8:3:4::192.0.2.33]:5000/debian", InvalidRegistry, Some(18)),
    ("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", HexIdentifier, None),
    // normalize_test.go TestValidateRemoteName (invalid).
    ("docker-/docker", InvalidPath, Some(6)),
    ("-docker-/docker", InvalidPath, Some(0)),
    ("____/____", InvalidPath, Some(0)),
    ("_docker/_docker", InvalidPath, Some(0)),
    ("dock..er/docker", InvalidRegistry, Some(5)),
    ("dock_.er/docker", InvalidRegistry, Some(4)),
    ("dock-.er/docker", InvalidRegistry, Some(4)),
    ("docker/", EmptyComponent, Some(7)),
    ("this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker", NameTooLong, Some(255)),
    // normalize_test.go TestInvalidReferenceComponents, and WithTag with an invalid tag.
    ("-foo", InvalidPath, Some(0)),
    ("busybox:-foo", InvalidTag, Some(8)),
    // regexp_test.go TestFullNameRegexp (non-matching names).
    ("a/a/a/a/", EmptyComponent, Some(8)),
    ("a//a/a", EmptyComponent, Some(2)),
    ("foo.com/", EmptyComponent, Some(8)),
    ("foo.com:http/bar", InvalidRegistry, Some(8)),
    ("a^a", InvalidPath, Some(1)),
    ("asdf$$^/aa", InvalidPath, Some(4)),
    ("a-/a/a/a", InvalidPath, Some(1)),
    ("foo.com/a-/a/a", InvalidPath, Some(9)),
    ("-foo/bar", InvalidPath, Some(0)),
    ("foo/bar-", InvalidPath, Some(7)),
    ("foo-/bar", InvalidPath, Some(3)),
    ("foo/-bar", InvalidPath, Some(4)),
    ("_foo/bar", InvalidPath, Some(0)),
    ("foo_bar.com:8080/app", InvalidRegistry, Some(3)),
    ("docker_/docker_", InvalidPath, Some(6)),
    ("example.com/__underscore/myimage", InvalidPath, Some(12)),
    ("example.com/..dots/myimage", InvalidPath, Some(12)),
    ("example.com/.dots/myimage", InvalidPath, Some(12)),
    ("example.com/nodouble..dots/myimage", InvalidPath, Some(21)),
    ("docker./docker", InvalidRegistry, Some(6)),
    (".docker/docker", InvalidRegistry, Some(0)),
    ("do..cker/docker", InvalidRegistry, Some(3)),
    ("do__cker:8080/docker", InvalidRegistry, Some(2)),
    ("Foo/FarB", Uppercase, Some(4)),
    // regexp_test.go TestReferenceRegexp (non-matching references).
    ("registry.com:8080/myapp@sha256:badbadbadbad", Digest, Some(24)),
    ("registry.com:8080/myapp:invalid~tag", InvalidTag, Some(31)),
    ("bad_hostname.com:8080/myapp:tag", InvalidRegistry, Some(3)),
    (concat!("localhost:http/name@", dbe17!()), InvalidRegistry, Some(10)),
    ("registry.com:8080/myapp@bad", Digest, Some(24)),
    ("registry.com:8080/myapp@2bad", Digest, Some(24)),
    // regexp_test.go TestIdentifierRegexp.
    ("da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821", HexIdentifier, None),
    ("7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C", Uppercase, Some(1)),
    // regexp_test.go TestDomainRegexp (non-matching hosts), each followed by a path.
    ("test.com:http/repo", InvalidRegistry, Some(9)),
    ("-ab.com/repo", InvalidRegistry, Some(0)),
    ("ab-.com/repo", InvalidRegistry, Some(2)),
    ("ab.-com/repo", InvalidRegistry, Some(3)),
    ("ab.com-/repo", InvalidRegistry, Some(6)),
    ("[fd00:1:2::3]75050/repo", InvalidRegistry, Some(13)),
    ("[fd00:1:2::3]::75050/repo", InvalidRegistry, Some(14)),
    ("[fd00:1:2::3%eth0]:75050/repo", InvalidRegistry, Some(12)),
    ("fd00:1:2::3:75050/repo", InvalidRegistry, Some(6)),
    // Further cases.
    ("ubuntu:", InvalidTag, Some(7)),
    ("ubuntu:Ab$", InvalidTag, Some(9)),
    ("ubuntu:.x", InvalidTag, Some(7)),
    ("ubuntu:ta/g", InvalidRegistry, Some(7)),
    ("ubuntu@", Digest, Some(7)),
    ("ubuntu@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", Digest, Some(14)),
    (concat!("ubuntu@", ff256!(), "@x"), Digest, Some(78)),
    (concat!("ubuntu:tag@", ff256!(), ":x"), Digest, Some(82)),
    ("a:b:c", InvalidPath, Some(1)),
    ("a/b:tag/c", InvalidPath, Some(3)),
    ("ubüntu", InvalidPath, Some(2)),
    (" ubuntu", InvalidPath, Some(0)),
    ("ubuntu ", InvalidPath, Some(6)),
    ("/ubuntu", EmptyComponent, Some(0)),
    (":5000/x", InvalidRegistry, Some(0)),
    ("localhost:/x", InvalidRegistry, Some(10)),
    ("[]:5000/x", InvalidRegistry, Some(1)),
    ("[::1/x", InvalidRegistry, Some(4)),
    ("index.docker.io/Foo", Uppercase, Some(16)),
    ("Foo_bar/x", Uppercase, Some(0)),
    ("foo_bar.com/x", InvalidRegistry, Some(3)),
    ("a___b", InvalidPath, Some(3)),
    ("a._b", InvalidPath, Some(2)),
    ("a-_b", InvalidPath, Some(2)),
    ("a_-b", InvalidPath, Some(2)),
];

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

#[test]
fn valid_table() {
    for V(input, registry, repository, tag, digest, familiar, display) in VALID {
        let r: Reference = input
            .parse()
            .unwrap_or_else(|e| panic!("{input:?} should parse: {e}"));
        assert_eq!(r.registry(), *registry, "registry of {input:?}");
        assert_eq!(r.repository(), *repository, "repository of {input:?}");
        assert_eq!(r.tag(), opt(tag), "tag of {input:?}");
        assert_eq!(
            r.digest().map(ToString::to_string).as_deref(),
            opt(digest),
            "digest of {input:?}"
        );
        assert_eq!(r.familiar(), *familiar, "familiar of {input:?}");
        assert_eq!(r.to_string(), *display, "display of {input:?}");
        assert_eq!(r.name(), format!("{registry}/{repository}"));
    }
}

#[test]
fn valid_table_round_trips() {
    for V(input, ..) in VALID {
        let r: Reference = input.parse().expect("valid row");
        let again: Reference = r.to_string().parse().expect("canonical form parses");
        assert_eq!(again, r, "round trip of {input:?}");
        assert!(
            again.normalization().is_empty(),
            "{input:?}: canonical form needs no steps"
        );
        let familiar: Reference = r.familiar().parse().expect("familiar form parses");
        assert_eq!(familiar, r, "familiar round trip of {input:?}");
    }
}

#[test]
fn invalid_table() {
    let mut mismatches = Vec::new();
    for (input, expected_kind, at) in INVALID {
        let error = match input.parse::<Reference>() {
            Ok(r) => panic!("{input:?} should be rejected, got {r}"),
            Err(e) => e,
        };
        if (kind(&error), error.position()) != (*expected_kind, *at) {
            mismatches.push(format!(
                "{input:?}: expected {expected_kind:?} at {at:?}, got {:?} at {:?}: {error}",
                kind(&error),
                error.position()
            ));
            continue;
        }
        assert_eq!(error.input(), *input);
        if let Some(at) = at {
            assert!(*at <= input.len() && input.is_char_boundary(*at));
            assert!(error.to_string().contains(&format!("byte {at}")), "{error}");
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn upstream_length_limits() {
    // reference_test.go: the path without the domain may have 255 characters, not 256.
    let ok = format!("example.com/{}:tag", "a".repeat(255));
    let r: Reference = ok.parse().expect("255 is the limit");
    assert_eq!(r.repository().len(), 255);

    let long = format!("example.com/{}", "a".repeat(256));
    let e = long.parse::<Reference>().expect_err("256 is too long");
    assert_eq!(kind(&e), NameTooLong);
    assert_eq!(e.position(), Some(12 + 255));

    let long = format!("domain/{}:tag", "a".repeat(256));
    assert_eq!(
        kind(&long.parse::<Reference>().expect_err("too long")),
        NameTooLong
    );

    // "a/" * 127 + "a" is 255 characters: on Docker Hub (no dot, so "a" is a namespace).
    let input = format!("{}a:tag-puts-this-over-max", "a/".repeat(127));
    let r: Reference = input.parse().expect("255 characters fit");
    assert_eq!(r.registry(), "docker.io");
    assert_eq!(r.repository().len(), 255);
    assert_eq!(r.tag(), Some("tag-puts-this-over-max"));
    let input = format!("{}a:tag", "a/".repeat(128));
    assert_eq!(
        kind(&input.parse::<Reference>().expect_err("257")),
        NameTooLong
    );

    // library/ counts: a 247-character official name fits, 248 does not.
    let r: Reference = "b".repeat(247).parse().expect("8 + 247 = 255");
    assert_eq!(r.repository().len(), 255);
    let e = "b"
        .repeat(248)
        .parse::<Reference>()
        .expect_err("8 + 248 = 256");
    assert_eq!(e.position(), Some(247));

    // Tags: 128 characters, not 129.
    let r: Reference = format!("ubuntu:{}", "t".repeat(128)).parse().expect("128");
    assert_eq!(r.tag().map(str::len), Some(128));
    let e = format!("ubuntu:{}", "t".repeat(129))
        .parse::<Reference>()
        .expect_err("129");
    assert_eq!(kind(&e), TagTooLong);
    assert_eq!(e.position(), Some(7 + 128));
}

#[test]
fn normalisation_steps() {
    use Normalization::*;
    let cases: &[(&str, &[Normalization])] = &[
        ("ubuntu", &[DefaultRegistry, OfficialNamespace, DefaultTag]),
        ("ubuntu:22.04", &[DefaultRegistry, OfficialNamespace]),
        ("foo/bar", &[DefaultRegistry, DefaultTag]),
        ("docker.io/ubuntu:1", &[OfficialNamespace]),
        ("index.docker.io/x", &[LegacyRegistry, OfficialNamespace, DefaultTag]),
        ("index.docker.io/a/b@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", &[LegacyRegistry]),
        ("localhost/x", &[DefaultTag]),
        ("docker.io/library/ubuntu:latest", &[]),
    ];
    for (input, steps) in cases {
        let r: Reference = input.parse().expect("valid");
        assert_eq!(r.normalization(), *steps, "steps for {input:?}");
        assert_eq!(r.tag_was_defaulted(), steps.contains(&DefaultTag));
    }
    assert_eq!(DefaultTag.to_string(), "no tag or digest: :latest added");
    assert_eq!(LegacyRegistry.description(), "index.docker.io is docker.io");
    assert!(DefaultRegistry
        .description()
        .starts_with("no registry given: docker.io assumed"));
    assert_eq!(
        OfficialNamespace.description(),
        "single-component Docker Hub name: library/ added"
    );
}

#[test]
fn accessors_and_with_digest() {
    let r: Reference = "ghcr.io/owner/team/app:v1".parse().expect("valid");
    assert_eq!(r.name(), "ghcr.io/owner/team/app");
    assert_eq!(r.namespace(), Some("owner/team"));
    assert_eq!(r.short_name(), "app");
    let u: Reference = "ubuntu".parse().expect("valid");
    assert_eq!(u.namespace(), Some("library"));
    assert_eq!(u.short_name(), "ubuntu");
    let l: Reference = "localhost:5000/solo".parse().expect("valid");
    assert_eq!(l.namespace(), None);
    assert_eq!(l.short_name(), "solo");

    let digest = ff256!().parse().expect("digest");
    let pinned = u.with_digest(digest);
    assert_eq!(
        pinned.to_string(),
        concat!("docker.io/library/ubuntu@", ff256!())
    );
    assert_eq!(pinned.familiar(), concat!("ubuntu@", ff256!()));
    assert_eq!(pinned.tag(), None);
    assert!(!pinned.tag_was_defaulted());
    assert_eq!(
        pinned.normalization(),
        &[
            Normalization::DefaultRegistry,
            Normalization::OfficialNamespace
        ]
    );
    assert_eq!(pinned.to_string().parse::<Reference>(), Ok(pinned));
}

#[test]
fn equality_ignores_how_the_input_was_written() {
    let forms = [
        "ubuntu",
        "ubuntu:latest",
        "library/ubuntu",
        "docker.io/ubuntu",
        "index.docker.io/library/ubuntu:latest",
    ];
    let set: HashSet<Reference> = forms.iter().map(|f| f.parse().expect("valid")).collect();
    assert_eq!(set.len(), 1);
    let a: Reference = "ubuntu:latest".parse().expect("valid");
    let b: Reference =
        "ubuntu:latest@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            .parse()
            .expect("valid");
    assert_ne!(a, b);
}

#[test]
fn error_messages_name_value_and_byte() {
    let e = "ubuntu:Ab$".parse::<Reference>().expect_err("bad tag");
    assert_eq!(
        e.to_string(),
        r#"invalid character '$' at byte 9 of "ubuntu:Ab$": tag may contain only [A-Za-z0-9_.-]"#
    );
    let e = "docker/Docker".parse::<Reference>().expect_err("uppercase");
    assert_eq!(
        e.to_string(),
        r#"repository name must be lowercase: 'D' at byte 7 of "docker/Docker""#
    );
    let hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
    let e = hex.parse::<Reference>().expect_err("identifier");
    assert!(
        e.to_string()
            .contains("cannot specify 64-byte hexadecimal strings"),
        "{e}"
    );
    let e = "ubuntu@sha256:abc"
        .parse::<Reference>()
        .expect_err("short digest");
    assert!(
        e.to_string()
            .starts_with(r#"invalid digest at byte 7 of "ubuntu@sha256:abc": "#),
        "{e}"
    );
    let e = "localhost:/x".parse::<Reference>().expect_err("empty port");
    assert!(
        e.to_string()
            .starts_with(r#"unexpected end at byte 10 of "localhost:/x""#),
        "{e}"
    );
    assert_eq!("".parse::<Reference>(), Err(ReferenceError::Empty));
}

fn check_never_panics(input: &str) {
    match input.parse::<Reference>() {
        Ok(r) => {
            assert_eq!(
                r.to_string().parse::<Reference>().as_ref(),
                Ok(&r),
                "round trip of {input:?}"
            );
            assert_eq!(
                r.familiar().parse::<Reference>().as_ref(),
                Ok(&r),
                "familiar of {input:?}"
            );
        }
        Err(e) => {
            if let Some(at) = e.position() {
                assert!(
                    at <= input.len() && input.is_char_boundary(at),
                    "{input:?}: {e}"
                );
            }
            let _ = e.to_string();
        }
    }
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    const ALPHABET: &[&str] = &[
        "a",
        "b",
        "z",
        "0",
        "9",
        "f",
        "A",
        "Z",
        ".",
        "_",
        "__",
        "-",
        "--",
        "/",
        ":",
        "@",
        "[",
        "]",
        "::1",
        "sha256:",
        "sha512:",
        "localhost",
        "docker.io",
        "index.docker.io",
        "library/",
        "example.com",
        "5000",
        "%",
        "$",
        " ",
        "é",
        "🐳",
        "\u{0}",
    ];
    let mut rng = Lcg(0x5eed);
    let mut checked = 0;
    for _ in 0..4000 {
        let len = rng.below(12);
        let input: String = (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect();
        check_never_panics(&input);
        checked += 1;
    }
    // Mutations of every valid and invalid row: delete, insert or replace one character.
    let seeds: Vec<&str> = VALID
        .iter()
        .map(|v| v.0)
        .chain(INVALID.iter().map(|i| i.0))
        .collect();
    for seed in &seeds {
        for _ in 0..20 {
            let mut chars: Vec<char> = seed.chars().collect();
            let at = rng.below(chars.len() + 1);
            let replacement = ALPHABET[rng.below(ALPHABET.len())]
                .chars()
                .next()
                .unwrap_or('a');
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars[at] = replacement,
                _ => chars.insert(at, replacement),
            }
            let input: String = chars.into_iter().collect();
            check_never_panics(&input);
            checked += 1;
        }
    }
    assert!(checked > 4000 + 20 * 200);
}
