"""`remote-wins sandbox`: the whole bot in a terminal, run as a newcomer would run it.

The sandbox is the real app against the workspace simulator, so these tests drive it as a person does:
a week in a script (`--script`), and the interactive prompt through a pseudo-terminal, reached the way
the README's first command reaches it (`remote-wins run` with no Slack settings). They read what the
person would read, and nothing else: no database, no app internals.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pexpect
import pytest
import yaml
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from remote_wins.sandbox.runtime import SCOPES, default_start, due_columns
from remote_wins.sandbox.terminal import SandboxCompleter
from remote_wins.simulator import forms
from remote_wins.simulator.fake_slack import FakeSlack
from remote_wins.simulator.render import mrkdwn
from tests.remote_wins.test_cli import remote_wins

ROOT = Path(__file__).resolve().parents[2]
MONDAY = "2026-11-09T08:45:00+01:00"  # 08:45 in Berlin: Ana's morning prompt is at 09:00

# A week as two members and their manager live it: wins from a slash command and a DM, a morning plan, an
# end-of-day sign-off with two of three items ticked in the message, then Friday's digest and Ana's recap.
WEEK = """\
# Monday 08:45 in Berlin. Ana logs a win the way Slack people do.
/remote-win shipped the Q3 report
clock 09:00
# her morning prompt: write today's plan
1
write the deck \\n review PRs \\n update the roadmap



as priya
dm found the double-counted signups
as ana
clock 17:00
# the end-of-day prompt: tick two items in the message, then sign off (her metrics left empty)
1 1,2
2









as maya
clock fri 16:00
as ana
"""


def transcript(tmp_path: Path, script: str, *args: str) -> str:
    path = tmp_path / "script.txt"
    path.write_text(script)
    run = remote_wins(
        "sandbox", "--script", str(path), "--db", str(tmp_path / "sandbox.db"), *args, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    return flat(run.stdout)


def flat(text: str) -> str:
    """The transcript as one line of words: panel borders gone, wrapped lines joined, spaces single."""
    lines = [line.strip().removeprefix("│").removesuffix("│") for line in text.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines))


def after(text: str, marker: str) -> str:
    assert marker in text, f"{marker!r} not in the transcript"
    return text[text.index(marker) :]


def before(text: str, marker: str) -> str:
    assert marker in text, f"{marker!r} not in the transcript"
    return text[: text.index(marker)]


def test_a_week_in_the_sandbox_from_a_script(tmp_path: Path) -> None:
    out = transcript(tmp_path, WEEK, "--start", MONDAY)

    assert "It is Mon 09 Nov 2026 08:45 for ana (Europe/Berlin)" in out
    assert "four weeks of history" in out
    # Two members log wins: Ana with the slash command (an ephemeral answer), Priya in a DM (answered there).
    logged = before(after(out, "› /remote-win shipped the Q3 report"), "› clock 09:00")
    assert "only visible to you, in #team" in logged
    assert "Saved for today" in logged
    dm = before(after(out, "› dm found the double-counted signups"), "› as ana")
    assert (
        "DM with remote-wins" in dm and "Saved for today" in dm and "found the double-counted signups" in dm
    )
    # The morning prompt comes at 09:00 her time; the plan she writes is posted to #team.
    morning = before(after(out, "› clock 09:00"), "› as priya")
    assert "Mon 09:00 morning prompt → ana" in morning
    assert "What's the plan?" in morning
    assert "@ana is working remotely today, Monday 9 November" in morning
    assert "• write the deck" in morning and "• update the roadmap" in morning
    assert "Your plan for Monday 9 November is posted to #team" in morning
    # The end-of-day prompt: two of three ticked in the message arrive ticked in the sign-off form.
    evening = before(after(out, "› clock 17:00"), "› as maya")
    assert "Mon 17:00 end-of-day prompt → ana" in evening
    assert "What got done? [write the deck, review PRs]" in evening
    assert "signed off at 17:00, Monday 9 November" in evening
    assert "Done 2 of 3 planned" in evening
    assert "in the thread of “@ana is working remotely today”" in evening
    # Friday 16:00 in New York: every prompt on the way, the recaps an hour or more before, then the digest.
    friday = before(after(out, "› clock fri 16:00"), "› as ana")
    assert "Fri 16:00 weekly digest → maya" in friday
    assert "Fri 12:00 weekly recap → ana" in friday  # 18:00 in Berlin, within her working hours
    assert "weekly recap → priya" in friday
    assert "(missed)" not in out  # every tick on the way ran on time
    assert "Remote day wins · 6 Nov – 13 Nov 2026" in friday
    assert "4 reports" in friday
    assert "shipped the Q3 report" in friday and "found the double-counted signups" in friday
    assert "[1 Acknowledge]" in friday
    assert "📎 Wins logged per day, remote vs office" in friday  # the chart, in the digest's thread
    # Ana's recap, before the digest, with her own buttons.
    recap = after(after(out, "› clock fri 16:00"), "› as ana You are ana")
    assert "Your week, as @maya will see it in their digest" in recap
    assert "Mark a win private" in recap and "Add a forgotten win" in recap
    # Slack refused nothing the app sent, and took every ack.
    assert "⚠" not in out


def test_the_interactive_sandbox_is_what_make_run_opens_without_slack_settings(tmp_path: Path) -> None:
    """A fresh folder, no .env, no SLACK_BOT_TOKEN: `remote-wins run` (make run) lands in the sandbox; one
    command and one button press go through the pseudo-terminal."""
    env = {k: os.environ[k] for k in ("PATH", "TMPDIR") if k in os.environ}
    env |= {"HOME": str(tmp_path), "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "remote_wins.cli", "run"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 140),
    )
    try:
        child.expect("SLACK_BOT_TOKEN is not set, so this is the sandbox")
        child.expect("remote-wins sandbox")
        child.expect("ana · ")
        child.expect("›")
        child.send("/remote-win shipped the Q3 report\r")  # Enter is a carriage return on a terminal
        child.expect("Saved for")
        child.expect(r"\[1 Undo\]")
        child.expect("›")
        child.send("1\r")
        child.expect("Removed win #")
        child.expect("shipped the Q3 report")
        child.expect("›")
        child.send("quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert (tmp_path / "sandbox.db").exists()


def test_a_sandbox_started_again_keeps_its_time_and_its_data(tmp_path: Path) -> None:
    first = transcript(tmp_path, "clock +1h\n/remote-win list\n", "--start", MONDAY)
    assert "four weeks of history" in first
    again = transcript(tmp_path, "/remote-win list\n", "--start", "2030-01-01T00:00:00Z")
    assert "It is Mon 09 Nov 2026 09:45 for ana" in again  # not --start: that is for a new sandbox
    assert "four weeks of history" not in again


def test_the_clock_only_moves_forward_and_says_what_it_understood(tmp_path: Path) -> None:
    script = "clock 2026-11-01 09:00\nclock +0h\nclock someday\nclock wed 12:00\n"
    out = transcript(tmp_path, script, "--start", MONDAY)
    assert "the clock only moves forward" in out
    assert "“clock someday”: say +2h" in out
    assert "Mon 09 Nov 08:45 → Wed 11 Nov 12:00" in out
    assert "Wed 09:00 morning prompt → ana" in out


def test_a_new_sandbox_starts_on_friday_morning_before_anas_prompt() -> None:
    start = default_start(datetime(2026, 11, 28, 6, 0, tzinfo=UTC))  # a Saturday
    assert start == datetime(2026, 11, 27, 7, 45, tzinfo=UTC)  # Friday 08:45 in Berlin


def test_time_stops_wherever_the_clock_has_work_due() -> None:
    """The sandbox skips quiet minutes: it must know every column where the tick finds work that falls due."""
    found = {f"{c.table.name}.{c.name}" for c in due_columns()}
    assert {"prompt_slots.due_at", "plans.held_until"} <= found
    assert "plans.created_at" not in found and "prompt_slots.local_date" not in found


def test_the_simulator_grants_exactly_the_manifests_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES


def test_the_app_knows_nothing_of_the_sandbox() -> None:
    """Only configuration differs: no module of the app imports the simulator or the sandbox."""
    for package in ("bot", "jobs", "storage", "rules"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                for name in names:
                    assert not name.startswith(("remote_wins.sandbox", "remote_wins.simulator", "tests")), (
                        f"{path.relative_to(ROOT)} imports {name}"
                    )


class Names:
    def user_name(self, user_id: str) -> str:
        return {"UANA": "ana"}.get(user_id, user_id)

    def channel_name(self, channel_id: str) -> str:
        return {"CTEAM": "team"}.get(channel_id, channel_id)

    def user_id(self, name: str) -> str | None:
        return {"ana": "UANA"}.get(name)

    def channel_id(self, name: str) -> str | None:
        return {"team": "CTEAM"}.get(name)


def test_mrkdwn_reads_as_slack_shows_it() -> None:
    text = mrkdwn("*<@UANA> shipped* in <#CTEAM>: &lt;b&gt; &amp; <https://x.test|the doc> :tada:", Names())
    assert text.plain == "@ana shipped in #team: <b> & the doc (https://x.test) 🎉"


@pytest.mark.parametrize(
    ("element", "typed", "problem"),
    [
        ({"type": "plain_text_input", "max_length": 5}, "too long", "Keep it to 5 characters"),
        ({"type": "plain_text_input"}, "one \\n two", "This field takes one line."),
        ({"type": "number_input", "is_decimal_allowed": False}, "2.5", "Enter a whole number."),
        ({"type": "number_input", "is_decimal_allowed": True, "min_value": "1"}, "0", "at least 1"),
        ({"type": "url_text_input"}, "example.com", "Enter a valid URL"),
        ({"type": "datepicker"}, "31/12/2026", "YYYY-MM-DD"),
        ({"type": "timepicker"}, "25:00", "HH:MM"),
        (
            {
                "type": "static_select",
                "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}],
            },
            "3",
            "not one of",
        ),
        ({"type": "multi_users_select", "max_selected_items": 1}, "@ana, @ana", "Choose one person"),
        ({"type": "conversations_select"}, "#random", "no channel"),
    ],
)
def test_a_field_refuses_what_slacks_client_refuses(element: dict, typed: str, problem: str) -> None:
    field = forms.Field(1, "b", "value", "Label", element | {"action_id": "value"}, True, "")
    with pytest.raises(forms.FieldError, match=problem):
        forms.answer(field, typed, Names())


def test_a_required_field_left_empty_is_refused_and_a_filled_one_is_sent_as_slack_sends_it() -> None:
    required = forms.Field(
        1, "text", "value", "Text", {"type": "plain_text_input", "multiline": True}, False, ""
    )
    with pytest.raises(forms.FieldError, match="required"):
        forms.answer(required, "  ", Names())
    assert forms.answer(required, "one \\n two", Names()) == {"type": "plain_text_input", "value": "one\ntwo"}
    people = forms.Field(2, "manager", "value", "Manager", {"type": "multi_users_select"}, True, "")
    assert forms.answer(people, "@ana", Names()) == {"type": "multi_users_select", "selected_users": ["UANA"]}


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("cl", "clock"),
        ("as k", "kenji"),
        ("/remote-win man", "manager"),
        ("dm thanks @pr", "@priya"),
        ("/rem", "/remote-win"),
    ],
)
def test_the_prompt_completes_commands_and_names(typed: str, offered: str) -> None:
    session = SimpleNamespace(walk=None, names=lambda: ["maya", "ana", "kenji", "priya", "leo"])
    completions = SandboxCompleter(session).get_completions(Document(typed), CompleteEvent())  # type: ignore[arg-type]
    assert offered in [c.text for c in completions]


def test_the_simulator_expires_its_triggers_after_slacks_three_seconds_and_reports_every_call() -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    seen: list[tuple[str, bool]] = []
    with FakeSlack() as fake:
        fake.watch(lambda method, params, answer: seen.append((method, answer["ok"])))
        client = WebClient(token=fake.bot_token, base_url=fake.api_url)
        fresh = fake.issue_trigger()
        fake.trigger_lifetime = 3.0
        client.views_open(trigger_id=fresh, view=modal)
        fake.trigger_lifetime = 0.0  # as if three seconds had gone by
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            client.views_open(trigger_id=fake.issue_trigger(), view=modal)
        fake.add_user("U1", name="ana")
        said = fake.post_as_user("U1", "U1", "shipped it")
        assert (said.channel, said.author, said.as_json()["user"]) == ("D1", "U1", "U1")
    assert seen == [("views.open", True), ("views.open", False)]


def test_the_demo_workspace_has_a_running_trial(tmp_path: Path) -> None:
    out = transcript(tmp_path, "as ana\n/remote-win trial show\n", "--start", MONDAY)
    shown = after(out, "› /remote-win trial show")
    assert "screens reviewed" in shown and "⚠" not in out
    assert "Traceback" not in out
