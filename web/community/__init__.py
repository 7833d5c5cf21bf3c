"""The community pages: polls and sign-ups (staff and parents), rating rounds, the forum and its
moderation queue."""
