"""Slack transport: listeners that ack, parse, call the rules and storage, and render Block Kit."""
