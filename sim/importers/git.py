"""``git``: a local repository's history as an activity log.

What is read, and what it means (decisions, not platform facts):

* **Scope.** By default the default branch (``HEAD``) plus GitHub's pull-request heads
  (``refs/pull/*/head``, fetched by a mirror clone), so unmerged contributions count;
  ``--all`` reads every ref.
* **Who.** The *author* with the repository's mailmap applied (``git log --use-mailmap``,
  ``%aN <%aE>``): the member is the mailmapped e-mail address, lower-cased, with GitHub's
  ``12345+login@users.noreply.github.com`` reduced to ``login@users.noreply.github.com``.
  Several raw ``name <address>`` pairs mapped to one member are counted as merged identities.
  The committer is not a contributor (on GitHub it is mostly ``GitHub`` itself, for web merges),
  except that a merge commit's author is the person who merged.
* **When.** The author date, to the second (the committer date moves with every rebase).
* **Threads.** A pull request is a thread ``pr/N``: its commits (found through
  ``refs/pull/N/head``, a squash commit's ``(#N)`` subject, or a merge's
  ``Merge pull request #N``) are its contributions; the earliest starts it (``post``), the others
  ``reply``. A commit outside any pull request starts its own thread ``commit/<hash>``. A merge of
  pull request N is a ``reply`` in ``pr/N`` by the person who merged; other merge commits are
  skipped (counted in the notes). Each ``Co-authored-by:`` trailer is a ``reply`` by the co-author
  in the commit's thread, at the commit's time. Reviews are not in git and are not observed.
  A squash-merged pull request whose head is fetched counts its commits and the squash commit.
* **Topic.** The top-level directory the commit touches most (none for files at the root).
* **Joins.** A member joins at their first contribution; git records no visits or reactions.
* **Bots.** ``BUILTIN_BOTS`` (``[bot]`` accounts, dependabot, pre-commit-ci, renovate,
  github-actions, ...) and ``--bots``, matched against the name and the address.

Commit metadata (not file contents) is held in memory to order each thread's contributions by
time; ``git log`` streams it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from sim.importers.base import ImportFailure, ImportSummary, LogWriter

OBSERVED = ("join", "post", "reply")
FIELD, RECORD, TRAILER = "\x1f", "\x1e", "\x1d"
FORMAT = FIELD.join(
    ["%H", "%P", "%aN", "%aE", "%an", "%ae", "%at", "%S", "%s",
     f"%(trailers:key=Co-authored-by,valueonly,separator={TRAILER})"]
)  # fmt: skip
PR_REF = re.compile(r"refs/pull/(\d+)/head$")
SQUASH = re.compile(r"\(#(\d+)\)\s*$")
MERGE_PR = re.compile(r"^Merge pull request #(\d+)")
NOREPLY = re.compile(r"^\d+\+(.+@users\.noreply\.github\.com)$")
PERSON = re.compile(r"^\s*(.*?)\s*<([^>]*)>\s*$")


def run(
    source: Path,
    out: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    bots: tuple[str, ...] = (),
    all_refs: bool = False,
) -> ImportSummary:
    writer = LogWriter.for_options(
        out, "git", source, since=since, until=until, bots=bots, observed=OBSERVED
    )
    try:
        with _repository(source) as git_dir:
            _read(git_dir, source, writer, all_refs)
        return writer.close()
    except BaseException:
        writer.abort()
        raise


class _repository:
    """The git directory of ``source``. A bare copy whose empty ``refs/`` folder was lost (git then
    says "not a git repository") is read through a temporary shadow holding ``refs/``."""

    def __init__(self, source: Path):
        self.source, self.shadow = source, None

    def __enter__(self) -> Path:
        if shutil.which("git") is None:
            raise ImportFailure(self.source, None, "the git command is not installed")
        found = _git(self.source, ["rev-parse", "--absolute-git-dir"], check=False)
        if found.returncode == 0:
            return self.source
        source = self.source
        if (source / "HEAD").is_file() and (source / "objects").is_dir():
            self.shadow = Path(tempfile.mkdtemp(prefix="commsim-git-"))
            (self.shadow / "refs").mkdir()
            for name in ("objects", "packed-refs", "config", "info"):
                if (source / name).exists():
                    (self.shadow / name).symlink_to((source / name).resolve())
            shutil.copyfile(source / "HEAD", self.shadow / "HEAD")  # git refuses a linked HEAD
            if _git(self.shadow, ["rev-parse", "HEAD"], check=False).returncode == 0:
                return self.shadow
        raise ImportFailure(
            source, None, f"not a git repository: {found.stderr.strip() or 'git refused it'}"
        )

    def __exit__(self, *exc) -> None:
        if self.shadow is not None:
            shutil.rmtree(self.shadow, ignore_errors=True)


def _git(where: Path, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["git", *_location(where), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if check and done.returncode != 0:
        raise ImportFailure(where, None, f"git {args[0]} failed: {done.stderr.strip()}")
    return done


def _location(where: Path) -> list[str]:
    """``--git-dir`` for a bare repository (its mailmap is ``HEAD:.mailmap``), else ``-C``
    (the working tree's ``.mailmap``)."""
    bare = (where / "HEAD").is_file() and (where / "objects").is_dir()
    return [f"--git-dir={where}"] if bare else ["-C", str(where)]


def _log(git_dir: Path, revisions: list[str]):
    """Commits of ``git log`` over ``revisions``: (fields, touched files), streamed."""
    command = ["git", *_location(git_dir), "-c", "core.quotepath=false", "log",
               "--use-mailmap", "--source", "--name-only", f"--format={RECORD}{FORMAT}",
               *revisions, "--"]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        errors="replace",
    ) as process:  # fmt: skip
        assert process.stdout is not None
        chunk: list[str] = []
        for line in process.stdout:
            if line.startswith(RECORD):
                if chunk:
                    yield _commit(chunk)
                chunk = [line[1:]]
            elif chunk:
                chunk.append(line)
        if chunk:
            yield _commit(chunk)
        error = process.stderr.read() if process.stderr else ""
        if process.wait() != 0:
            raise ImportFailure(git_dir, None, f"git log failed: {error.strip()}")


def _commit(chunk: list[str]):
    # the header may span lines (trailers are separated by TRAILER, but a subject is one line)
    header = chunk[0].rstrip("\n")
    fields = header.split(FIELD)
    files = [line.strip() for line in chunk[1:] if line.strip()]
    if len(fields) != 10:
        raise ImportFailure("git log", f"commit {fields[0][:40]}", "unreadable log record")
    return fields, files


def _member(name: str, email: str) -> str:
    email = email.strip().lower()
    matched = NOREPLY.match(email)
    if matched:
        email = matched.group(1)
    return email or name.strip().lower()


def _topic(files: list[str]) -> str | None:
    tops = Counter(f.split("/", 1)[0] for f in files if "/" in f)
    return tops.most_common(1)[0][0] if tops else None


def _read(git_dir: Path, source: Path, writer: LogWriter, all_refs: bool) -> None:
    main = ["--all"] if all_refs else ["HEAD"]
    on_main = set(_git(git_dir, ["rev-list", *main]).stdout.split())
    events = []  # (time, order, member, name, raw identity, thread, kind, hash, ref, topic, parent)
    skipped_merges = 0
    order = 0
    passes = [main] if all_refs else [main, ["--glob=refs/pull/*/head", "--not", "HEAD"]]
    for revisions in passes:
        for fields, files in _log(git_dir, revisions):
            sha, parents, name, email, raw_name, raw_email, when, ref, subject, trailers = fields
            try:
                seconds = int(when)
            except ValueError:
                raise ImportFailure(source, f"commit {sha}", f"author date {when!r}") from None
            pr = None
            if sha not in on_main and (matched := PR_REF.search(ref)):
                pr = matched.group(1)
            elif matched := MERGE_PR.match(subject) or SQUASH.search(subject):
                pr = matched.group(1)
            merge = len(parents.split()) > 1
            if merge and not MERGE_PR.match(subject):
                skipped_merges += 1
                continue
            thread = f"pr/{pr}" if pr else f"commit/{sha}"
            ref_name = ref if sha not in on_main else ("--all" if all_refs else "HEAD")
            member = _member(name, email)
            topic = _topic(files)
            merged = parents.split()[-1] if merge else None  # a merge answers the head it merges
            events.append((seconds, order, member, name, f"{raw_name} <{raw_email}>", thread,
                           "merge" if merge else "commit", sha, ref_name, topic, merged))  # fmt: skip
            order += 1
            for value in filter(None, trailers.split(TRAILER)):
                person = PERSON.match(value)
                if person is None:
                    continue
                co_name, co_email = person.groups()
                events.append((seconds, order, _member(co_name, co_email), co_name, value.strip(), thread,
                               "co-author", sha, ref_name, topic, sha))  # fmt: skip
                order += 1
    mapped = _check_mailmap(git_dir, {e[4] for e in events if e[6] == "co-author"})
    events.sort(key=lambda e: (e[0], e[1]))
    started: set[str] = set()
    for seconds, _, member, name, raw, thread, kind, sha, ref, topic, parent in events:
        if kind == "co-author" and raw in mapped:
            name, email = mapped[raw]
            member = _member(name, email)
        if writer.is_bot(member, name):
            continue
        writer.alias(member, raw)
        action = "reply" if thread in started or kind != "commit" else "post"
        started.add(thread)
        writer.add(member, seconds, action, thread=thread, topic=topic, item=sha, parent=parent,
                   source=ref, record=sha)  # fmt: skip
    writer.notes.append(
        "threads: a pull request (pr/N) or a lone commit; merges of pull requests and "
        "Co-authored-by trailers are replies; reviews are not in git"
    )
    if skipped_merges:
        writer.notes.append(f"{skipped_merges} merge commit(s) not of a pull request skipped")


def _check_mailmap(git_dir: Path, people: set[str]) -> dict[str, tuple[str, str]]:
    """``name <address>`` of each co-author through the repository's mailmap."""
    found: dict[str, tuple[str, str]] = {}
    listed = sorted(p for p in people if PERSON.match(p))
    for start in range(0, len(listed), 200):
        batch = listed[start : start + 200]
        done = _git(git_dir, ["check-mailmap", *batch], check=False)
        if done.returncode != 0:
            continue
        for raw, line in zip(batch, done.stdout.splitlines(), strict=False):
            person = PERSON.match(line)
            if person:
                found[raw] = (person.group(1), person.group(2))
    return found
