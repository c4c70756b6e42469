"""Path converters for the reader's URLs: ``/2024/08/01/<slug>/``, ``/author/<username>/``,
a page's ``/about/team/``.

Each converter matches only what its value can be, so anything else (a NUL
byte, a slash, punctuation) is a 404 from the URL resolver and never reaches
a query.
"""


class FourDigitYear:
    # 1000-2999: a news archive has no year 9999 (whose last day cannot be followed).
    regex = "[12][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigits:
    """A zero-padded month or day; ``/2024/8/1/`` does not match, as in WordPress."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class UnicodeSlug:
    """Slugs may be in any script (WordPress allows Greek or Cyrillic post names)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class Username:
    """What ``accounts.User.username`` may hold: Django's username characters
    (letters and digits in any script, ``_ . @ + -``; the WordPress importer
    keeps only those too), at most 150 of them."""

    regex = r"[\w.@+-]{1,150}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class PagePath:
    """A page's path: slugs joined by slashes (``about/team``), none empty."""

    regex = r"[-\w]+(?:/[-\w]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
