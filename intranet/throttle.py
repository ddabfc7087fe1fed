"""Who the client is behind our proxies, and limits per client counted in the "shared" cache.

`client_ip` is the one answer to "which address sent this request"; `client_limit_key` turns
it into what a limit counts, and django-axes' login lockout (AXES_CLIENT_IP_CALLABLE), the
concern form's rate limit and the password reset's limit all count that. Behind
TRUSTED_PROXY_COUNT proxies it reads X-Forwarded-For from the right, where our own proxies
wrote; without a proxy it reads nothing from the header, which anyone can write.

A `Limit` counts in the "shared" cache (settings.CACHES): in production Django's database
cache, which every gunicorn worker on every app server sees, so a limit holds for the site as
a whole and not per process. `admit` counts exactly however many requests arrive at once: in
the database cache the value's row is locked while it is read and written (the cache's own
`incr` is a read and a write without a lock), in the memory cache a lock of the process does
the same.
"""

import ipaddress
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone
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
    the window starts at the first request counted."""

    name: str
    limit: int
    window_seconds: int

    def key(self, value: str) -> str:
        # A keyed hash: the cache never holds the address or e-mail itself, and the hash cannot
        # be reversed by trying every IPv4 address without the secret key.
        digest = salted_hmac(f"brobygger.{self.name}.rate-limit", value).hexdigest()
        return f"{self.name}:{digest}"

    def _window(self, cache, key, now):
        """(requests counted, when the window ends) for the value under `key`."""
        counted = cache.get(key)
        if counted is None or counted[1] <= now:
            return 0, now + self.window_seconds
        return counted

    def reached(self, value: str) -> bool:
        """Has `value` used up its requests within the window?"""
        count, _until = self._window(caches[CACHE], self.key(value), time.time())
        return count >= self.limit

    def admit(self, value: str) -> bool:
        """Count one request for `value` unless it has used up its requests within the window;
        True if it was counted.

        The window's end is kept with the count, and each write sets the entry to expire then:
        a cache's own `incr` may not keep the expiry (the database cache's sets the cache's
        default timeout of five minutes again). In the database cache the count belongs to the
        caller's transaction, if there is one.
        """
        key = self.key(value)
        cache = caches[CACHE]
        if isinstance(cache, DatabaseCache):
            return self._admit_with_row_locked(cache, key)
        with _memory_cache_lock:
            return self._admit(cache, key)

    def _admit(self, cache, key):
        now = time.time()
        count, until = self._window(cache, key, now)
        if count >= self.limit:
            return False
        cache.set(key, (count + 1, until), max(1, math.ceil(until - now)))
        return True

    def _admit_with_row_locked(self, cache, key):
        using = router.db_for_write(cache.cache_model_class)
        connection = connections[using]
        quote = connection.ops.quote_name
        table = quote(cache.cache_model_class._meta.db_table)
        cache_key = cache.make_key(key)
        lock_row = (
            f"UPDATE {table} SET {quote('expires')} = {quote('expires')} "  # noqa: S608
            f"WHERE {quote('cache_key')} = %s"
        )
        with transaction.atomic(using=using):
            for _attempt in range(5):
                # A write that changes nothing: it locks the value's row (PostgreSQL) or the
                # database (SQLite) until the transaction ends, so the next request for the
                # value reads the count only after this one has written it.
                with connection.cursor() as cursor:
                    cursor.execute(lock_row, [cache_key])
                    if cursor.rowcount:
                        break
                # No row yet: the one made here stays locked until the transaction ends. If
                # another transaction made it meanwhile, `add` fails and its row is locked above.
                if cache.add(key, (0, time.time() + self.window_seconds), self.window_seconds):
                    break
            return self._admit(cache, key)


# The memory cache is each process's own: a lock of the process makes its count exact.
_memory_cache_lock = threading.Lock()


def expired_prune() -> int:
    """Delete the limits' expired counts from the database cache; returns how many.

    They are keyed hashes of citizens' addresses and staff e-mails: once their window is over
    they are no longer needed, and the database cache itself deletes expired rows only once
    it holds more than its MAX_ENTRIES. `manage.py prune_access_log` calls this every night.
    A memory cache forgets them itself (0).
    """
    cache = caches[CACHE]
    if not isinstance(cache, DatabaseCache):
        return 0
    using = router.db_for_write(cache.cache_model_class)
    connection = connections[using]
    table = connection.ops.quote_name(cache._table)
    # As the database cache compares its own expiry times (DatabaseCache._cull).
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608
        return cursor.rowcount
