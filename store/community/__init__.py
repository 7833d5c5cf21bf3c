"""Community tools of SPEC §13–§14: the forum and góp ý (forum_rules, rooms, posts, moderation, forum_news)."""
