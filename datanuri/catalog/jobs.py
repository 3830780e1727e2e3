"""Who sees which background job: the permission rules of the dataset a job works on.

A job is seen by the user who started it and by those who may publish to its dataset (the
holder's editors); a job about no dataset also by platform admins. Its restricted part (problem
values, previews, reports) is read only by those who may publish to its dataset. A platform
admin outside the holder sees neither: job records are no way around the dataset's rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.principal import Principal
from datanuri.catalog import messages as M
from datanuri.jobs.messages import NO_JOB
from datanuri.jobs.runner import JobInfo, JobOutput, JobRecord, JobRunner
from datanuri.store.db import Database

if TYPE_CHECKING:
    from datanuri.catalog.service import CatalogService

MAX_JOBS_PAGE = 200


def positions_only(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Row problems without the values taken from the rows: where and what kind, and a message
    that says so (the full problems stay with the version, under its permission rules)."""
    return [
        {
            "line": p.get("line"),
            "column": p.get("column"),
            "kind": p.get("kind"),
            "message": M.PROBLEM_POSITION.format(
                line=p.get("line", "?"), column=p.get("column") or "-", kind=p.get("kind")
            ),
        }
        for p in problems
    ]


def publish_output(result: dict[str, Any]) -> JobOutput:
    """The job output of a publication (`PublishResult.to_dict()`): its problems by position in
    the summary, with their values only in the restricted part."""
    problems = list(result.get("problems") or [])
    return JobOutput({**result, "problems": positions_only(problems)}, {"problems": problems})


def value_free_error(exc: errors.IngestError) -> errors.IngestError:
    """A strict-mode ingest error for a job record: the same count and positions, no values."""
    details = exc.details if isinstance(exc.details, dict) else None
    problems = list(details.get("problems") or []) if details else []
    if not problems:
        return exc
    first = problems[0]
    return type(exc)(
        M.STRICT_PROBLEMS.format(
            count=details.get("problem_count", len(problems)) if details else len(problems),
            line=first.get("line", "?"),
            column=first.get("column") or "-",
            kind=first.get("kind"),
        ),
        details={**(details or {}), "problems": positions_only(problems)},
    )


class JobViews:
    """Background jobs as a principal may see them (the web's /api/v1/jobs routes)."""

    def __init__(self, runner: JobRunner, db: Database, access: AccessControl) -> None:
        self.runner = runner
        self.db = db
        self.access = access

    def _rights(self, s: Session, p: Principal, job: JobRecord) -> tuple[bool, bool]:
        """(may see the job, may read its restricted part)."""
        if p.kind == "system":
            return True, True
        dataset = job.info.dataset
        editor = False
        if dataset is not None:
            ds = self.access.find_dataset(s, dataset)
            editor = ds is not None and self.access.can(s, p, "publish", dataset=ds)
        own = p.kind == "user" and job.created_by == p.name
        return own or editor or (dataset is None and p.is_admin), editor

    def get_job(self, job_id: str, *, principal: Principal) -> JobInfo:
        """A job the principal may see (else "not found"), with its restricted part merged into
        the result if they may read it."""
        job = self.runner.record(job_id)
        with self.db.session() as s:
            see, restricted = self._rights(s, principal, job)
        if not see:
            raise errors.NotFound(NO_JOB.format(id=job_id))
        return job.with_restricted() if restricted else job.info

    def list_jobs(self, *, principal: Principal, limit: int = 50) -> list[JobInfo]:
        """The newest jobs the principal may see (summaries only, no restricted part)."""
        limit = max(1, min(limit, MAX_JOBS_PAGE))
        out: list[JobInfo] = []
        offset = 0
        with self.db.session() as s:
            while len(out) < limit:
                page = self.runner.records(limit=MAX_JOBS_PAGE, offset=offset)
                out += [j.info for j in page if self._rights(s, principal, j)[0]]
                if len(page) < MAX_JOBS_PAGE:
                    break
                offset += MAX_JOBS_PAGE
        return out[:limit]


def publish_job(catalog: CatalogService, name: str, source: Path, **options: Any) -> JobOutput:
    """`catalog.publish` as a background job: its result and any strict-mode error hold row
    problems by position only; the values go to the job's restricted part."""
    try:
        return publish_output(catalog.publish(name, source, **options).to_dict())
    except errors.IngestError as exc:
        raise value_free_error(exc) from None
