"""Documents attached to a dataset (정의서, 매뉴얼, 설명서: PDF, HWP/HWPX, DOCX, XLSX), stored in
the content-addressed blob store, size-limited, listed on the dataset page and downloadable by
whoever may see the dataset's metadata. Only its editors attach or remove them.

A file must be what its name says (its first bytes: %PDF, an OLE compound file for HWP, a ZIP
for HWPX/DOCX/XLSX); a text renamed .pdf is refused. The blob is stored and its row written
under the blob's lock, as a version's is (catalog/blobs.py counts these rows as references)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.principal import Principal
from datanuri.catalog.blobs import discard_unreferenced
from datanuri.catalog.fields import check_text
from datanuri.catalog.models import Dataset, DatasetDocument
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database, lock_name

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_DATASET = 20
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension -> (media type, the file's leading bytes)
KINDS: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "hwp": ("application/x-hwp", _OLE),
    "hwpx": ("application/hwp+zip", _ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}

MSG_KIND = "Attach a PDF, HWP, HWPX, DOCX or XLSX document; {name!r} is not one of those."
MSG_CONTENT = (
    "{name!r} is not a {ext} file inside (its first bytes say otherwise). Save it again as {ext} "
    "and attach it."
)
MSG_SIZE = "{name!r} is {size:,} bytes; a document may be at most {limit:,} bytes."
MSG_EMPTY = "{name!r} is empty."
MSG_MANY = "Dataset {dataset!r} already has {n} documents, the most it takes; remove one first."
MSG_NOT_FOUND = "Dataset {dataset!r} has no document #{id}."


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    dataset: str
    filename: str
    media_type: str
    byte_size: int
    sha256: str
    created_at: dt.datetime


def _info(d: DatasetDocument, dataset: str) -> AttachmentInfo:
    return AttachmentInfo(
        d.id, dataset, d.filename, d.media_type, d.byte_size, d.blob_hash, d.created_at
    )


def check_document(path: Path, filename: str, *, limit: int = MAX_BYTES) -> str:
    """The media type of a document file, after checking its name, size and first bytes."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in KINDS:
        raise errors.InvalidInput(MSG_KIND.format(name=filename))
    size = path.stat().st_size
    if size == 0:
        raise errors.InvalidInput(MSG_EMPTY.format(name=filename))
    if size > limit:
        raise errors.TooLarge(MSG_SIZE.format(name=filename, size=size, limit=limit))
    media, magic = KINDS[ext]
    with open(path, "rb") as f:
        if f.read(len(magic)) != magic:
            raise errors.InvalidInput(MSG_CONTENT.format(name=filename, ext=ext.upper()))
    return media


class AttachmentService:
    def __init__(self, db: Database, blobs: BlobStore, access: AccessControl) -> None:
        self.db = db
        self.blobs = blobs
        self.access = access

    def attach(
        self, name: str, source: Path, *, filename: str, principal: Principal
    ) -> AttachmentInfo:
        """Attach the document at `source` (named `filename`) to dataset `name`."""
        filename = check_text(filename, "filename").strip().replace("/", "_").replace("\\", "_")
        with self.db.session() as s:  # refuse early, before the file is stored
            self._editable(s, name, principal)
        media = check_document(source, filename)
        with self.db.write_session() as s:
            ds = self._editable(s, name, principal)
            count = len(
                s.scalars(
                    select(DatasetDocument.id).where(DatasetDocument.dataset_id == ds.id)
                ).all()
            )
            if count >= MAX_PER_DATASET:
                raise errors.Conflict(MSG_MANY.format(dataset=name, n=count))
            digest = self.blobs.put_file(source)
            lock_name(s, f"blob:{digest}")
            if not self.blobs.exists(digest):  # collected between the two lines: store again
                self.blobs.put_file(source)
            row = DatasetDocument(
                dataset_id=ds.id,
                filename=filename,
                media_type=media,
                blob_hash=digest,
                byte_size=source.stat().st_size,
                uploaded_by=principal.ref,
            )
            s.add(row)
            s.flush()
            return _info(row, name)

    def list(self, name: str, *, principal: Principal) -> list[AttachmentInfo]:
        """The documents of dataset `name`, for whoever may see its metadata."""
        with self.db.session() as s:
            ds = self._seen(s, name, principal)
            rows = s.scalars(
                select(DatasetDocument)
                .where(DatasetDocument.dataset_id == ds.id)
                .order_by(DatasetDocument.id)
            ).all()
            return [_info(d, name) for d in rows]

    def path(self, name: str, doc_id: int, *, principal: Principal) -> tuple[AttachmentInfo, Path]:
        """A document and its verified stored file."""
        with self.db.session() as s:
            ds = self._seen(s, name, principal)
            d = s.get(DatasetDocument, doc_id)
            if d is None or d.dataset_id != ds.id:
                raise errors.NotFound(MSG_NOT_FOUND.format(dataset=name, id=doc_id))
            info = _info(d, name)
        return info, self.blobs.local_path(info.sha256)

    def remove(self, name: str, doc_id: int, *, principal: Principal) -> None:
        """Remove a document (its file too, unless something else refers to the same bytes)."""
        with self.db.session() as s:
            ds = self._editable(s, name, principal)
            d = s.get(DatasetDocument, doc_id)
            if d is None or d.dataset_id != ds.id:
                raise errors.NotFound(MSG_NOT_FOUND.format(dataset=name, id=doc_id))
            digest = d.blob_hash
            s.delete(d)
        discard_unreferenced(self.db, self.blobs, digest)

    def _seen(self, s: Session, name: str, principal: Principal) -> Dataset:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
        return ds

    def _editable(self, s: Session, name: str, principal: Principal) -> Dataset:
        ds = self._seen(s, name, principal)
        self.access.require(s, principal, "publish", dataset=ds.as_access())
        return ds
