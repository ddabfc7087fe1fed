"""Who the client is behind our proxies, and limits per client counted in the "shared" cache.

`client_ip` is the one answer to "which address sent this request"; `client_limit_key` turns
it into what a limit counts, and django-axes' login lockout (AXES_CLIENT_IP_CALLABLE), the
concern form's rate limit and the password reset's limit all count that. Behind
TRUSTED_PROXY_COUNT proxies it reads X-Forwarded-For from the right, where our own proxies
wrote; without a proxy it reads nothing from the header, which anyone can write.

A `Limit` counts in the "shared" cache (settings.CACHES) through the cache framework's public
API: in production Django's database cache, which every gunicorn worker on every app server
sees, so a limit holds for the site as a whole and not per process.
"""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.utils.crypto import salted_hmac

CACHE = "shared"


def client_ip(request) -> str | None:
    """The client's address: the one our outermost trusted proxy saw, else REMOTE_ADDR.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with N trusted
    proxies the client is the N-th entry from the right; whatever stands further left the
    client wrote itself. A header that is missing, too short or not an address there gives
    REMOTE_ADDR (the proxy's own address: such requests share one count, never escape it).
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def client_limit_key(request) -> str | None:
    """What the limits and the login lockout count for this request's client: an IPv4 address
    itself, an IPv6 address's /64 network (written as an address, e.g. "2001:db8:1:2::").

    Every home or mobile IPv6 customer is given a whole /64 and may send from any of its
    2**64 addresses: counted per address, one client would rotate through them and never
    reach a limit. An IPv4-mapped IPv6 address (::ffff:198.51.100.7) counts as the IPv4
    address it carries. Anything that is not an address is returned as it is.
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


@dataclass(frozen=True)
class Limit:
    """At most `limit` requests per `window_seconds` for one value (an address, an e-mail);
    the window starts at the first request counted.

    Each request counted is a cache entry of its own, made with the cache's `add`, which sets
    a key only if it is not set: in the database cache an INSERT into a table whose key is
    unique, in the memory cache a write under the cache's lock. The n-th request of a window
    is counted by adding its n-th entry, which only one of several requests at once can do,
    so the count is exact with no read-then-write. (django-ratelimit counts with `incr`,
    which the database cache does as a read and a write: under concurrency it counts too
    few, as its documentation warns.) Added in the caller's transaction, an entry counts once
    that commits; a request adding the same entry meanwhile waits for it.

    A window's first entry holds when the window ends. Its key names the period of
    `window_seconds` the window began in, so a later window never reuses the keys of an
    expired one: the database cache replaces an expired entry with no lock, so two requests
    could both add it. (The price: two requests that both begin a window, one in the last
    instant of a period and one in the first of the next, before the first has committed,
    begin one each, and one request more is counted that hour.) Entries are kept as long as
    they are read (two periods, and a minute for clocks that differ); `expired_prune` deletes
    them after that.
    """

    name: str
    limit: int
    window_seconds: int

    def key(self, value: str) -> str:
        # A keyed hash: the cache never holds the address or e-mail itself, and the hash cannot
        # be reversed by trying every IPv4 address without the secret key.
        digest = salted_hmac(f"brobygger.{self.name}.rate-limit", value).hexdigest()
        return f"{self.name}:{digest}"

    def count(self, value: str) -> int:
        """How many requests for `value` the current window has counted."""
        return self._window(caches[CACHE], self.key(value), time.time()).count

    def reached(self, value: str) -> bool:
        """Has `value` used up its requests within the window?"""
        return self.count(value) >= self.limit

    def admit(self, value: str) -> bool:
        """Count one request for `value` unless it has used up its requests within the window;
        True if it was counted. In the database cache the count belongs to the caller's
        transaction, if there is one."""
        cache, key = caches[CACHE], self.key(value)
        kept = 2 * self.window_seconds + 60
        for _attempt in range(3):
            now = time.time()
            window = self._window(cache, key, now)
            if window.first is None:
                first = f"{key}:{int(now // self.window_seconds)}"
                if cache.add(first, now + self.window_seconds, kept):
                    return True
                continue  # another request began the window meanwhile: count in that one
            # The first free entry it can add; none if others took them all meanwhile.
            return any(cache.add(entry, True, kept) for entry in window.free)
        return False

    def _window(self, cache, key, now):
        """The window open for the value under `key` at `now`, read in one cache lookup.

        It began in this period or the one before (a window is never longer than a period):
        its first entry is `<key>:<period>`, holding when it ends, and the requests after
        the first are `<key>:<period>:2` to `<key>:<period>:<limit>`.
        """
        period = int(now // self.window_seconds)
        firsts = [f"{key}:{period - 1}", f"{key}:{period}"]
        entries = {first: [f"{first}:{n}" for n in range(2, self.limit + 1)] for first in firsts}
        found = cache.get_many([*firsts, *entries[firsts[0]], *entries[firsts[1]]])
        for first in firsts:
            if found.get(first, 0) > now:
                free = [entry for entry in entries[first] if entry not in found]
                return _Window(first, self.limit - len(free), free)
        return _Window(None, 0, [])


@dataclass(frozen=True)
class _Window:
    first: str | None  # the key of the window's first entry; None: no window is open
    count: int
    free: list[str]  # the keys of the entries not yet added, in order


# Django's database cache deletes its expired entries when a write finds more than
# MAX_ENTRIES in its table, and then 1/CULL_FREQUENCY of the entries still current too. The
# nightly prune writes through one on the same table that always finds more (0), and of whose
# current entries 1/2**62 is none.
_PRUNE_OPTIONS = {"MAX_ENTRIES": 0, "CULL_FREQUENCY": 2**62}


def expired_prune() -> None:
    """Delete the expired entries of the database cache: the limits' counts once no longer read.

    They are keyed hashes of citizens' addresses and staff e-mails: once their window is over
    they are not needed, and the database cache itself deletes expired entries only once it
    holds more than its MAX_ENTRIES. `manage.py prune_access_log` calls this every night. A
    memory cache forgets them itself.
    """
    if not isinstance(caches[CACHE], DatabaseCache):
        return
    pruner = DatabaseCache(settings.CACHES[CACHE]["LOCATION"], {"OPTIONS": _PRUNE_OPTIONS})
    pruner.touch("brobygger:prune")  # a write that culls and, no such entry, changes nothing
