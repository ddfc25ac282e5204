"""The fake Slack the tests use is the sandbox's workspace simulator: one implementation, in the package.

Kept so tests import `tests.fake_slack` as before; see remote_wins/simulator/fake_slack.py.
"""

from remote_wins.simulator.fake_slack import *  # noqa: F403
from remote_wins.simulator.fake_slack import (  # noqa: F401  (the names tests import)
    BOT_ID,
    BOT_USER_ID,
    Call,
    FakeSlack,
    Message,
    SlackError,
    block_problem,
    check_message,
    check_view,
)
