"""A Redis cache that a Redis outage cannot take the site down with.

Every operation that fails (Redis down, a timeout) is logged and answered as
a miss: reads return the default, writes do nothing. After a failure Redis is
left alone for ``RETRY_AFTER`` seconds, so pages do not each wait on a dead
server. Counters (``incr``) raise ``CacheUnavailable`` instead, so the rate
limiter can tell "no count" from "zero".
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0


class CacheUnavailable(Exception):
    """The cache could not be reached."""


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def is_available(self) -> bool:
        """False while Redis is being left alone after a failure."""
        return time.monotonic() >= self._down_until

    def _guard(self, operation, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except Exception as error:
            self._down_until = time.monotonic() + RETRY_AFTER
            logger.warning("Cache %s failed (%s); serving without the cache", operation, error)
            return default

    def get(self, key, default=None, version=None):
        return self._guard("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", False, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._guard("delete", False, key, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", False, key, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, key, version)

    def clear(self):
        return self._guard("clear", False)

    def incr(self, key, delta=1, version=None):
        if time.monotonic() < self._down_until:
            raise CacheUnavailable("cache down")
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as error:
            self._down_until = time.monotonic() + RETRY_AFTER
            raise CacheUnavailable(str(error)) from error
