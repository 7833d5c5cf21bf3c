"""Community tools of SPEC §13–§14: polls and sign-ups (poll_rules, polls, poll_results), the forum and góp ý."""
