"""The weekly operations report a community manager sends (issue 16, item 10): ``ops-report.md``,
``ops-report.html`` and ``figures/*.png``, from a run folder (``commsim run``) or an activity log
(``commsim import`` or ``commsim export-log``, or any CSV/Parquet log ``sim.calibration.log`` reads).

Every section gives this week, last week and the change, and says what is missing when the input
cannot show it; no number is imputed (DESIGN.md: what a log cannot see is absent, never invented):

1. growth and joins by channel: a run's ``joins`` split into ``campaign_joins``, ``referral_joins``
   and the rest (organic); a log has joins only, and no leaves, so its "members" are the members
   seen so far;
2. DAU / WAU / MAU and stickiness: a run's daily series; a log's distinct members with an observed
   action in the day / the 7 / the 30 days ending that day, named "contributors" when the log shows
   contributions only (``Observation.contributions_only``), as the calibration's observation model
   does;
3. interaction rate: a run's ``interaction_rate`` (replies and reactions per item in the day's feed,
   ``sim.world.metrics``); a log's replies and observed reactions per item written (threads and
   replies) in the week, the closest a log comes to the model's definition;
4. cohort retention: weekly join cohorts (``cohorts.parquet`` of a run; ``ActivityStats`` of a log,
   the same definitions), each cell shown only once the whole cohort has reached that age by the
   week's last day;
5. churn: a run's ``leaves_<reason>``; a log records no reasons and no leaves, so members *gone
   inactive* instead: a member goes inactive on the ``INACTIVE_DAYS``-th day after their last
   observed action with no action since (CHAOSS "Inactive Contributors" leaves the look-back open;
   30 days is ours, the same month that makes a lurker in ``sim.world.metrics``);
6. hot topics: a log's ``topic`` column (threads started, and replies and reactions as responses);
   a run folder has no per-topic series (issue 16 item 8);
7. active hours: hour x weekday (UTC) of a log's observed actions other than joins; of a run's
   visits when it ran with active hours (``hours.parquet``; sim.world.hours), none without;
8. top contributors by role: roles by the model's bounds (``sim.world.metrics.ROLE_BOUNDS``) on the
   posts and replies of the ``ROLE_DAYS`` days ending the week (the model counts a decaying ~30-day
   count; a log has exact dates, so a plain 30-day window);
9. operator spend and hours against the run's strategy (budget for the whole run, staff hours per
   day); a log records no operator;
10. what changed: the ``CHANGES`` largest relative week-over-week changes among the KPIs above.

A week is 7 days identified by its last day. Runs number days from 1 and week N is days 7N-6..7N;
the default is the last complete week. Logs number days from their first calendar day (UTC) and
week N is the log's days 7N-7..7N-1; the default is the last Monday-Sunday week that ends before
the log's last day (an export's last day is usually cut short).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from sim.calibration.activity import ACTIONS, JOIN, POST, REACT, REPLY, Observation, Observed
from sim.calibration.log import NS_PER_DAY, LogError, _is_csv, _timestamps, action_counts, read_log
from sim.calibration.observation import MetadataError, decide, import_metadata
from sim.experiments.outputs import RUN_REPORTS
from sim.experiments.report import Block, render_html, render_markdown
from sim.experiments.staging import staged_folder
from sim.world.metrics import REPORTED_AGES, ROLE_BOUNDS, ROLES

REPORT_FILES = ("ops-report.md", "ops-report.html", "figures")
RUN_COLUMNS = (
    "day",
    "members",
    "joins",
    "leaves",
    "dau",
    "wau",
    "mau",
    "stickiness",
    "threads",
    "replies",
    "reactions",
    "interaction_rate",
)
INACTIVE_DAYS = 30
ROLE_DAYS = 30
TOP_TOPICS = 5
TOP_MEMBERS = 10
CHANGES = 5
# what the importers write as a row's topic (sim.importers), by the log's metadata "kind"
TOPIC_MEANING = {
    "discord": "the channel",
    "slack": "the channel",
    "telegram": "the chat",
    "stackexchange": "the question's first tag",
    "discourse": "the topic's category",
    "git": "the top-level folder a commit touched most",
}
CONTEXT_WEEKS = 12  # weeks of history the figures show up to the report's week
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLE_NAMES = {
    "lurkers": "lurker",
    "occasional": "occasional",
    "regulars": "regular",
    "core": "core",
}


class OpsReportError(ValueError):
    """Input the report cannot use: the message names the path or option and what is allowed."""


# ---- the input ----------------------------------------------------------------------------------
@dataclass
class RunInput:
    """A run folder: the daily series (indexed by day, 1..days), cohorts, summary and per-topic
    daily series (``topics.parquet``) if present."""

    path: Path
    daily: pd.DataFrame
    cohorts: pd.DataFrame | None
    summary: dict | None
    topics: pd.DataFrame | None = None
    hours: pd.DataFrame | None = (
        None  # active hours' visits (``hours.parquet``), if the run had them
    )
    segments: pd.DataFrame | None = None  # per role, segment and tier (``segments.parquet``)

    kind = "run"
    first_day = 1

    @property
    def last_day(self) -> int:
        return int(self.daily.index.max())

    @property
    def strategy(self) -> dict | None:
        return ((self.summary or {}).get("scenario") or {}).get("strategy")

    def day_label(self, day: int) -> str:
        return f"day {day}"

    def span(self, first: int, last: int) -> str:
        return f"days {first}-{last}"

    def x(self, days):
        return np.asarray(days)


@dataclass
class LogInput:
    """An activity log: its KPIs by ``ActivityStats`` (``observed``, days 0..last) and its kept
    events (member code, day, action code, hour, weekday, topic), under ``observation``."""

    path: Path
    observed: Observed
    events: pd.DataFrame
    observation: Observation
    origin: np.datetime64  # the calendar date of day 0
    metadata: dict | None
    warnings: list[str]
    members: pd.Index  # member names by code
    timed: bool  # whether any kept action (but a join) has a time of day other than midnight
    daily: pd.DataFrame = field(init=False)

    kind = "log"
    first_day = 0

    def __post_init__(self):
        daily = self.observed.daily.set_index("day")
        acted = self.events[self.events["action"] != JOIN]
        pairs = acted[["member", "day"]].drop_duplicates()
        last = int(daily.index.max())
        for name, window in (("wau", 7), ("mau", 30)):
            daily[name] = distinct_in_window(pairs["member"], pairs["day"], window, last)
        daily["stickiness"] = (daily["dau"] / daily["mau"].where(daily["mau"] > 0)).fillna(0.0)
        first_seen = self.events.groupby("member")["day"].min()
        daily["members"] = np.cumsum(np.bincount(first_seen, minlength=last + 1))[: last + 1]
        self.daily = daily

    @property
    def last_day(self) -> int:
        return int(self.daily.index.max())

    @property
    def contributions_only(self) -> bool:
        return self.observation.contributions_only

    def date(self, day: int) -> np.datetime64:
        return self.origin + np.timedelta64(int(day), "D")

    def day_label(self, day: int) -> str:
        return str(self.date(day))

    def span(self, first: int, last: int) -> str:
        return f"{self.date(first)} to {self.date(last)}"

    def x(self, days):
        return (self.origin + np.asarray(days).astype("timedelta64[D]")).astype("datetime64[D]")


def distinct_in_window(member: pd.Series, day: pd.Series, window: int, last: int) -> np.ndarray:
    """Per day 0..last, the distinct members with an action in the ``window`` days ending that day,
    from distinct (member, day) pairs: each pair covers its day and the ``window - 1`` after,
    cut where the member's next active day starts its own cover (so no member counts twice)."""
    frame = pd.DataFrame({"member": member.to_numpy(), "day": day.to_numpy()})
    frame = frame.sort_values(["member", "day"])
    start = frame["day"].to_numpy()
    end = start + window  # exclusive
    same = frame["member"].to_numpy()[1:] == frame["member"].to_numpy()[:-1]
    nxt = np.append(np.where(same, start[1:], np.iinfo(np.int64).max), np.iinfo(np.int64).max)
    end = np.minimum(end, nxt)
    delta = np.bincount(start, minlength=last + 2)[: last + 2].astype(np.int64)
    delta -= np.bincount(np.minimum(end, last + 1), minlength=last + 2)[: last + 2]
    return np.cumsum(delta)[: last + 1]


def load_input(path: str | Path) -> RunInput | LogInput:
    """A run folder (it holds ``daily.parquet``) or an activity log file; ``OpsReportError``
    otherwise, naming the path and what was expected."""
    path = Path(path)
    expected = (
        "expected a run folder written by `commsim run` (holding daily.parquet) or an activity "
        "log file (.csv or .parquet, as written by `commsim import` or `commsim export-log`)"
    )
    if not path.exists():
        raise OpsReportError(f"{path}: no such file or folder; {expected}")
    if path.is_dir():
        if not (path / "daily.parquet").is_file():
            raise OpsReportError(
                f"{path}: a folder without daily.parquet, so not a run; {expected}"
            )
        return _load_run(path)
    return _load_log(path)


def _optional_parquet(path: Path, name: str) -> pd.DataFrame | None:
    """A run folder's optional table ``name``, or None when the run did not write it."""
    if not (path / name).is_file():
        return None
    try:
        return pd.read_parquet(path / name)
    except (OSError, pa.ArrowException) as exc:
        raise OpsReportError(f"{path / name}: cannot read it ({exc})") from None


def _load_run(path: Path) -> RunInput:
    try:
        daily = pd.read_parquet(path / "daily.parquet")
    except (OSError, pa.ArrowException) as exc:
        raise OpsReportError(f"{path / 'daily.parquet'}: cannot read it ({exc})") from None
    missing = [c for c in RUN_COLUMNS if c not in daily.columns]
    if missing:
        raise OpsReportError(
            f"{path / 'daily.parquet'}: missing column(s) {', '.join(missing)}; a run's daily "
            f"series has {', '.join(RUN_COLUMNS)} (and more)"
        )
    if daily.empty:
        raise OpsReportError(f"{path / 'daily.parquet'}: no rows; the run has no days to report")
    cohorts = None
    if (path / "cohorts.parquet").is_file():
        cohorts = pd.read_parquet(path / "cohorts.parquet")
    summary = None
    if (path / "summary.json").is_file():
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            raise OpsReportError(f"{path / 'summary.json'}: not readable JSON ({exc})") from None
    topics = _optional_parquet(path, "topics.parquet")
    hours = _optional_parquet(path, "hours.parquet")  # active hours' visits, if the run had them
    segments = _optional_parquet(path, "segments.parquet")
    return RunInput(
        path, daily.set_index("day").sort_index(), cohorts, summary, topics, hours, segments
    )


def _load_log(path: Path) -> LogInput:
    try:
        metadata = import_metadata(path)
        observation, warnings = decide(action_counts(path), metadata, (metadata or {}).get("first"))
        stats, _start = read_log(path, observation)
        observed = stats.finish()
    except (LogError, MetadataError) as exc:
        raise OpsReportError(str(exc)) from None
    except ValueError:
        raise OpsReportError(
            f"{path}: no rows the observation model keeps ({', '.join(observation.observed)}); "
            "expected at least one post or reply row"
        ) from None
    events, members, origin = _read_events(path, observation)
    if int(events["day"].max()) != observed.days:
        raise OpsReportError(f"{path}: the log's days could not be aligned with its KPIs")
    acted = events["action"].to_numpy() != JOIN
    timed = bool((events["second"].to_numpy()[acted] != 0).any())
    events = events.drop(columns="second")
    return LogInput(path, observed, events, observation, origin, metadata, warnings, members, timed)


def _read_events(path: Path, observation: Observation):
    """The log's rows the observation keeps, with day (from the first kept day), hour and weekday
    in UTC and topic. The whole log is read (the KPIs themselves are read streaming)."""
    if _is_csv(path):
        names = pacsv.open_csv(str(path)).schema.names
        wanted = [c for c in ("member", "timestamp", "action", "topic") if c in names]
        table = pacsv.read_csv(
            str(path),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                strings_can_be_null=True,
            ),
        )
    else:
        names = pq.ParquetFile(path).schema_arrow.names
        wanted = [c for c in ("member", "timestamp", "action", "topic") if c in names]
        table = pq.read_table(path, columns=wanted)
    table = table.combine_chunks()
    ns, _bad = _timestamps(table.column("timestamp").combine_chunks())  # read_log checked them
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(table.column("action"), pa.string())))
    action = pc.index_in(text, value_set=pa.array(ACTIONS)).to_numpy(zero_copy_only=False)
    keep = np.isin(action, observation.codes)
    member_text = pc.cast(table.column("member"), pa.string()).to_numpy(zero_copy_only=False)
    codes, members = pd.factorize(member_text[keep])
    epoch_day = ns[keep] // NS_PER_DAY
    origin_day = int(epoch_day.min())
    topic = None
    if "topic" in wanted:
        topic = pc.cast(table.column("topic"), pa.string()).to_numpy(zero_copy_only=False)[keep]
    events = pd.DataFrame(
        {
            "member": codes.astype(np.int64),
            "day": epoch_day - origin_day,
            "action": action[keep].astype(np.int8),
            "hour": (ns[keep] // (3600 * 10**9)) % 24,
            "second": (ns[keep] % NS_PER_DAY) // 10**9,
            "weekday": (epoch_day + EPOCH_WEEKDAY) % 7,
            "topic": topic if topic is not None else None,
        }
    )
    return events, pd.Index(members), np.datetime64(origin_day, "D")


# ---- the week -----------------------------------------------------------------------------------
def choose_week(source, week: int | None = None, week_ending: str | None = None) -> int:
    """The last day of the report's week. A week needs the week before it in the data too."""
    first, last = source.first_day, source.last_day
    lowest = first + 13  # the earliest end with a whole previous week
    if source.kind == "run":
        weeks = (last - first + 1) // 7
        default = first - 1 + 7 * weeks
    else:
        weeks = (last + 1) // 7
        date = source.date(last - 1)  # the last day may be cut short
        weekday = (int(date.astype(np.int64)) + EPOCH_WEEKDAY) % 7
        default = last - 1 - ((weekday - 6) % 7)  # back to a Sunday
    if weeks < 2:
        raise OpsReportError(
            f"{source.path}: {last - first + 1} days of data; a weekly report needs at least 14 "
            "(this week and last week)"
        )
    if week is not None:
        if not 2 <= week <= weeks:
            raise OpsReportError(
                f"--week {week}: outside the data; allowed: 2 to {weeks} (week 1 has no week "
                f"before it; {source.span(first, last)} holds {weeks} complete weeks)"
            )
        return first - 1 + 7 * week if source.kind == "run" else 7 * week - 1
    if week_ending is not None:
        end = _parse_end(source, week_ending)
        if not lowest <= end <= last:
            raise OpsReportError(
                f"--week-ending {week_ending}: outside the data; allowed: "
                f"{source.day_label(lowest)} to {source.day_label(last)} (the week and the week "
                "before it must lie in the data)"
            )
        return end
    if default < lowest:
        raise OpsReportError(
            f"{source.path}: no complete Monday-Sunday week with a week before it in "
            f"{source.span(first, last)}; give --week-ending DATE"
        )
    return default


def _parse_end(source, text: str) -> int:
    if source.kind == "run":
        try:
            return int(text)
        except ValueError:
            raise OpsReportError(
                f"--week-ending {text!r}: a run's weeks end on a day number "
                f"({source.first_day + 13} to {source.last_day})"
            ) from None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError(text)
        date = np.datetime64(text.strip(), "D")
    except ValueError:
        raise OpsReportError(
            f"--week-ending {text!r}: a log's weeks end on a date (YYYY-MM-DD, "
            f"{source.day_label(13)} to {source.day_label(source.last_day)})"
        ) from None
    return int((date - source.origin).astype(np.int64))


# ---- KPIs and their formatting ------------------------------------------------------------------
@dataclass
class Kpi:
    """One number for this week and last week; ``kind``: count, mean, share, rate, money, hours."""

    section: str
    name: str
    this: float | None
    last: float | None
    kind: str = "count"
    rank: bool = True  # among the candidates for "what changed" (not running totals)

    @property
    def change(self) -> float | None:
        if self.this is None or self.last is None:
            return None
        return self.this - self.last


def fmt(value, kind: str, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "+" if signed else ""
    if kind == "share":
        return f"{100 * value:{sign}.1f}{' pp' if signed else '%'}"
    if kind == "rate":
        return f"{value:{sign}.2f}"
    if kind in ("mean", "hours"):
        return f"{value:{sign},.1f}"
    return f"{value:{sign},.0f}"


def relative(kpi: Kpi) -> float | None:
    if kpi.change is None or kpi.last is None:
        return None
    if kpi.last == 0:
        return None if kpi.this == 0 else math.inf
    return kpi.change / abs(kpi.last)


def kpi_table(kpis: list[Kpi]) -> pd.DataFrame:
    rows = []
    for k in kpis:
        change = fmt(k.change, k.kind, signed=True)
        rel = relative(k)
        if rel is not None and math.isfinite(rel) and k.kind != "share":
            change += f" ({100 * rel:+.0f}%)"
        rows.append(
            {
                "KPI": k.name,
                "this week": fmt(k.this, k.kind),
                "last week": fmt(k.last, k.kind),
                "change": change,
            }
        )
    return pd.DataFrame(rows, columns=["KPI", "this week", "last week", "change"])


def _sum(frame: pd.DataFrame, column: str, first: int, last: int) -> float:
    return float(frame.loc[first:last, column].sum())


def _mean(frame: pd.DataFrame, column: str, first: int, last: int) -> float:
    return float(frame.loc[first:last, column].mean())


def _weekly(
    report: Report,
    section: str,
    name: str,
    frame: pd.DataFrame,
    column: str,
    how=_sum,
    kind="count",
) -> Kpi:
    """A column summed (or averaged, ``how=_mean``) over this week and over last week."""
    (a, b), (c, d) = report.this_week, report.last_week
    return Kpi(section, name, how(frame, column, a, b), how(frame, column, c, d), kind)


# ---- the report ---------------------------------------------------------------------------------
@dataclass
class Report:
    """What ``build_report`` measured: the blocks to render, every KPI, the figures to write and
    the tables tests check (``hours``: this week's hour x weekday counts)."""

    source: RunInput | LogInput
    end: int
    blocks: list[Block] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def this_week(self) -> tuple[int, int]:
        return self.end - 6, self.end

    @property
    def last_week(self) -> tuple[int, int]:
        return self.end - 13, self.end - 7

    def kpi(self, name: str) -> Kpi:
        return next(k for k in self.kpis if k.name == name)

    def section(self, title: str, kpis: list[Kpi], *texts: str) -> None:
        self.blocks.append(Block("heading", title))
        for text in texts:
            if text:
                self.blocks.append(Block("text", text))
        if kpis:
            self.kpis.extend(kpis)
            self.blocks.append(Block("table", kpi_table(kpis)))

    def figure(self, name: str, caption: str, figure: Figure | None) -> None:
        if figure is None:
            return
        self.figures[name] = figure
        self.blocks.append(Block("figure", (caption, f"figures/{name}.png")))


def build_report(
    path: str | Path, week: int | None = None, week_ending: str | None = None
) -> Report:
    """Read ``path``, choose the week and measure every section (nothing is written)."""
    source = load_input(path)
    end = choose_week(source, week, week_ending)
    report = Report(source, end)
    sns.set_theme(style="whitegrid", context="notebook")
    _header(report)
    _growth(report)
    _activity(report)
    _interaction(report)
    _retention(report)
    _churn(report)
    _topics(report)
    _hours(report)
    _contributors(report)
    _operator(report)
    _changes(report)
    return report


def default_out(path: str | Path) -> Path:
    """``PATH/ops-report`` for a run folder, ``<log name>-ops-report`` beside a log."""
    path = Path(path)
    if path.is_dir():
        return path / RUN_REPORTS[0]
    return path.with_name(path.name.split(".")[0] + "-ops-report")


def check_out(out: Path) -> Path:
    """The destination, if free or holding only a previous ops report (which is replaced)."""
    out = out.expanduser().resolve()
    if out.exists():
        if not out.is_dir():
            raise OpsReportError(f"--out {out}: exists and is not a folder")
        foreign = sorted(p.name for p in out.iterdir() if p.name not in REPORT_FILES)
        if foreign:
            raise OpsReportError(
                f"--out {out}: refusing to replace a folder holding files that are not an ops "
                f"report's ({', '.join(foreign[:5])})"
            )
    return out


def write_report(report: Report, out: str | Path) -> Path:
    """Write the Markdown, the HTML and the figures into ``out`` all at once (staged, renamed)."""
    out = check_out(Path(out))
    with staged_folder(out) as staging:
        (staging / "figures").mkdir()
        for name, figure in report.figures.items():
            FigureCanvasAgg(figure)
            figure.savefig(staging / "figures" / f"{name}.png", dpi=100)
        title = f"Weekly operations report: {report.source.path.name}"
        (staging / "ops-report.md").write_text(render_markdown(report.blocks), encoding="utf-8")
        (staging / "ops-report.html").write_text(
            render_html(report.blocks, title), encoding="utf-8"
        )
    return out


def ops_report(
    path: str | Path,
    out: str | Path | None = None,
    week: int | None = None,
    week_ending: str | None = None,
) -> tuple[Path, Report]:
    """Build and write the report; returns its folder and the report."""
    destination = check_out(Path(out) if out is not None else default_out(path))
    report = build_report(path, week, week_ending)
    return write_report(report, destination), report


# ---- sections -----------------------------------------------------------------------------------
def _header(report: Report) -> None:
    src = report.source
    this, last = report.this_week, report.last_week
    report.blocks.append(Block("heading", f"Weekly operations report: {src.path.name}", 1))
    lines = [f"- **This week:** {src.span(*this)}; **last week:** {src.span(*last)}"]
    if src.kind == "run":
        seed = ((src.summary or {}).get("scenario") or {}).get("run", {}).get("seed")
        lines.append(
            f"- **Input:** the run folder `{src.path}` ({src.last_day} simulated days"
            + (f", seed {seed}" if seed is not None else "")
            + "): numbers come from its daily series (daily.parquet)"
        )
    else:
        kind = (src.metadata or {}).get("kind")
        lines.append(
            f"- **Input:** the activity log `{src.path}`"
            + (f" (imported from a {kind} export)" if kind else "")
            + f": {len(src.events):,} rows kept, {len(src.members):,} members, "
            f"{src.span(0, src.last_day)} (UTC calendar days)"
        )
        lines.append(f"- **What the log can see:** {src.observation.describe()}")
        lines += [f"- warning: {w}" for w in src.warnings]
    lines.append(
        "- Each table gives this week, last week and the change; a section the input cannot "
        "fill says what is missing instead of showing a number."
    )
    report.blocks.append(Block("text", "\n".join(lines)))


def _weeks_back(report: Report) -> list[tuple[int, int]]:
    """The report's week and up to ``CONTEXT_WEEKS - 1`` weeks before it inside the data."""
    first = report.source.first_day
    spans = [(report.end - 7 * i - 6, report.end - 7 * i) for i in range(CONTEXT_WEEKS)]
    return [s for s in reversed(spans) if s[0] >= first]


def _growth(report: Report) -> None:
    src, (_, b), (_, d) = report.source, report.this_week, report.last_week
    daily = src.daily
    name = "1. Growth and joins by channel"
    if src.kind == "run":
        has_channels = {"campaign_joins", "referral_joins"} <= set(daily.columns)
        kpis = [
            Kpi(
                name,
                "members at the week's end",
                daily.at[b, "members"],
                daily.at[d, "members"],
                rank=False,
            ),
            Kpi(
                name,
                "net growth",
                daily.at[b, "members"] - daily.at[d, "members"],
                daily.at[d, "members"] - daily.at[d - 7, "members"]
                if d - 7 >= src.first_day
                else None,
            ),
            _weekly(report, name, "joins", daily, "joins"),
        ]
        text = (
            "Joins by channel from the run's daily series: campaign joins are the paid "
            "recruitment's share of the day's market joins, referral joins come from invites "
            "with a referral reward, organic joins are the rest (word of mouth and the market's "
            "own pull). Leaves are in section 5."
        )
        if has_channels:
            channels = _channels(daily)
            for channel in ("organic", "campaign", "referral"):
                kpis.append(_weekly(report, name, f"joins: {channel}", channels, channel))
        else:
            text += " This run's series has no campaign/referral columns: joins are not split."
        report.section(name, kpis, text)
    else:
        kpis = [
            Kpi(
                name,
                "members seen by the week's end",
                daily.at[b, "members"],
                daily.at[d, "members"],
                rank=False,
            ),
            _weekly(report, name, "joins", daily, "joins"),
        ]
        joins = (
            "a member joins at their first post or reply"
            if src.observation.join == "first_contribution"
            else "a join is a join row"
        )
        report.section(
            name,
            kpis,
            f"An activity log has joins only ({joins}): it records no channel a member came by, "
            "so joins are not split by channel, and it records no leaves, so members are those "
            "seen so far, never fewer.",
        )
    report.figure("growth", "Members and weekly joins", _growth_figure(report))


def _channels(daily: pd.DataFrame) -> pd.DataFrame:
    campaign = daily["campaign_joins"].astype(float)
    referral = daily["referral_joins"].astype(float)
    organic = (daily["joins"] - campaign - referral).clip(lower=0)
    return pd.DataFrame({"organic": organic, "campaign": campaign, "referral": referral})


def _growth_figure(report: Report) -> Figure:
    src = report.source
    daily = src.daily.loc[: report.end]
    figure = Figure(figsize=(12, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(src.x(daily.index), daily["members"], color="C0", lw=1.8)
    left.set_title(
        "Members" if src.kind == "run" else "Members seen so far (a log shows no leaves)",
        loc="left",
    )
    left.set_ylim(bottom=0)
    if src.kind == "run":
        left.set_xlabel("day")
    else:
        left.tick_params(axis="x", labelrotation=30, labelsize="small")
    _shade(left, report)
    spans = _weeks_back(report)
    labels = [_week_label(src, s) for s in spans]
    right.set_xlabel("week (days)" if src.kind == "run" else "week ending (month-day)")
    if src.kind == "run" and {"campaign_joins", "referral_joins"} <= set(daily.columns):
        channels = _channels(daily)
        bottom = np.zeros(len(spans))
        for i, channel in enumerate(("organic", "campaign", "referral")):
            values = np.array([_sum(channels, channel, *s) for s in spans])
            right.bar(labels, values, bottom=bottom, color=f"C{i}", label=channel)
            bottom += values
        right.legend(loc="upper left", fontsize="small")
    else:
        right.bar(labels, [_sum(daily, "joins", *s) for s in spans], color="C0", label="joins")
    right.set_title("Joins per week" + (" by channel" if src.kind == "run" else ""), loc="left")
    right.tick_params(axis="x", labelrotation=60, labelsize="small")
    return figure


def _week_label(src, span: tuple[int, int]) -> str:
    if src.kind == "run":
        return f"{span[0]}-{span[1]}"
    return str(src.date(span[1]))[5:]  # MM-DD of the week's last day


def _shade(ax, report: Report) -> None:
    src = report.source
    for (a, b), colour, label in (
        (report.last_week, "0.85", "last week"),
        (report.this_week, "#ffe08a", "this week"),
    ):
        lo, hi = src.x([a])[0], src.x([b])[0]
        if src.kind == "log":
            hi = hi + np.timedelta64(1, "D")
        else:
            hi = hi + 1
        ax.axvspan(lo, hi, color=colour, alpha=0.6, lw=0, label=label, zorder=0)


def _activity_names(src) -> tuple[str, str, str]:
    who = "contributors" if src.kind == "log" and src.contributions_only else "actives"
    return (
        f"daily {who} (DAU, mean)",
        f"weekly {who} (WAU, at the week's end)",
        (f"monthly {who} (MAU, at the week's end)"),
    )


def _activity(report: Report) -> None:
    src, (_, b), (_, d) = report.source, report.this_week, report.last_week
    daily = src.daily
    name = "2. DAU / WAU / MAU and stickiness"
    dau, wau, mau = _activity_names(src)
    kpis = [
        _weekly(report, name, dau, daily, "dau", _mean, "mean"),
        Kpi(name, wau, float(daily.at[b, "wau"]), float(daily.at[d, "wau"])),
        Kpi(name, mau, float(daily.at[b, "mau"]), float(daily.at[d, "mau"])),
        _weekly(report, name, "stickiness (DAU/MAU, mean)", daily, "stickiness", _mean, "share"),
    ]
    if src.kind == "run":
        text = (
            "From the run's daily series: DAU counts the members who visited that day, WAU and "
            "MAU the members active in the last 7 and 30 days, stickiness is DAU/MAU each day."
        )
    elif src.contributions_only:
        text = (
            "The log shows no visits or reactions, only contributions (posts and replies), so "
            "these are **contributors**, not visitors: members who posted or replied that day, "
            "in the 7 days and in the 30 days ending the week's last day. Readers who never "
            "write are invisible; stickiness is daily contributors over monthly contributors."
        )
    else:
        text = (
            "Members with an observed action ("
            + ", ".join(a for a in src.observation.observed if a != "join")
            + ") that day, in the 7 and "
            "the 30 days ending the week's last day; stickiness is DAU/MAU each day."
        )
    report.section(name, kpis, text)
    report.figure("activity", "DAU, WAU, MAU and stickiness", _activity_figure(report))


def _activity_figure(report: Report) -> Figure:
    src = report.source
    start = max(src.first_day, report.end - 7 * CONTEXT_WEEKS + 1)
    daily = src.daily.loc[start : report.end]
    dau, wau, mau = _activity_names(src)
    figure = Figure(figsize=(12, 4), layout="constrained")
    ax = figure.subplots()
    x = src.x(daily.index)
    for column, label, colour in (("dau", dau, "C0"), ("wau", wau, "C1"), ("mau", mau, "C2")):
        ax.plot(x, daily[column], color=colour, lw=1.6, label=label.split(" (")[0])
    ax.set_ylim(bottom=0)
    ax.set_ylabel("members")
    _shade(ax, report)
    twin = ax.twinx()
    twin.grid(False)
    twin.plot(x, 100 * daily["stickiness"], color="C3", ls="--", lw=1.2, label="stickiness (%)")
    twin.set_ylim(bottom=0)
    twin.set_ylabel("stickiness DAU/MAU (%)")
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(
        lines[0] + more[0],
        lines[1] + more[1],
        loc="upper center",
        fontsize="small",
        bbox_to_anchor=(0.5, -0.1 if src.kind == "log" else -0.16),
        ncol=6,
    )
    ax.set_title(f"Activity up to the week's end (at most {CONTEXT_WEEKS} weeks)", loc="left")
    if src.kind == "run":
        ax.set_xlabel("day")
    return figure


def _interaction(report: Report) -> None:
    src = report.source
    daily = src.daily
    name = "3. Interaction rate"
    counts = [
        _weekly(report, name, "threads started", daily, "threads"),
        _weekly(report, name, "replies", daily, "replies"),
    ]
    if src.kind == "run":
        kpis = [
            _weekly(
                report, name, "interaction rate (mean)", daily, "interaction_rate", _mean, "rate"
            ),
            *counts,
            _weekly(report, name, "reactions", daily, "reactions"),
        ]
        text = (
            "The model's interaction rate: replies and reactions per item in the day's feed "
            "(the items published the day before), averaged over the week's days."
        )
    else:
        reacts = "react" in src.observation.observed
        responses = [
            _sum(daily, "replies", *w) + (_sum(daily, "reactions", *w) if reacts else 0)
            for w in (report.this_week, report.last_week)
        ]
        items = [
            _sum(daily, "threads", *w) + _sum(daily, "replies", *w)
            for w in (report.this_week, report.last_week)
        ]
        rate = [r / i if i else None for r, i in zip(responses, items, strict=True)]
        kpis = [Kpi(name, "interaction rate", rate[0], rate[1], "rate"), *counts]
        if reacts:
            kpis.append(_weekly(report, name, "reactions", daily, "reactions"))
        text = (
            "Responses per item written in the week: replies"
            + (" and reactions" if reacts else "")
            + " over threads and replies, the log's nearest to the model's rate (responses per "
            "feed item)."
            + ("" if reacts else " The log does not observe reactions, so they are left out.")
            + (" n/a: no item was written that week." if None in rate else "")
        )
    report.section(name, kpis, text)


def _retention(report: Report) -> None:
    src, end = report.source, report.end
    name = "4. Cohort retention (weekly join cohorts)"
    cohorts = src.cohorts if src.kind == "run" else src.observed.cohorts
    if cohorts is None or cohorts.empty:
        why = (
            "the run folder has no cohorts.parquet"
            if src.kind == "run" and src.cohorts is None
            else "no newcomer joined after the founders"
        )
        report.section(name, [], f"No cohort retention: {why}.")
        return
    cohorts = _with_bounds(cohorts)
    kpis, described = [], []
    for age in (7, 30):
        rows = [_reaching(cohorts, week, age) for week in (report.this_week, report.last_week)]
        values = [None if row is None else float(row[f"retention_{age}"]) for row in rows]
        kpis.append(Kpi(name, f"{age}-day retention, cohort reaching it", *values, "share"))
        for label, row in zip(("this week", "last week"), rows, strict=True):
            who = (
                "no cohort"
                if row is None
                else f"the cohort of {src.span(int(row['start']), int(row['stop']))} "
                f"({int(row['size'])} newcomer{'s' * (int(row['size']) != 1)})"
            )
            described.append(f"{age}-day, {label}: {who}")
    definition = (
        "retention(d): the share of a weekly cohort of newcomers (founders excluded) with an "
        "action in the 7 days ending d days after joining"
        + (
            "; in this log an action is a post or reply"
            if src.kind == "log" and src.contributions_only
            else ""
        )
        + ". Cohorts are 7-day join windows (days 1-7, 8-14, ... of the "
        + ("run" if src.kind == "run" else "log, day 0 being its first day")
        + "); a cell is shown once the window's last day is d days before the week's last day. "
        "The KPI is the cohort that reached that age during the week (n/a: no newcomer joined "
        "in that window)."
    )
    table = _cohort_cells(cohorts, end).tail(CONTEXT_WEEKS)
    report.section(name, kpis, definition, "\n".join(f"- {line}" for line in described))
    if not table.empty:
        shown = table.copy()
        shown.index = [
            src.span(int(f), int(t)) for f, t in zip(shown["start"], shown["stop"], strict=True)
        ]
        report.figure("retention", "Retention by weekly cohort", _retention_figure(shown))
        text = shown[[f"retention_{age}" for age in REPORTED_AGES]].map(
            lambda v: "" if pd.isna(v) else f"{100 * v:.0f}%"
        )
        text.insert(0, "newcomers", shown["size"].astype(int))
        text.index.name = "cohort"
        report.blocks.append(
            Block(
                "table",
                text.rename(
                    columns=lambda c: (
                        c.replace("retention_", "day ") if c.startswith("retention_") else c
                    )
                ),
            )
        )


def _with_bounds(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's 7-day window (``start``..``stop``), from its first join day (cohort k holds
    join days 7k+1..7k+7, ``sim.world.metrics.retention_by_cohort``)."""
    table = cohorts.copy()
    index = (table["first_join_day"].astype(int) - 1) // 7
    table["start"], table["stop"] = 7 * index + 1, 7 * index + 7
    return table


def _reaching(cohorts: pd.DataFrame, week: tuple[int, int], age: int):
    """The cohort whose window's last day is ``age`` days before a day of ``week`` (None: none)."""
    hit = cohorts[(cohorts["stop"] + age >= week[0]) & (cohorts["stop"] + age <= week[1])]
    return None if hit.empty else hit.iloc[-1]


def _cohort_cells(cohorts: pd.DataFrame, end: int) -> pd.DataFrame:
    """The cohorts whose window ended by ``end``, each cell blank until observable at ``end``."""
    table = cohorts[cohorts["stop"] <= end].copy()
    for age in REPORTED_AGES:
        column = f"retention_{age}"
        observable = end - table["stop"] >= age
        table[column] = table[column].astype("Float64").where(observable, pd.NA)
    return table


def _retention_figure(table: pd.DataFrame) -> Figure:
    columns = [f"retention_{age}" for age in REPORTED_AGES]
    values = table[columns].astype(float).to_numpy() * 100
    figure = Figure(figsize=(7.5, 1.6 + 0.38 * len(table)), layout="constrained")
    ax = figure.subplots()
    sns.heatmap(
        pd.DataFrame(values, index=table.index, columns=[f"day {a}" for a in REPORTED_AGES]),
        ax=ax,
        annot=True,
        fmt=".0f",
        vmin=0,
        vmax=100,
        cmap="YlGnBu",
        cbar_kws={"label": "retained (%)"},
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_title("Newcomers retained (%) by join week", loc="left")
    figure.supxlabel("age in days since joining; blank: not yet observable", fontsize="small")
    ax.set_ylabel("cohort (join days)")
    ax.tick_params(axis="y", labelrotation=0)
    return figure


def _churn(report: Report) -> None:
    src, (a, b), (c, d) = report.source, report.this_week, report.last_week
    name = "5. Churn by reason"
    if src.kind == "run":
        reasons = [col for col in src.daily.columns if col.startswith("leaves_")]
        kpis = [
            Kpi(
                name,
                "leaves (all reasons)",
                _sum(src.daily, "leaves", a, b),
                _sum(src.daily, "leaves", c, d),
            )
        ]
        for col in reasons:
            kpis.append(
                Kpi(
                    name,
                    f"left: {col[7:].replace('_', ' ')}",
                    _sum(src.daily, col, a, b),
                    _sum(src.daily, col, c, d),
                )
            )
        report.section(
            name,
            kpis,
            "Members who left, by the reason the model records when a member quits (bored, "
            "overloaded, toxicity, no ties, reward withdrawn, lured away by a competitor).",
        )
        report.figure("churn", "Leaves by reason", _churn_figure(kpis[1:]))
        return
    inactive = _gone_inactive(src)
    weekly = {
        s: int(inactive[(inactive >= s[0]) & (inactive <= s[1])].size) for s in _weeks_back(report)
    }
    report.tables["gone_inactive"] = pd.DataFrame(
        [(a, b, n) for (a, b), n in weekly.items()], columns=["first_day", "last_day", "members"]
    )
    kpis = [
        Kpi(
            name,
            f"members gone inactive ({INACTIVE_DAYS} days silent)",
            weekly[report.this_week],
            weekly[report.last_week],
        )
    ]
    report.section(
        name,
        kpis,
        "An activity log records no reasons for leaving, and no leaving at all: churn by reason "
        "cannot be observed. Shown instead: members **gone inactive**, counted on the day "
        f"their silence reaches {INACTIVE_DAYS} days (their last observed "
        + ("post or reply" if src.contributions_only else "action")
        + f" was {INACTIVE_DAYS} days before, with nothing since). Some come back later; they "
        "count again if they fall silent again.",
    )
    figure = Figure(figsize=(9, 3.5), layout="constrained")
    ax = figure.subplots()
    ax.bar([_week_label(src, s) for s in weekly], list(weekly.values()), color="C3")
    ax.set_title(f"Members gone inactive per week ({INACTIVE_DAYS} days silent)", loc="left")
    ax.tick_params(axis="x", labelrotation=60, labelsize="small")
    report.figure("churn", "Members gone inactive per week", figure)


def _gone_inactive(src: LogInput) -> np.ndarray:
    """The day each silence of ``INACTIVE_DAYS`` days is reached (one entry per silence), up to
    the log's last day."""
    acted = src.events[src.events["action"] != JOIN][["member", "day"]].drop_duplicates()
    acted = acted.sort_values(["member", "day"])
    member, day = acted["member"].to_numpy(), acted["day"].to_numpy()
    same = np.append(member[1:] == member[:-1], False)
    nxt = np.where(same, np.append(day[1:], 0), np.iinfo(np.int64).max)
    gone = day + INACTIVE_DAYS
    silent = (nxt > gone) & (gone <= src.last_day)
    return gone[silent]


def _churn_figure(kpis: list[Kpi]) -> Figure | None:
    if not any(k.this or k.last for k in kpis):
        return None
    figure = Figure(figsize=(9, 0.9 + 0.45 * len(kpis)), layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(kpis))
    ax.barh(y + 0.2, [k.last for k in kpis], height=0.4, color="0.7", label="last week")
    ax.barh(y - 0.2, [k.this for k in kpis], height=0.4, color="C3", label="this week")
    ax.set_yticks(y, [k.name.removeprefix("left: ") for k in kpis])
    ax.invert_yaxis()
    ax.set_xlabel("members who left")
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title("Leaves by reason", loc="left")
    return figure


def _topics(report: Report) -> None:
    src = report.source
    name = "6. Hot topics"
    if src.kind == "run":
        if src.topics is None:
            report.section(
                name,
                [],
                "Not available: this run folder has no topics.parquet (runs written before the "
                "per-topic series existed); run the scenario again to get it.",
            )
            return
        table = _run_topic_table(src.topics, report)
        what = "the model's topics, numbered from 0"
        responses, untagged = "replies and reactions", False
    else:
        events = src.events
        if events["topic"].isna().all():
            report.section(
                name, [], "Not available: the log has no topic column, or no row has a topic."
            )
            return
        table = _topic_table(src, report)
        what = TOPIC_MEANING.get((src.metadata or {}).get("kind"), "the topic column as written")
        reacts = "react" in src.observation.observed
        untagged = reacts and events.loc[events["action"] == REACT, "topic"].isna().all()
        responses = "replies" + (" and reactions" if reacts and not untagged else "")
    report.tables["topics"] = table
    if table.empty:
        report.section(name, [], "No post or reply with a topic in either week.")
        return
    top = table.sort_values(["this week", "last week"], ascending=False).head(TOP_TOPICS)
    risers = table[table["change"] > 0].sort_values("change", ascending=False).head(TOP_TOPICS)
    report.section(
        name,
        [],
        f"By {'the run' if src.kind == 'run' else 'the log'}'s topics ({what}): threads started, "
        f"and responses ({responses}) in the topic; activity is both. Top topics by this week's "
        "activity, then the risers (largest increase on last week)."
        + (
            " The log's reactions carry no topic, so they are not counted here." if untagged else ""
        ),
    )
    report.blocks.append(Block("text", f"**Top {TOP_TOPICS} this week**"))
    report.blocks.append(Block("table", top.reset_index(drop=True)))
    report.blocks.append(Block("text", "**Risers**"))
    if risers.empty:
        report.blocks.append(Block("text", "No topic grew on last week."))
    else:
        report.blocks.append(Block("table", risers.reset_index(drop=True)))
    report.figure("topics", "Hot topics: activity this week and last", _topics_figure(top))


def _run_topic_table(topics: pd.DataFrame, report: Report) -> pd.DataFrame:
    """The run's per-topic daily series summed over this week and last: threads (members' and the
    operator's) and responses (replies by their thread's topic, and reactions)."""
    weeks = {}
    for label, (a, b) in (("this", report.this_week), ("last", report.last_week)):
        week = topics[(topics["day"] >= a) & (topics["day"] <= b)].groupby("topic").sum()
        weeks[label] = pd.DataFrame(
            {
                "threads": week["threads"] + week["operator_posts"],
                "responses": week["replies"] + week["reactions"],
            }
        )
    this, last = weeks["this"], weeks["last"].reindex(weeks["this"].index, fill_value=0)
    table = pd.DataFrame(
        {
            "topic": [f"topic {t}" for t in this.index],
            "threads this week": this["threads"].to_numpy(),
            "responses this week": this["responses"].to_numpy(),
            "this week": (this["threads"] + this["responses"]).to_numpy(),
            "last week": (last["threads"] + last["responses"]).to_numpy(),
        }
    )
    table["change"] = table["this week"] - table["last week"]
    return table[(table["this week"] > 0) | (table["last week"] > 0)].reset_index(drop=True)


def _topic_table(src: LogInput, report: Report) -> pd.DataFrame:
    events = src.events[src.events["topic"].notna()]
    rows = {}
    for label, (a, b) in (("this", report.this_week), ("last", report.last_week)):
        week = events[(events["day"] >= a) & (events["day"] <= b)]
        threads = week[week["action"] == POST].groupby("topic").size()
        responses = week[week["action"].isin([REPLY, REACT])].groupby("topic").size()
        rows[label] = pd.DataFrame({"threads": threads, "responses": responses}).fillna(0)
    topics = rows["this"].index.union(rows["last"].index)
    this = rows["this"].reindex(topics, fill_value=0).astype(int)
    last = rows["last"].reindex(topics, fill_value=0).astype(int)
    table = pd.DataFrame(
        {
            "topic": topics.astype(str),
            "threads this week": this["threads"].to_numpy(),
            "responses this week": this["responses"].to_numpy(),
            "this week": (this["threads"] + this["responses"]).to_numpy(),
            "last week": (last["threads"] + last["responses"]).to_numpy(),
        }
    )
    table["change"] = table["this week"] - table["last week"]
    return table


def _topics_figure(top: pd.DataFrame) -> Figure:
    figure = Figure(figsize=(9, 1.0 + 0.5 * len(top)), layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(top))
    ax.barh(y + 0.2, top["last week"], height=0.4, color="0.7", label="last week")
    ax.barh(y - 0.2, top["this week"], height=0.4, color="C0", label="this week")
    ax.set_yticks(y, [t[:40] for t in top["topic"]])
    ax.invert_yaxis()
    ax.set_xlabel("threads and responses")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.set_title("Top topics this week", loc="left")
    return figure


def hours_table(src: LogInput, first: int, last: int) -> pd.DataFrame:
    """Observed actions other than joins per weekday (rows, Mon..Sun) and hour (columns, 0..23,
    UTC) on days ``first``..``last``."""
    events = src.events
    week = events[(events["day"] >= first) & (events["day"] <= last) & (events["action"] != JOIN)]
    counts = np.zeros((7, 24), np.int64)
    np.add.at(counts, (week["weekday"].to_numpy(), week["hour"].to_numpy()), 1)
    return pd.DataFrame(counts, index=list(WEEKDAYS), columns=range(24))


def _hours(report: Report) -> None:
    src = report.source
    name = "7. Active hours (UTC)"
    if src.kind == "run":
        if src.hours is None:
            report.section(
                name,
                [],
                "Not available: this run had no active hours (the scenario's `hours` section, "
                "sim.world.hours; without it one step is one day). A run's exported log "
                "(`commsim export-log`) then has dates only, no hours either.",
            )
            return
        _draw_hours(
            report,
            name,
            run_hours_table(src.hours, *report.this_week),
            run_hours_table(src.hours, *report.last_week),
            "visits",
            "Each member's visit counted in its hour and weekday, as the run drew it from its "
            "segment's activity profile (sim.world.hours; the model's hours, one time zone).",
        )
        return
    if not src.timed:
        report.section(
            name,
            [],
            "Not available: every timestamp in this log is at midnight (the log gives dates, not "
            "times of day), so its hours cannot be told.",
        )
        return
    _draw_hours(
        report,
        name,
        hours_table(src, *report.this_week),
        hours_table(src, *report.last_week),
        "actions",
        "Each observed action but joins counted in its hour and weekday, in UTC (the log's "
        "timestamps, converted to UTC when they carry a zone)."
        + (
            ""
            if src.metadata
            else " If this log was written by `commsim export-log`, it has no real time of day: "
            "its rows are spread evenly over each day."
        ),
    )


def run_hours_table(hours: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """A run's visits (``hours.parquet``) per weekday (rows, Mon..Sun) and hour (columns, 0..23)
    on days ``first`` to ``last``."""
    week = hours[(hours["day"] >= first) & (hours["day"] <= last)]
    counts = np.zeros((7, 24), np.int64)
    weekday = week["weekday"].map({name: i for i, name in enumerate(WEEKDAYS)}).to_numpy()
    np.add.at(
        counts,
        (weekday.astype(np.int64), week["hour"].to_numpy().astype(np.int64)),
        week["visits"].to_numpy(),
    )
    return pd.DataFrame(counts, index=list(WEEKDAYS), columns=range(24))


def _draw_hours(report: Report, name: str, this, last, what: str, text: str) -> None:
    """The active-hours section from this week's and last week's weekday x hour tables."""
    report.tables["hours"] = this
    label = "actions (all but joins)" if what == "actions" else what
    kpis = [Kpi(name, label, float(this.to_numpy().sum()), float(last.to_numpy().sum()))]
    peaks = []
    for label, table in (("this week", this), ("last week", last)):
        if table.to_numpy().sum():
            hour = int(table.sum(axis=0).idxmax())
            day = str(table.sum(axis=1).idxmax())
            peaks.append(f"{label}: busiest hour {hour:02d}:00-{hour:02d}:59, busiest day {day}")
    report.section(name, kpis, text, "; ".join(peaks))
    figure = Figure(figsize=(13, 6), layout="constrained")
    axes = figure.subplots(2, 1, sharex=True)
    top = max(int(this.to_numpy().max()), int(last.to_numpy().max()), 1)
    for ax, (label, table) in zip(axes, (("this week", this), ("last week", last)), strict=True):
        sns.heatmap(
            table,
            ax=ax,
            vmin=0,
            vmax=top,
            cmap=_heat_cmap(),
            linewidths=0.3,
            linecolor="white",
            cbar_kws={"label": what},
        )
        ax.set_title(f"{label} ({int(table.to_numpy().sum()):,} {what})", loc="left")
        ax.tick_params(axis="y", labelrotation=0)
    zone = "UTC" if what == "actions" else "the model's hours"
    axes[-1].set_xlabel(f"hour of day ({zone})")
    report.figure("hours", f"Active hours: {what} by hour and weekday ({zone})", figure)


def _heat_cmap() -> ListedColormap:
    colours = sns.color_palette("rocket_r", 256)
    colours[0] = (0.97, 0.97, 0.97)  # zero stays pale grey, not the palette's lightest
    return ListedColormap(colours)


def _contributors(report: Report) -> None:
    src, end = report.source, report.end
    name = "8. Top contributors by role"
    role_text = (
        f"Roles by posts and replies in about the last {ROLE_DAYS} days, with the model's "
        f"bounds: lurker under {ROLE_BOUNDS[0]:g}, occasional {ROLE_BOUNDS[0]:g} to "
        f"{ROLE_BOUNDS[1]:g}, regular {ROLE_BOUNDS[1]:g} to {ROLE_BOUNDS[2]:g}, core "
        f"{ROLE_BOUNDS[2]:g} or more."
    )
    if src.kind == "run":
        daily = src.daily
        kpis = [
            Kpi(
                name,
                f"{role} at the week's end",
                float(daily.at[end, role]),
                float(daily.at[end - 7, role]),
            )
            for role in ROLES
            if role in daily.columns
        ]
        report.section(
            name,
            kpis,
            role_text + " A run folder has no per-member activity, so there is no list of top "
            "contributors: export the run's activity log with `commsim export-log` and report "
            "on that for one.",
        )
        if src.segments is not None:
            table = segment_table(src.segments, report.this_week, report.last_week, src.summary)
            report.tables["segments"] = table
            report.blocks.append(
                Block(
                    "text",
                    "**By role, segment and value tier** (segments.parquet; roles here include "
                    "newcomers, joined under 30 days ago; value tiers rank contributors by "
                    "messages written plus replies drawn per 30 days of membership, top 20% "
                    "high; retention(30): of the group's members on days 30, 60, ..., the share "
                    "active 30 days later, over the whole run)",
                )
            )
            report.blocks.append(Block("table", table))
        return
    events = src.events
    posts = events[events["action"].isin([POST, REPLY])]
    kpis = []
    counts = {}
    for label, when in (("this", end), ("last", end - 7)):
        present = events.loc[events["day"] <= when, "member"].unique()
        window = posts[(posts["day"] > when - ROLE_DAYS) & (posts["day"] <= when)]
        recent = window.groupby("member").size().reindex(present, fill_value=0)
        counts[label] = _roles(recent.to_numpy())
        if label == "this":
            recent_this = recent
    for role in ROLES:
        kpis.append(
            Kpi(
                name,
                f"{role} at the week's end",
                float(counts["this"][role]),
                float(counts["last"][role]),
            )
        )
    a, b = report.this_week
    week = posts[(posts["day"] >= a) & (posts["day"] <= b)].groupby("member").size()
    top = week.sort_values(ascending=False, kind="stable").head(TOP_MEMBERS)
    table = pd.DataFrame(
        {
            "member": [str(src.members[m]) for m in top.index],
            "posts and replies this week": top.to_numpy(),
            f"in the last {ROLE_DAYS} days": recent_this.reindex(top.index).to_numpy(),
            "role": [ROLE_NAMES[_role(v)] for v in recent_this.reindex(top.index).to_numpy()],
        }
    )
    report.tables["top_contributors"] = table
    lurker = (
        " In this log members appear with their first post, so a lurker is a past contributor "
        f"silent for {ROLE_DAYS} days."
        if src.contributions_only
        else ""
    )
    report.section(name, kpis, role_text + " Members: everyone seen by that day." + lurker)
    report.blocks.append(Block("text", f"**Top {TOP_MEMBERS} posters this week**"))
    if table.empty:
        report.blocks.append(Block("text", "Nobody posted or replied this week."))
    else:
        report.blocks.append(Block("table", table))


def segment_table(
    groups: pd.DataFrame, this: tuple[int, int], last: tuple[int, int], summary: dict | None
) -> pd.DataFrame:
    """Per role, segment and value tier: the members at the end of this week and last, the mean
    daily visitors and the posts (threads and replies) of each week, and the run's retention(30)
    of the group (``summary.json``'s ``segments``) when there."""
    retention = (summary or {}).get("segments") or {}

    def week(span: tuple[int, int]) -> pd.DataFrame:
        rows = groups[(groups["day"] >= span[0]) & (groups["day"] <= span[1])]
        ended = rows[rows["day"] == rows["day"].max()].set_index(["group_by", "group"])
        by = rows.assign(posts=rows["threads"] + rows["replies"]).groupby(
            ["group_by", "group"], sort=False
        )
        return pd.DataFrame(
            {"members": ended["members"], "active": by["active"].mean(), "posts": by["posts"].sum()}
        )

    now, before = week(this), week(last)
    keys = groups.drop_duplicates(["group_by", "group"])[["group_by", "group"]]
    index = pd.MultiIndex.from_frame(keys)
    table = pd.DataFrame(
        {
            "by": keys["group_by"].to_numpy(),
            "group": keys["group"].to_numpy(),
            "members": now["members"].reindex(index).to_numpy(),
            "members last week": before["members"].reindex(index).to_numpy(),
            "daily actives": now["active"].reindex(index).round(1).to_numpy(),
            "posts this week": now["posts"].reindex(index).to_numpy(),
            "posts last week": before["posts"].reindex(index).to_numpy(),
            "retention(30)": [
                _percent(((retention.get(by) or {}).get(group) or {}).get("retention_30"))
                for by, group in zip(keys["group_by"], keys["group"], strict=True)
            ],
        }
    )
    return table


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}%"


def _role(posts: float) -> str:
    return ROLES[int(np.searchsorted(ROLE_BOUNDS, posts, side="right"))]


def _roles(recent: np.ndarray) -> dict[str, int]:
    index = np.searchsorted(ROLE_BOUNDS, recent, side="right")
    found = np.bincount(index, minlength=len(ROLES))
    return dict(zip(ROLES, found.tolist(), strict=True))


def _operator(report: Report) -> None:
    src, (a, b), (c, d) = report.source, report.this_week, report.last_week
    name = "9. Operator spend and hours against budget"
    if src.kind == "log":
        report.section(
            name,
            [],
            "Not applicable: an activity log records what members did, not "
            "what the community team spent or worked.",
        )
        return
    daily = src.daily
    if src.summary is None:
        report.section(
            name,
            [],
            "Not available: the run folder has no summary.json, so the "
            "scenario's strategy (budget, staff hours) is not recorded.",
        )
        return
    strategy = src.strategy
    if strategy is None:
        report.section(
            name,
            [],
            "No operator: this run's scenario has no strategy, so nothing "
            "was spent and no staff hours were used.",
        )
        return
    hours_a_day = staff_hours_a_day(strategy)
    capacity = 7 * hours_a_day
    budget = float(strategy["budget"])
    days = int(((src.summary.get("scenario") or {}).get("run") or {}).get("days", src.last_day))
    spent = daily["money_spent"].cumsum()
    kpis = [
        _weekly(report, name, "money spent", daily, "money_spent", kind="money"),
        _weekly(
            report,
            name,
            "money short (asked, not in the budget)",
            daily,
            "money_short",
            kind="money",
        ),
        Kpi(name, "money spent so far", float(spent.at[b]), float(spent.at[d]), "money", False),
        Kpi(
            name,
            "budget used so far",
            float(spent.at[b]) / budget if budget else None,
            float(spent.at[d]) / budget if budget else None,
            "share",
            False,
        ),
        _weekly(report, name, "staff hours used", daily, "hours_used", kind="hours"),
        _weekly(report, name, "staff hours short", daily, "hours_short", kind="hours"),
        Kpi(
            name,
            "staff hours used (share of the week's hours)",
            _sum(daily, "hours_used", a, b) / capacity if capacity else None,
            _sum(daily, "hours_used", c, d) / capacity if capacity else None,
            "share",
        ),
    ]
    pace = b / days if days else None
    report.section(
        name,
        kpis,
        f"The strategy's budget is {budget:,.0f} for the whole run of {days} days and its "
        f"staff have {hours_a_day:g} hours a day ({capacity:g} a week). "
        + (f"By the week's end {100 * pace:.0f}% of the run has passed. " if pace else "")
        + "Short: what the levers asked for that the budget or the day's hours did not cover.",
    )
    report.figure(
        "operator",
        "Spend against budget, staff hours against capacity",
        _operator_figure(report, budget, days, capacity),
    )


def staff_hours_a_day(strategy: dict) -> float:
    """The staff hours a strategy has each day: its team's roles' hours when it has a team (the
    single pool's ``hours_per_day`` is then unused), else the pool's."""
    team = strategy.get("team")
    if team:
        return float(sum(role["hours_per_day"] for role in team.values() if isinstance(role, dict)))
    return float(strategy["hours_per_day"])


def _operator_figure(report: Report, budget: float, days: int, capacity: float) -> Figure:
    src = report.source
    daily = src.daily.loc[: report.end]
    figure = Figure(figsize=(12, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    left.plot(daily.index, daily["money_spent"].cumsum(), color="C0", lw=1.8, label="spent")
    left.axhline(budget, color="C3", ls=":", lw=1.4, label="budget (whole run)")
    if days:
        left.plot([0, days], [0, budget], color="0.5", ls="--", lw=1, label="even pace")
        left.set_xlim(0, max(report.end, 1) + 1)
    left.set_ylim(bottom=0)
    left.set_title("Money spent (cumulative)", loc="left")
    _shade(left, report)
    left.legend(loc="upper left", fontsize="small")
    spans = _weeks_back(report)
    labels = [_week_label(src, s) for s in spans]
    used = [_sum(daily, "hours_used", *s) for s in spans]
    short = [_sum(daily, "hours_short", *s) for s in spans]
    right.bar(labels, used, color="C0", label="used")
    right.bar(labels, short, bottom=used, color="C1", label="short")
    right.axhline(capacity, color="C3", ls=":", lw=1.4, label="hours available")
    right.set_title("Staff hours per week", loc="left")
    right.tick_params(axis="x", labelrotation=60, labelsize="small")
    right.legend(loc="upper left", fontsize="small")
    return figure


def _changes(report: Report) -> None:
    ranked = [k for k in report.kpis if k.rank and relative(k) not in (None, 0)]
    ranked.sort(key=lambda k: abs(relative(k)), reverse=True)
    shown, said = [], set()
    for k in ranked:  # one sentence per change: "leaves" and "left: bored" may be the same one
        if (k.section, k.this, k.last) not in said:
            said.add((k.section, k.this, k.last))
            shown.append(k)
    lines = []
    for k in shown[:CHANGES]:
        direction = "rose" if k.change > 0 else "fell"
        rel = relative(k)
        how = fmt(k.change, k.kind, signed=True)
        if math.isfinite(rel) and k.kind != "share":
            how = f"{100 * rel:+.0f}%"
        elif k.kind == "share" and math.isfinite(rel):
            how += f", {100 * rel:+.0f}%"
        lines.append(
            f"- {k.name[0].upper()}{k.name[1:]} {direction} from {fmt(k.last, k.kind)} to "
            f"{fmt(k.this, k.kind)} ({how}; section {k.section})."
        )
    report.blocks.append(Block("heading", "10. What changed since last week"))
    report.blocks.append(
        Block(
            "text",
            f"The {CHANGES} largest relative changes among the KPIs above (a KPI that was 0 last "
            "week and is not now ranks first):",
        )
    )
    report.blocks.append(Block("text", "\n".join(lines) if lines else "- Nothing changed."))
