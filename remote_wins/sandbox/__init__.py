"""`remote-wins sandbox`: the whole bot in a terminal, with no Slack workspace.

`runtime` starts the real app against the workspace simulator (`remote_wins.simulator`) with simulated
time; `seed` makes the demo workspace; `session` is the commands; `terminal` the prompt or the script.
"""
