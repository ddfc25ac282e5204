"""The Block Kit checks of the fake Slack live with the simulator: one implementation, in the package.

Kept so tests import `tests.block_kit` as before; see remote_wins/simulator/block_kit.py.
"""

from remote_wins.simulator.block_kit import *  # noqa: F403
from remote_wins.simulator.block_kit import (  # noqa: F401  (the names tests import)
    HOME,
    INPUT_ONLY,
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    MESSAGE,
    MESSAGE_BLOCKS_TEXT_BUDGET,
    MODAL,
    SDK_FALSE_POSITIVES,
    Problem,
    blocks_problem,
    blocks_text_length,
    message_problem,
    sdk_blocks_problem,
    sdk_view_problem,
    view_problem,
)
