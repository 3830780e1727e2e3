"""Python SDK: `datanuri.Client(base_url, token=None)` over httpx.

Returns plain dicts for metadata and Arrow tables (or pandas frames) for data, so notebooks can
go from a dataset name to a DataFrame in one call.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any, Literal

import httpx

from datanuri import errors

_BY_CODE: dict[str, type[errors.DatanuriError]] = {
    cls.code: cls
    for cls in (
        errors.InvalidInput,
        errors.NotFound,
        errors.Conflict,
        errors.PermissionDenied,
        errors.NotAuthenticated,
        errors.TooLarge,
        errors.IngestError,
        errors.IntegrityError,
        errors.LedgerError,
        errors.ServiceUnavailable,
    )
}


class Client:
    """A datanuri server seen from Python.

    >>> client = Client("http://127.0.0.1:8000")
    >>> table = client.read_arrow("seoul-air-quality")
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        token: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"User-Agent": "datanuri-client"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1",
            headers=headers,
            timeout=timeout,
            transport=transport,
        )

    # ----- plumbing -----------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        resp = self._http.request(method, url, **kw)
        if resp.status_code >= 400:
            _raise(resp)
        return resp

    def _json(self, method: str, url: str, **kw: Any) -> Any:
        return self._request(method, url, **kw).json()

    @classmethod
    def from_login(cls, base_url: str = "http://127.0.0.1:8000", **kw: Any) -> Client:
        """A client using the token that `datanuri login` stored for `base_url`."""
        from datanuri.credentials import stored_token

        return cls(base_url, token=stored_token(base_url), **kw)

    def me(self) -> dict[str, Any]:
        """Who the server thinks you are."""
        return self._json("GET", "/me")

    # ----- organizations and datasets -----------------------------------------------------
    def organizations(self) -> list[dict[str, Any]]:
        return self._json("GET", "/organizations")

    def create_organization(
        self, name: str, *, title: str | None = None, description: str = ""
    ) -> dict[str, Any]:
        return self._json(
            "POST",
            "/organizations",
            json={"name": name, "title": title, "description": description},
        )

    def datasets(self, *, organization: str | None = None) -> list[dict[str, Any]]:
        return self._json(
            "GET", "/datasets", params={"organization": organization} if organization else None
        )

    def dataset(self, name: str) -> dict[str, Any]:
        return self._json("GET", f"/datasets/{name}")

    def create_dataset(
        self, name: str, *, organization: str, title: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        return self._json(
            "POST",
            "/datasets",
            json={"name": name, "organization": organization, "title": title, **fields},
        )

    def update_dataset(self, name: str, **fields: Any) -> dict[str, Any]:
        return self._json("PATCH", f"/datasets/{name}", json=fields)

    # ----- versions -----------------------------------------------------------------------
    def publish(
        self,
        name: str,
        path: str | os.PathLike[str],
        *,
        change_note: str = "",
        mode: Literal["lenient", "strict"] = "lenient",
        wait: bool = True,
        poll: float = 0.5,
        **options: str,
    ) -> dict[str, Any]:
        """Upload a file as the dataset's next version; waits for the ingest job unless `wait=False`."""
        path = Path(path)
        data = {"change_note": change_note, "mode": mode, **options}
        with open(path, "rb") as f:
            resp = self._json(
                "POST", f"/datasets/{name}/versions", files={"file": (path.name, f)}, data=data
            )
        if not wait:
            return resp
        job = self.wait_for_job(resp["job"]["id"], poll=poll)
        return job["result"]

    def job(self, job_id: str) -> dict[str, Any]:
        return self._json("GET", f"/jobs/{job_id}")

    def wait_for_job(
        self, job_id: str, *, poll: float = 0.5, timeout: float | None = None
    ) -> dict[str, Any]:
        """Poll a job until it ends; raise its error if it failed."""
        start = time.monotonic()
        while True:
            job = self.job(job_id)
            if job["status"] == "succeeded":
                return job
            if job["status"] == "failed":
                err = job.get("error") or {}
                raise _BY_CODE.get(err.get("code", ""), errors.DatanuriError)(
                    err.get("message", "The job failed."), details=err.get("details")
                )
            if timeout is not None and time.monotonic() - start > timeout:
                raise errors.ServiceUnavailable(
                    f"Job {job_id} did not finish within {timeout} s; it is still {job['status']}."
                )
            time.sleep(poll)

    def versions(self, name: str) -> list[dict[str, Any]]:
        return self._json("GET", f"/datasets/{name}/versions")

    def version(self, name: str, version: int | None = None) -> dict[str, Any]:
        return self._json("GET", f"/datasets/{name}/versions/{version or 'latest'}")

    def schema(self, name: str, version: int | None = None) -> dict[str, Any]:
        return self._json("GET", f"/datasets/{name}/versions/{version or 'latest'}/schema")

    def profile(self, name: str, version: int | None = None) -> dict[str, Any]:
        return self._json("GET", f"/datasets/{name}/versions/{version or 'latest'}/profile")

    def preview(
        self,
        name: str,
        version: int | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
        column: str | None = None,
        op: Literal["eq", "contains", "range"] = "eq",
        value: str | None = None,
        low: str | None = None,
        high: str | None = None,
        sort: str | None = None,
        descending: bool = False,
    ) -> dict[str, Any]:
        """Rows of a version, optionally filtered on one column and sorted by another (on the
        server); `matched` counts the rows that pass the filter."""
        given = {"column": column, "value": value, "low": low, "high": high, "sort": sort}
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        params |= {k: v for k, v in given.items() if v is not None}
        if column is not None:
            params["op"] = op
        if descending:
            params["order"] = "desc"
        return self._json(
            "GET", f"/datasets/{name}/versions/{version or 'latest'}/preview", params=params
        )

    def download(
        self,
        name: str,
        path: str | os.PathLike[str],
        *,
        version: int | None = None,
        format: Literal["parquet", "csv", "csv-cp949", "xlsx", "json"] = "parquet",
    ) -> Path:
        """Stream a version to a file (written beside it first, then renamed)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.part")
        try:
            with self._http.stream(
                "GET",
                f"/datasets/{name}/versions/{version or 'latest'}/download",
                params={"format": format},
            ) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    _raise(resp)
                with open(tmp, "wb") as f:
                    for chunk in resp.iter_bytes(1024 * 1024):
                        f.write(chunk)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    def read_arrow(self, name: str, version: int | None = None) -> Any:
        """The version as a `pyarrow.Table` (fetched as Parquet)."""
        import pyarrow.parquet as pq

        resp = self._request(
            "GET",
            f"/datasets/{name}/versions/{version or 'latest'}/download",
            params={"format": "parquet"},
        )
        return pq.read_table(io.BytesIO(resp.content))

    def read_pandas(self, name: str, version: int | None = None) -> Any:
        """The version as a pandas DataFrame."""
        return self.read_arrow(name, version).to_pandas()


def _raise(resp: httpx.Response) -> None:
    try:
        err = resp.json().get("error") or {}
    except ValueError:
        err = {}
    message = err.get("message") or f"The server answered {resp.status_code} {resp.reason_phrase}."
    cls = _BY_CODE.get(err.get("code", ""), errors.DatanuriError)
    exc = cls(message, details=err.get("details"))
    exc.status = resp.status_code
    raise exc
