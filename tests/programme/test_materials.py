"""Session materials: light Markdown in, safe HTML with GOV.UK classes out (no Django needed)."""

from __future__ import annotations

from infuse.programme.materials import render_materials


def test_markdown_becomes_govuk_markup() -> None:
    html = render_materials("## Before you come\n\nRead **one** page.\n\n- a canvas\n- a pen")
    assert '<h3 class="govuk-heading-s">Before you come</h3>' in html
    assert '<p class="govuk-body">Read <strong>one</strong> page.</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html and "<li>a pen</li>" in html


def test_raw_html_and_unsafe_links_stay_text() -> None:
    html = render_materials(
        'Hi <script>alert(1)</script><img src=x onerror="alert(2)">\n\n'
        "[bad](javascript:alert(3)) [good](https://www.gov.wales/)"
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://www.gov.wales/" class="govuk-link">good</a>' in html


def test_images_are_not_embedded() -> None:
    assert "<img" not in render_materials("![tracker](https://example.org/pixel.png)")
