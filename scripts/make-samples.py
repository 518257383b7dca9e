#!/usr/bin/env python3
"""Writes the built-in offline samples into samples/: a small content-addressed world of
documents that point at each other by digest (index -> manifests -> configs, attestations,
referrers), so the explorer's navigation works with no registry at all.

Digests are computed here over the exact bytes written, with hashlib, independently of the
Rust code that later verifies them. Layer blobs (tarballs) are not included: their
descriptors use the digest and size of a deterministic stand-in byte string.
Run it again after editing; the output is deterministic.
"""
import base64
import hashlib
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "samples")
written = []


def dump(obj):
    return (json.dumps(obj, indent=2) + "\n").encode()


def desc(media_type, data, **extra):
    d = {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}
    d.update(extra)
    return d


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    written.append(name)
    return data


def fake_layer(label, size):
    """Deterministic stand-in bytes for a layer we do not ship."""
    seed = hashlib.sha256(label.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
IN_TOTO = "application/vnd.in-toto+json"

HISTORY = [
    ("2026-10-01T08:00:00Z", "/bin/sh -c #(nop) ADD file:9b3c5e1f0a2d7c4b8e6f1a3d5c7b9e0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b in / ", False),
    ("2026-10-01T08:00:01Z", '/bin/sh -c #(nop)  CMD ["bash"]', True),
    ("2026-11-02T10:11:12Z", "ARG TARGETARCH=amd64", True),
    ("2026-11-02T10:11:12Z", "RUN |1 TARGETARCH=amd64 /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* # buildkit", False),
    ("2026-11-02T10:11:20Z", "ENV APP_HOME=/srv/app", True),
    ("2026-11-02T10:11:20Z", "WORKDIR /srv/app", False),
    ("2026-11-02T10:11:21Z", "COPY --chown=app:app requirements.txt . # buildkit", False),
    ("2026-11-02T10:11:40Z", "RUN /bin/sh -c pip install --no-cache-dir -r requirements.txt # buildkit", False),
    ("2026-11-02T10:11:41Z", "COPY --chown=app:app src/ ./src/ # buildkit", False),
    ("2026-11-02T10:11:41Z", "USER app", True),
    ("2026-11-02T10:11:41Z", "EXPOSE map[8080/tcp:{}]", True),
    ("2026-11-02T10:11:41Z", 'HEALTHCHECK &{["CMD-SHELL" "curl -fsS http://localhost:8080/healthz || exit 1"] "30s" "3s" "0s" "0s" \'\\x03\'}', True),
    ("2026-11-02T10:11:41Z", 'ENTRYPOINT ["python" "-m" "app"]', True),
    ("2026-11-02T10:11:41Z", 'CMD ["--port" "8080"]', True),
]
LAYER_SIZES = [29_754_290, 18_402_113, 0, 1_024, 54_321_987, 3_145_728]


def image(arch, variant=None, docker=False):
    """An image config + manifest for one platform; returns (manifest bytes, platform)."""
    layers = [fake_layer(f"{arch}-{i}", max(s // 100_000, 32)) for i, s in enumerate(LAYER_SIZES)]
    diff_ids = ["sha256:" + hashlib.sha256(b"diff" + l).hexdigest() for l in layers]
    hist = []
    for created, created_by, empty in HISTORY:
        h = {"created": created, "created_by": created_by.replace("amd64", arch)}
        if "buildkit" in created_by:
            h["comment"] = "buildkit.dockerfile.v0"
        if empty:
            h["empty_layer"] = True
        hist.append(h)
    config = {
        "architecture": arch,
        "os": "linux",
        "created": "2026-11-02T10:11:41Z",
        "author": "Platform Team <platform@example.com>",
        "config": {
            "User": "app",
            "ExposedPorts": {"8080/tcp": {}},
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "APP_HOME=/srv/app",
                "PYTHONUNBUFFERED=1",
            ],
            "Entrypoint": ["python", "-m", "app"],
            "Cmd": ["--port", "8080"],
            "WorkingDir": "/srv/app",
            "Volumes": {"/srv/app/data": {}},
            "Labels": {
                "org.opencontainers.image.source": "https://github.com/example/api",
                "org.opencontainers.image.revision": "4f2c9e1b7a3d5c8e0f1a2b3c4d5e6f708192a3b4",
                "org.opencontainers.image.version": "2.4.1",
                "maintainer": "platform@example.com",
            },
            "StopSignal": "SIGTERM",
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": hist,
    }
    if variant:
        config["variant"] = variant
    config_bytes = write(f"config-{'docker-' if docker else ''}{arch}{variant or ''}.json", dump(config))
    layer_type = DOCKER_LAYER if docker else OCI_LAYER_GZ
    layer_descs = []
    for i, (data, size) in enumerate(zip(layers, LAYER_SIZES)):
        d = desc(layer_type if i != 4 or docker else OCI_LAYER_ZSTD, data)
        d["size"] = len(data)  # the stand-in's real size: digest and size must agree
        layer_descs.append(d)
    manifest = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
        "config": desc(DOCKER_CONFIG if docker else OCI_CONFIG, config_bytes),
        "layers": layer_descs,
    }
    if not docker:
        manifest["annotations"] = {
            "org.opencontainers.image.created": "2026-11-02T10:11:41Z",
            "org.opencontainers.image.source": "https://github.com/example/api",
            "org.opencontainers.image.base.name": "docker.io/library/python:3.13-slim",
            "org.opencontainers.image.description": "Example API service",
            "com.example.note": "javascript:alert('annotations are shown as text, never as links')",
        }
    platform = {"architecture": arch, "os": "linux"}
    if variant:
        platform["variant"] = variant
    name = f"manifest-{'docker-' if docker else ''}{arch}{variant or ''}.json"
    return write(name, dump(manifest)), platform


def attestation(subject_bytes, arch):
    """A BuildKit attestation manifest (in-toto provenance) for one image manifest."""
    subject_digest = hashlib.sha256(subject_bytes).hexdigest()
    statement = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": f"pkg:docker/example/api@2.4.1?platform=linux%2F{arch}", "digest": {"sha256": subject_digest}}],
        "predicate": {
            "builder": {"id": "https://github.com/example/api/actions/runs/123456"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {"configSource": {"entryPoint": "Dockerfile"}},
        },
    }
    statement_bytes = write(f"provenance-{arch}.json", dump(statement))
    empty_config = b"{}"
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": desc("application/vnd.oci.image.config.v1+json", empty_config),
        "layers": [desc(IN_TOTO, statement_bytes, annotations={"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"})],
    }
    return write(f"attestation-{arch}.json", dump(manifest))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".json"):
            os.remove(os.path.join(OUT, f))
    write("empty.json", b"{}")

    # OCI index (buildx style) with attestation children.
    amd64, p_amd64 = image("amd64")
    arm64, p_arm64 = image("arm64", "v8")
    att_amd64 = attestation(amd64, "amd64")
    att_arm64 = attestation(arm64, "arm64")

    def att_desc(att, subject):
        return desc(OCI_MANIFEST, att, platform={"architecture": "unknown", "os": "unknown"}, annotations={
            "vnd.docker.reference.digest": "sha256:" + hashlib.sha256(subject).hexdigest(),
            "vnd.docker.reference.type": "attestation-manifest",
        })

    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            desc(OCI_MANIFEST, amd64, platform=p_amd64),
            desc(OCI_MANIFEST, arm64, platform=p_arm64),
            att_desc(att_amd64, amd64),
            att_desc(att_arm64, arm64),
        ],
        "annotations": {"org.opencontainers.image.ref.name": "2.4.1"},
    }
    index_bytes = write("index.json", dump(index))

    # Docker v2 manifest and manifest list.
    d_amd64, dp_amd64 = image("amd64", docker=True)
    d_arm, dp_arm = image("arm", "v7", docker=True)
    mlist = {
        "schemaVersion": 2,
        "mediaType": DOCKER_LIST,
        "manifests": [desc(DOCKER_MANIFEST, d_amd64, platform=dp_amd64), desc(DOCKER_MANIFEST, d_arm, platform=dp_arm)],
    }
    write("manifest-list.json", dump(mlist))

    # Artifact (SBOM) attached to the amd64 image with `subject` and the empty config.
    sbom = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "example/api@2.4.1 linux/amd64",
        "creationInfo": {"created": "2026-11-02T10:12:00Z", "creators": ["Tool: syft-1.20.0"]},
        "packages": [
            {"name": "python", "SPDXID": "SPDXRef-Package-python", "versionInfo": "3.13.1"},
            {"name": "ca-certificates", "SPDXID": "SPDXRef-Package-ca", "versionInfo": "20250419"},
            {"name": "requests", "SPDXID": "SPDXRef-Package-requests", "versionInfo": "2.32.3"},
        ],
    }
    sbom_bytes = write("sbom.spdx.json", dump(sbom))
    artifact = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/spdx+json",
        "config": {"mediaType": OCI_EMPTY, "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(), "size": 2, "data": "e30="},
        "layers": [desc("application/spdx+json", sbom_bytes)],
        "subject": desc(OCI_MANIFEST, amd64),
        "annotations": {"org.opencontainers.image.created": "2026-11-02T10:12:00Z"},
    }
    write("artifact-sbom.json", dump(artifact))

    # cosign-style DSSE envelope wrapping the amd64 provenance statement.
    statement = open(os.path.join(OUT, "provenance-amd64.json"), "rb").read()
    envelope = {
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(statement).decode(),
        "signatures": [{"keyid": "SHA256:4Vb2m0kPq3i1w6JQ7lE0sVn9yQ2aZ6dR8tK1cX3fH5o", "sig": base64.b64encode(fake_layer("sig", 64)).decode()}],
    }
    write("dsse-envelope.json", dump(envelope))

    # Helm chart.
    chart_config = {
        "name": "api",
        "version": "2.4.1",
        "apiVersion": "v2",
        "appVersion": "2.4.1",
        "description": "A Helm chart for the example API",
        "type": "application",
        "keywords": ["api", "example"],
    }
    chart_config_bytes = write("helm-config.json", dump(chart_config))
    chart = fake_layer("chart", 3_917)
    helm = {
        "schemaVersion": 2,
        "config": desc("application/vnd.cncf.helm.config.v1+json", chart_config_bytes),
        "layers": [desc("application/vnd.cncf.helm.chart.content.v1.tar+gzip", chart)],
        "annotations": {
            "org.opencontainers.image.title": "api",
            "org.opencontainers.image.version": "2.4.1",
            "org.opencontainers.image.created": "2026-11-02T10:13:00Z",
        },
    }
    write("helm-manifest.json", dump(helm))

    # Docker schema 1 (signed), shaped like what old registries served.
    v1 = [
        {"id": "b3c1e0f2", "parent": "a9d8c7b6", "created": "2016-05-01T12:00:02Z", "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) CMD [\"/bin/sh\"]"]}, "throwaway": True},
        {"id": "a9d8c7b6", "created": "2016-05-01T12:00:01Z", "container_config": {"Cmd": ["/bin/sh", "-c", "#(nop) ADD file:5d3e4c in / "]}},
    ]
    schema1 = {
        "schemaVersion": 1,
        "name": "library/busybox",
        "tag": "1.24",
        "architecture": "amd64",
        "fsLayers": [
            {"blobSum": "sha256:" + hashlib.sha256(b"").hexdigest()},
            {"blobSum": desc(DOCKER_LAYER, fake_layer("busybox", 667))["digest"]},
        ],
        "history": [{"v1Compatibility": json.dumps(h, separators=(",", ":"))} for h in v1],
        "signatures": [{
            "header": {"jwk": {"crv": "P-256", "kid": "EXAMPLE:KEY1", "kty": "EC", "x": "x-coordinate", "y": "y-coordinate"}, "alg": "ES256"},
            "signature": "c2lnbmF0dXJl",
            "protected": "eyJmb3JtYXRMZW5ndGgiOjEwMDAsImZvcm1hdFRhaWwiOiJDbjAiLCJ0aW1lIjoiMjAxNi0wNS0wMVQxMjowMDowM1oifQ",
        }],
    }
    write("schema1.json", dump(schema1))

    # A tampered copy of the amd64 manifest: one layer size changed after the digest was taken.
    # The app serves it under the original's digest, to show what a mismatch looks like.
    tampered = json.loads(amd64)
    tampered["layers"][0]["size"] += 1
    write("tampered-manifest-amd64.json", dump(tampered))

    with open(os.path.join(OUT, "SHA256SUMS"), "w") as f:
        for name in sorted(written):
            data = open(os.path.join(OUT, name), "rb").read()
            f.write(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    print(f"wrote {len(written)} files to samples/; index digest sha256:{hashlib.sha256(index_bytes).hexdigest()}")


if __name__ == "__main__":
    main()
