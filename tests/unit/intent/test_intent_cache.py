from libs.contracts.intent import IntentResult
from services.mcp_workers.intent.cache import TTLCache, cache_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_ttl() -> None:
    clock = Clock()
    cache = TTLCache(ttl=300, clock=clock)
    key = cache_key("Hola!", "es-ES", False)
    cache.put(key, IntentResult(intent="greeting", confidence=0.97))
    clock.now += 299
    assert cache.get(key) is not None
    clock.now += 2
    assert cache.get(key) is None
    assert len(cache) == 0


def test_key_normalises_text_and_keeps_context_that_matters() -> None:
    assert cache_key("¿Hola?", "ES", False) == cache_key("hola", "es", False)
    assert cache_key("hola", "es", False) != cache_key("hola", "es", True)
    assert cache_key("hola", "es", False) != cache_key("hola", "fr", False)


def test_size_is_bounded_lru() -> None:
    cache = TTLCache(ttl=60, max_entries=2, clock=Clock())
    a, b, c = (cache_key(t, None, False) for t in "abc")
    for k in (a, b):
        cache.put(k, IntentResult(intent="help", confidence=1.0))
    cache.get(a)
    cache.put(c, IntentResult(intent="help", confidence=1.0))
    assert cache.get(b) is None and cache.get(a) is not None and cache.get(c) is not None
