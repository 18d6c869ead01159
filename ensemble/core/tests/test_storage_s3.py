"""Encrypted storage over S3: an S3 server (moto's, over real HTTP on loopback)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer

from ensemble.core.storage import EncryptedStorage

BUCKET = "ensemble-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def storage(s3_endpoint: str) -> EncryptedStorage:
    return EncryptedStorage(
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "file_overwrite": False,
            },
        }
    )


def test_round_trip_stores_only_ciphertext(storage: EncryptedStorage, s3_endpoint: str) -> None:
    data = os.urandom(300_000)
    name = storage.save("folder/report.pdf", ContentFile(data))
    raw = storage.open_raw(name).read()
    assert raw.startswith(b"ENC1") and data[:1000] not in raw
    with storage.open(name) as handle:
        assert handle.read() == data
    assert storage.size(name) == len(data)
    assert storage.exists(name)
    storage.delete(name)
    assert not storage.exists(name)


def test_rotation_over_s3(storage: EncryptedStorage, settings: Any) -> None:
    name = storage.save("rotate.txt", ContentFile(b"kept across rotation"))
    settings.ENCRYPTION_KEYS = {"fresh": os.urandom(32), **settings.ENCRYPTION_KEYS}
    assert storage.rewrap(name) is True
    assert storage.rewrap(name) is False
    settings.ENCRYPTION_KEYS = {"fresh": settings.ENCRYPTION_KEYS["fresh"]}
    with storage.open(name) as handle:
        assert handle.read() == b"kept across rotation"
