"""QR codes on pages: inline SVG, sized by the stylesheet, labelled for screen readers."""

from onewindow.core.qr import qr_svg


def test_an_inline_labelled_svg_without_a_fixed_size():
    svg = qr_svg(
        "https://example.org/rate/t/abc/", label="评价二维码", css_class="rating-code__image"
    )

    assert svg.startswith("<svg ")
    assert 'class="rating-code__image" role="img" aria-label="评价二维码"' in svg
    assert "<?xml" not in svg
    assert ' width="' not in svg.split(">", 1)[0]


def test_label_and_class_are_escaped():
    svg = qr_svg("x", label='"><script>', css_class='a"b')

    assert "<script>" not in svg
    assert 'class="a&quot;b"' in svg
