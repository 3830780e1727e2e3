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
BAD_PARAMS = (
    "This job's parameters are not valid for a {kind} job ({detail}), so it cannot run. "
    "Start it again."
)
RETRYING = "attempt {attempt} of {max_attempts} failed; it will be tried again at {when} UTC"
RERUN = "running again (attempt {attempt} of {max_attempts}): the worker that ran it stopped"
GAVE_UP = (
    "It failed {attempts} times, the last time with: {error} Try again later, and report it if it "
    "repeats."
)
RELEASED = "queued again: the worker running it was stopped before it finished"
