"""Names the comments app stores in the reader's browser and session.

Written by ``comments.views`` (the comment form's response), read by the
comments template tag; ``CommentsConfig.ready()`` tells the page cache that
the author cookie makes a reader's pages their own.
"""

# The signed cookie remembering a commenter's name, email and website.
AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_SALT = "comments.author"
# The session key listing the reader's comments still awaiting moderation.
AWAITING_SESSION_KEY = "comments_awaiting_moderation"
