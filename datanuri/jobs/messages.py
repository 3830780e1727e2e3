"""Messages of the background jobs, written once and imported by tests (format with .format(**kw))."""

NO_JOB = "No job with id {id!r} that you may see. List your jobs with GET /api/v1/jobs."
INTERRUPTED = (
    "The process running this job stopped before it finished. Nothing was published; run it again."
)
RECOVERED_DONE = (
    "done (the process stopped right after the work was committed; the result below is what exists)"
)
DONE_THEN_FAILED = "done, but a step after the work was committed failed: {error}"
INTERNAL_ERROR = "Something went wrong on the server; it has been logged. Try again, and report it if it repeats."
