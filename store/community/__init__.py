"""Community tools of SPEC §13–§14: polls and sign-ups (poll_rules, polls, poll_answers, poll_results),
the forum and góp ý (forum_rules, rooms, posts, moderation, forum_news)."""
