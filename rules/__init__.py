"""Pure rules: plain functions of data and `now`, with no Slack and no SQL, shared by bot/ and jobs/."""
