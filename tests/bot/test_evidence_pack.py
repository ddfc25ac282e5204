"""The evidence pack: `/remote-win export` uploads the one-pager and the CSV to the member's DM, the final
check-in carries them, `remote-wins export` prints them; the CSV round-trips every win (spreadsheet
formulas neutralised), and the page renders on one A4 and one Letter page in headless Chromium."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import itertools
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services
from rules.evidence import neutralize
from rules.wins import WinDraft
from storage.wins import add_win
from tests.fake_slack import FakeSlack
from tests.jobs.test_tick import cli_env
from tests.jobs.test_trial_simulation import Simulation, at
from tests.remote_wins.test_cli import remote_wins
from tests.support import SlackRequests, visible_text, wait_until

START = date(2026, 3, 2)
TRICKY = [
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "\tTAB first",
    'Ünïcödé wins 🚀, with commas, "quotes" and\nnew lines\r\nof every kind',
    "plain, ordinary; text",
    "a very long win " * 40,
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def finished(services: Services, slack: SlackRequests, fake_slack: FakeSlack) -> Simulation:
    """A 30-day trial run to its end: three check-ins answered, the baseline weeks behind it, tricky wins."""
    sim = Simulation(services, slack, fake_slack)
    sim.setup()
    sim.decisions = {10: "continue", 20: "adjust", 30: "talk"}
    sim.clock.now = at(START, 8)
    sim.command("trial start 2026-03-02 30 days checkins 10,20")
    day = START
    while day <= date(2026, 4, 2):
        if day < START + timedelta(days=30):
            sim.write_day(
                day, "remote" if day.weekday() in (1, 2, 3) else "office" if day.weekday() < 5 else "off"
            )
        if day == date(2026, 3, 20):
            with services.writing(), services.sessions.begin() as session:
                for n, text in enumerate(TRICKY):
                    draft = WinDraft(
                        text,
                        day,
                        category="shipped",
                        metric_name="=cells" if n == 0 else None,
                        metric_value=-3.0 if n == 0 else None,
                        link='https://example.com/a,b?c="d"' if n == 1 else None,
                        day_kind="remote",
                    )
                    add_win(session, sim.member, draft, source="command", source_ref=None, now=at(day, 11))
                add_win(
                    session,
                    sim.member,
                    WinDraft("secret win", day, private=True),
                    source="command",
                    source_ref=None,
                    now=at(day, 11),
                )
        sim.run_until(at(day, 23, 59))
        day += timedelta(days=1)
    return sim


def files_in(fake: FakeSlack, thread_ts: str) -> dict[str, bytes]:
    return {f["name"]: fake.uploads[f["id"]] for f in fake.files.values() if f.get("thread_ts") == thread_ts}


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_round_trips(data: bytes) -> None:
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    found = {row["text"]: row for row in rows(data)}
    for text in TRICKY:
        assert neutralize(text) in found, text
    assert found["'=1+1"]["metric_name"] == "'=cells" and found["'=1+1"]["metric_value"] == "-3"
    assert found["'+SUM(A1:A2)"]["link"] == 'https://example.com/a,b?c="d"'
    assert "secret win" not in found  # private wins are never in the pack
    assert not any(cell.startswith(("=", "+", "@", "\t")) for row in rows(data) for cell in row.values())


def test_export_in_slack_uploads_the_page_and_the_csv_to_the_dm(
    finished: Simulation, fake_slack: FakeSlack
) -> None:
    finished.clock.now = at(date(2026, 4, 3), 10)
    answer = finished.command("export")
    assert "evidence pack" in answer
    intro = wait_until(
        lambda: [
            m
            for m in fake_slack.messages
            if m.channel == "DA" and "Your evidence pack, 2 Mar – 31 Mar 2026" in visible_text(m)
        ],
        what="the pack's message",
    )[0]
    # Without a range, everything remote-wins keeps about the member comes too, as JSON (bot/privacy.py).
    uploaded = wait_until(
        lambda: files_in(fake_slack, intro.ts) if len(files_in(fake_slack, intro.ts)) == 3 else None,
        what="the three files",
    )
    assert "remote-wins-data-UA-2026-04-03.json" in uploaded
    page = uploaded["remote-work-evidence-2026-03-02-to-2026-03-31.html"].decode()
    assert_round_trips(uploaded["remote-work-evidence-2026-03-02-to-2026-03-31.csv"])
    assert_self_contained(page)
    assert "Remote-work trial from Mon 2 Mar 2026, 30 days" in page and "proposed to mia, who" in page
    assert (
        "Let&#x27;s talk" in page
        and "Keep Thursdays &lt;free&gt; of meetings &amp; &quot;focus&quot;" in page
    )
    assert "Before the trial (6 office-only weeks" in page
    # The final check-in carried the same pack, in its thread.
    final = finished.arrivals[("member", 30)][1]
    assert set(files_in(fake_slack, final.ts)) == {
        "remote-work-evidence-2026-03-02-to-2026-03-31.html",
        "remote-work-evidence-2026-03-02-to-2026-03-31.csv",
        "remote-day-wins-trial-day-30.png",
    }
    ranged = finished.command("export 2026-03-16..2026-03-22")
    assert "(16 Mar – 22 Mar 2026) is in your DM" in ranged


def assert_self_contained(page: str) -> None:
    """Nothing is fetched: no external script, style, font or image; the chart is an inlined PNG."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.I)
    assert "@import" not in page and "url(" not in page and "<script" not in page.lower()
    (png,) = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert base64.b64decode(png).startswith(b"\x89PNG\r\n\x1a\n")


def test_remote_wins_export_prints_each_format(
    finished: Simulation, fake_slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    env = cli_env(fake_slack, database_url)
    at_arg = ["--at", "2026-04-03T10:00:00+02:00"]
    calls = len(fake_slack.calls)
    run = remote_wins("export", "--user", "UA", "--format", "csv", *at_arg, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.lstrip("\ufeff").startswith("id,date,day_kind,category,text")
    data = tmp_path / "out.csv"
    run_file = remote_wins(
        "export", "--user", "UA", "--format", "csv", "--output", str(data), *at_arg, cwd=tmp_path, env=env
    )
    assert run_file.returncode == 0 and "wrote" in run_file.stderr
    assert_round_trips(data.read_bytes())
    md = remote_wins(
        "export",
        "--user",
        "UA",
        "--format",
        "md",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-08",
        *at_arg,
        cwd=tmp_path,
        env=env,
    )
    assert md.returncode == 0 and md.stdout.startswith("# Remote-work evidence: ana")
    page = remote_wins("export", "--user", "UA", *at_arg, cwd=tmp_path, env=env)
    assert page.returncode == 0 and page.stdout.startswith("<!DOCTYPE html>")
    bad = remote_wins("export", "--user", "UA", "--from", "2026-03-09", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "both --from and --to" in bad.stderr
    nobody = remote_wins("export", "--user", "UZ", cwd=tmp_path, env=env)
    assert nobody.returncode == 2 and "UZ has never used remote-wins" in nobody.stderr
    assert len(fake_slack.calls) == calls  # Slack is never called


# -- in a real browser -------------------------------------------------------------------------------------


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="no Chromium on this machine (`apt-get install chromium`; `make test` installs it where it can)",
)
def test_the_page_prints_on_one_a4_and_one_letter_page_in_chromium(
    finished: Simulation, tmp_path: Path
) -> None:
    assert CHROMIUM is not None, "CI must have Chromium: `make test` installs it"
    from bot.evidence import chart_png, gather, html_page

    with finished.services.sessions() as session:
        evidence = gather(session, finished.member.id, None, None, at(date(2026, 4, 3), 10))
    pages = {
        "pack": html_page(evidence, chart_png(evidence)),
        "fullest": html_page(fullest(evidence), chart_png(evidence)),
    }
    for (name, page), paper in itertools.product(pages.items(), ("A4", "letter")):
        source = tmp_path / f"{name}-{paper}.html"
        source.write_text(page.replace("@page {", f"@page {{ size: {paper};"), encoding="utf-8")
        pdf = tmp_path / f"{name}-{paper}.pdf"
        chromium(tmp_path / "chromium", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", source.as_uri())
        assert pdf_pages(pdf.read_bytes()) == 1, f"the {name} page takes more than one {paper} page"
    shot = tmp_path / "evidence-pack.png"
    chromium(
        tmp_path / "chromium",
        f"--screenshot={shot}",
        "--window-size=794,1123",
        (tmp_path / "pack-A4.html").as_uri(),
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
    keep = os.environ.get("REMOTE_WINS_ARTIFACTS")
    if keep:  # CI keeps the screenshot as an artifact; the README's is made this way
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "evidence-pack.png")


def fullest(evidence: Any) -> Any:
    """The most a page can hold: the most best wins, each as long as shown, in every category; twelve
    check-ins answered with the longest notes; five metrics; the longest name and arrangement."""
    from rules.evidence import BEST_IN_ALL
    from rules.metrics import MetricDef
    from rules.trial import MAX_CHECKINS, MAX_REACH
    from rules.wins import CATEGORIES, SavedWin

    wins = [
        SavedWin(
            n,
            1,
            "W" * 3000,
            date(2026, 3, 2),
            CATEGORIES[n % len(CATEGORIES)],
            "m" * 80,
            1e14,
            None,
            "remote",
            False,
            "command",
        )
        for n in range(BEST_IN_ALL)
    ]
    best: dict[str, list[Any]] = {}
    for win in wins:
        best.setdefault(win.category, []).append(win)
    trial = evidence.trial
    checkins = tuple(
        dataclasses.replace(
            trial.checkins[0], day=n + 1, decision="adjust", note="N " * 1000, manager_user_id="U" + "X" * 30
        )
        for n in range(MAX_CHECKINS)
    )
    metrics = tuple(
        MetricDef(f"{'metric name ' * 6}{n}", "unit" * 6, "lower", 1e14, "week") for n in range(5)
    )
    plan = dataclasses.replace(
        trial.plan,
        metrics=metrics,
        arrangement=dataclasses.replace(
            trial.plan.arrangement, reach_via="R" * MAX_REACH, remote_days=frozenset(range(7))
        ),
    )
    figures = dataclasses.replace(
        evidence.figures,
        metrics=tuple(dataclasses.replace(evidence.figures.metrics[0], metric=m) for m in metrics),
    )
    return dataclasses.replace(
        evidence,
        name="N" * 200,
        best=best,
        plan=plan,
        trial=dataclasses.replace(trial, plan=plan, checkins=checkins),
        figures=figures,
    )


def chromium(profile: Path, *args: str) -> None:
    """Each run on a profile of its own: Chromium locks its profile, so runs at once on the default one
    (~/.config/chromium: another run's, on a shared machine) could collide."""
    command = [
        CHROMIUM or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
