"""Seed documents: a post as it reads on a reposting news site, as plain text.

A seed document is the page a reader sees, block by block, blank lines
between blocks (the shapes are those of Aletho News, alethonews.wordpress.com;
tests/data/seeds/ keeps real excerpts)::

    Aletho News                                      site name
    ΑΛΗΘΩΣ                                           tagline
    Iraq boosts security on Syrian border …          title
    The Cradle | August 1, 2024                      source line (optional), or
    By Christina Maas | Reclaim The Net | January 5, 2023   with the writer
    The Iraqi armed forces have increased …          body paragraphs; an indented
        “We, the Shabak, Christian …”                  one is a quotation; bare
    …                                                  URLs become links
    August 1, 2024 - Posted by | Aletho News | Cat A, Cat B | tag one, tag two
    (or: January 27, 2024 Posted by aletho | Cat A | tag one | Leave a comment)
    2 Responses to “Iraq boosts security …”          the comments, if any:
    The comment's text …                               its text, then who and
    Comment by Victor G. | August 18, 2022 | Reply     when; a reply is indented
        A reply …                                      deeper than what it answers
        Comment by aletho | August 18, 2022 | Reply
    Leave a Reply / No comments yet. / …             boilerplate, ignored

``parse_seed`` (``page``) turns the text into a ``SeedDocument``, plain data;
``load_seed`` (``load``) writes its article. ``manage.py load_seeds`` (in the
comments app, which may know both) runs them and stores the responses through
``comments.seeds``.
"""

from articles.seeds.load import Outcome, load_seed
from articles.seeds.page import SeedDocument, SeedError, SeedResponse, parse_seed

__all__ = ["Outcome", "SeedDocument", "SeedError", "SeedResponse", "load_seed", "parse_seed"]
