from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from infuse.web.language import url_in_language

segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
paths = st.lists(segment, max_size=5).map(
    lambda parts: "/" + "/".join(parts) + ("/" if parts else "")
)
queries = st.one_of(
    st.just(""), st.text(alphabet="abc=&12", min_size=1, max_size=10).map(lambda q: "?" + q)
)


@given(paths, queries, st.sampled_from(["en", "cy"]), st.sampled_from(["en", "cy"]))
def test_switching_language_keeps_the_rest_of_the_address(
    path: str, query: str, start: str, target: str
) -> None:
    here = f"/{start}{path}{query}" if path != "/" else f"/{start}/{query}"
    moved = url_in_language(here, target)
    assert moved.startswith(f"/{target}/")
    assert moved.split("/", 2)[2] == here.split("/", 2)[2]
    # Switching back returns exactly where we were.
    assert url_in_language(moved, start) == here


@given(paths)
def test_addresses_outside_the_pages_are_left_alone(path: str) -> None:
    for prefix in ("/api", "/static"):
        assert url_in_language(prefix + path, "cy") == prefix + path


def test_the_site_root_gets_a_language() -> None:
    assert url_in_language("/", "cy") == "/cy/"
    assert url_in_language("", "en") == "/en/"
