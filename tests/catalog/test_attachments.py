"""Documents attached to a dataset: checked by name, size and first bytes, stored in the blob
store, listed to whoever sees the metadata, attached and removed by editors only, and kept by
the blob collector while attached."""

from __future__ import annotations

import pytest

from datanuri import errors
from datanuri.accounts.principal import ANONYMOUS, SYSTEM
from datanuri.catalog.blobs import collect_orphans
from tests.helpers import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def world(platform):
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", title="대기질", principal=SYSTEM)
    platform.accounts.create_user(
        "park@example.org", display_name="박", password=PASSWORD, principal=SYSTEM
    )
    return platform


def test_attach_list_read_and_remove(world, tmp_path):
    src = tmp_path / "정의서.pdf"
    src.write_bytes(PDF)
    info = world.attachments.attach("air", src, filename="정의서.pdf", principal=SYSTEM)
    assert info.media_type == "application/pdf" and info.byte_size == len(PDF)
    assert [d.filename for d in world.attachments.list("air", principal=ANONYMOUS)] == [
        "정의서.pdf"
    ]
    _, path = world.attachments.path("air", info.id, principal=ANONYMOUS)
    assert path.read_bytes() == PDF
    assert collect_orphans(world.db, world.blobs).orphans == ()  # an attached file is kept
    world.attachments.remove("air", info.id, principal=SYSTEM)
    assert world.attachments.list("air", principal=SYSTEM) == []
    assert not world.blobs.exists(info.sha256)
    with pytest.raises(errors.NotFound):
        world.attachments.path("air", info.id, principal=SYSTEM)


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("bad.pdf", b"just some text, not a pdf", "not a PDF file inside"),
        ("notes.txt", b"hello", "PDF, HWP"),
        ("empty.docx", b"", "empty"),
        ("doc.hwp", b"%PDF-1.4 renamed", "not a HWP file inside"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(world, tmp_path, name, data, needle):
    src = tmp_path / "upload"
    src.write_bytes(data)
    with pytest.raises(errors.InvalidInput, match=needle):
        world.attachments.attach("air", src, filename=name, principal=SYSTEM)
    assert world.attachments.list("air", principal=SYSTEM) == []


def test_only_editors_attach_and_size_is_bounded(world, tmp_path, monkeypatch):
    src = tmp_path / "a.pdf"
    src.write_bytes(PDF)
    park = world.accounts.principal_for("park@example.org")
    with pytest.raises(errors.PermissionDenied):
        world.attachments.attach("air", src, filename="a.pdf", principal=park)
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(errors.TooLarge):
        world.attachments.attach("air", big, filename="big.pdf", principal=SYSTEM)
