"""Block Kit renderers: pure functions from data to blocks, each keeping Slack's limits itself."""
