"""A fixed-window counter in the cache, for endpoints that anyone on the internet can reach."""

from django.core.cache import cache


def rate_limited(key, *, limit, window_seconds):
    """Count one hit for `key`; True once it has had more than `limit` hits in the window."""
    cache_key = f"ratelimit:{key}"
    # add() is atomic: only the first hit in a window creates the counter.
    if cache.add(cache_key, 1, timeout=window_seconds):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
