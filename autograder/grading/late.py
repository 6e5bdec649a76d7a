"""The late policy: a deadline per assignment, a deduction per started day late up to a cap,
and per-student extensions, read from a JSON or TOML file (``grade --late-policy FILE``).

    percent_per_day = 10          # deducted per started day (24 h) past the deadline
    max_percent = 50              # the most that is ever deducted
    timezone = "Europe/Berlin"    # of the deadlines written without an offset (default UTC)

    [deadlines]
    00_sequence_data = "2026-10-05T23:59"

    [extensions]                  # days, whole or not: for every assignment, or per assignment
    alice = 2
    bob = { 01_vanilla_rnn = 1.5 }

The deduction is a percentage of the points the submission earned, taken from its final
score only: the per-cell scores (what the verdicts decide, what the feedback shows) never
change. A submission without a deadline, without a notebook, or on time keeps its score.
"""

import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = timedelta(days=1)
TIMESTAMP_FILE = "timestamp.txt"  # what nbgrader's submit writes next to the notebook
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format
MAX_TIMESTAMP_BYTES = 1024  # the file sits in the student's folder: read it as untrusted data

# where a submission time came from, as the report says it
FROM_NBGRADER = "nbgrader's timestamp.txt"
FROM_MTIME = "the file's modification time"


@dataclass
class LatePolicy:
    deadlines: dict  # assignment -> aware datetime
    percent_per_day: float
    max_percent: float = 100.0
    extensions: dict = field(default_factory=dict)  # student -> days | {assignment: days}

    def deadline(self, student, assignment):
        """The student's deadline for ``assignment`` (extension included), or None."""
        due = self.deadlines.get(assignment)
        if due is None:
            return None
        extra = self.extensions.get(student, 0)
        if isinstance(extra, dict):
            extra = extra.get(assignment, 0)
        return due + extra * DAY

    def days_late(self, student, assignment, submitted):
        """Started days (24 h) past the student's deadline: 1 h late is 1, 1.5 days is 2."""
        due = self.deadline(student, assignment)
        if due is None or submitted is None or submitted <= due:
            return 0
        return math.ceil((submitted - due) / DAY)

    def percent(self, student, assignment, submitted):
        """The percentage of the earned points deducted, capped at ``max_percent``."""
        return min(self.days_late(student, assignment, submitted) * self.percent_per_day,
                   self.max_percent)

    def describe(self):
        return (f"{self.percent_per_day:g} % per started day late, at most {self.max_percent:g} %; "
                f"{len(self.deadlines)} deadline(s), {len(self.extensions)} extension(s)")


def load_policy(path, names=None):
    """Read a :class:`LatePolicy` from a ``.json`` or ``.toml`` file; ``ValueError`` says
    what is wrong (an unknown key, an assignment not in ``names``, a bad date)."""
    path = Path(path)
    text = path.read_text()
    if path.suffix == ".toml":
        try:
            import tomllib
        except ImportError as exc:  # Python 3.10
            raise ValueError("TOML needs Python 3.11+: write the policy as JSON") from exc
        data = tomllib.loads(text)
    else:
        data = json.loads(text)
    return policy_from_dict(data, names)


def policy_from_dict(data, names=None):
    """A :class:`LatePolicy` from the file's data (see the module's docstring)."""
    known = {"deadlines", "percent_per_day", "max_percent", "extensions", "timezone"}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"late policy: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    if "percent_per_day" not in data or "deadlines" not in data:
        raise ValueError("late policy: needs percent_per_day and deadlines")
    try:
        zone = ZoneInfo(data.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"late policy: unknown timezone {data.get('timezone')!r} "
                         "(an IANA name: Europe/Berlin, America/New_York)") from exc
    deadlines = {a: _aware(_parse_date(a, when), zone) for a, when in data["deadlines"].items()}
    extensions = dict(data.get("extensions", {}))
    for student, extra in extensions.items():
        for days in (extra.values() if isinstance(extra, dict) else [extra]):
            if isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0:
                raise ValueError(f"late policy: extension of {student}: {days!r} is not a "
                                 "number of days")
    mentioned = set(deadlines) | {a for e in extensions.values() if isinstance(e, dict) for a in e}
    if names is not None and mentioned - set(names):
        raise ValueError(f"late policy: no such assignment(s) {sorted(mentioned - set(names))}")
    policy = LatePolicy(deadlines, float(data["percent_per_day"]),
                        float(data.get("max_percent", 100.0)), extensions)
    if not 0 <= policy.percent_per_day <= 100 or not 0 <= policy.max_percent <= 100:
        raise ValueError("late policy: percent_per_day and max_percent must lie in 0..100")
    return policy


def _parse_date(assignment, when):
    if isinstance(when, datetime):  # TOML has dates of its own
        return when
    try:
        return datetime.fromisoformat(str(when))
    except ValueError as exc:
        raise ValueError(f"late policy: deadline of {assignment}: {when!r} is not an ISO 8601 "
                         "date (2026-10-05T23:59, optionally with +01:00)") from exc


def _aware(when, zone):
    return when if when.tzinfo else when.replace(tzinfo=zone)


def read_nbgrader_timestamp(path):
    """The aware UTC time in an nbgrader ``timestamp.txt`` (``2026-10-05 21:03:07.123456 UTC``,
    nbgrader's ``Exchange.timestamp_format``), or None when absent, a link, huge or unreadable."""
    from nbgrader.utils import parse_utc  # nbgrader's own reader: the same time nbgrader sees

    path = Path(path)
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_TIMESTAMP_BYTES:
        return None
    try:
        text = path.read_text(errors="strict").strip()
        return parse_utc(text).replace(tzinfo=timezone.utc) if text else None
    except (ValueError, OverflowError, UnicodeDecodeError):
        return None


def submission_time(sub):
    """``(aware datetime, source)`` of a :class:`Submission`, or ``(None, "")`` without a
    notebook. nbgrader's layout (``<student>/<assignment>/<assignment>.ipynb``, see
    ``discover``) may hold ``timestamp.txt``; LMS file names carry no time that discover
    reads, so those, and nbgrader folders without the file, fall back to the file's mtime."""
    if sub.path is None or not os.path.lexists(sub.path):
        return None, ""
    folder = Path(sub.path).parent
    if folder.name == sub.assignment and folder.parent.name == sub.name:  # nbgrader's layout
        stamp = read_nbgrader_timestamp(folder / TIMESTAMP_FILE)
        if stamp is not None:
            return stamp, FROM_NBGRADER
    mtime = os.lstat(sub.path).st_mtime
    return datetime.fromtimestamp(mtime, tz=timezone.utc), FROM_MTIME


def apply_late_policy(policy, results, submissions):
    """Set ``late_penalty`` (points) and ``late_note`` on every :class:`Result` in
    ``results`` from its submission's time; the per-cell ``scores`` stay as they are."""
    return apply_late_times(policy, results, {(s.student, s.assignment): submission_time(s)
                                              for s in submissions})


def apply_late_times(policy, results, times):
    """:func:`apply_late_policy` with the times given: ``{(student, assignment): (datetime,
    source)}`` (a merge of shards has the times the shards recorded, not the files)."""
    for r in results:
        submitted, source = times.get((r.student, r.assignment), (None, ""))
        r.submitted_from = source
        if submitted is None:
            continue
        r.submitted_at = submitted.isoformat(timespec="seconds")
        days = policy.days_late(r.student, r.assignment, submitted)
        percent = policy.percent(r.student, r.assignment, submitted)
        r.late_penalty = round(r.score * percent / 100, 2)
        if days:
            due = policy.deadline(r.student, r.assignment)
            r.late_note = (f"submitted {submitted:%Y-%m-%d %H:%M} UTC ({source}), {days} started "
                           f"day(s) after {due.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC: "
                           f"-{percent:g} % = -{r.late_penalty:g} points")
    return results
