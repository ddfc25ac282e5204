"""A local Slack workspace: the strict fake Slack Web API the tests use, and what the sandbox adds to it.

`fake_slack` serves Slack's Web API on 127.0.0.1 and refuses what Slack refuses (`block_kit`); `acks`
signs requests as Slack does and checks the app's answers. Nothing in bot/, jobs/, storage/ or rules/
imports this package: the app meets it only through its configuration (SLACK_API_URL, the tokens).
"""
