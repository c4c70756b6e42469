"""Names the comments app stores in the reader's browser and session.

Written by ``comments.views`` (the comment form's response), read by the
comments template tag and the spam checks; ``CommentsConfig.ready()`` tells the
page cache that the author cookie makes a reader's pages their own.
"""

# The signed cookie remembering a commenter's name, email and website.
AUTHOR_COOKIE = "comment_author"
AUTHOR_COOKIE_SALT = "comments.author"
# The session key listing the reader's comments still awaiting moderation.
AWAITING_SESSION_KEY = "comments_awaiting_moderation"
# The signed cookie carrying the commenter key (comments.spam.tokens): set on
# every comment posted, kept a year; it changes no page, so the page cache
# still serves its holders.
COMMENTER_KEY_COOKIE = "comment_key"
COMMENTER_KEY_SALT = "comments.commenter-key"
