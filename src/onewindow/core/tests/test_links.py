import pytest

from onewindow.core.links import public_url


def test_public_url_joins_the_setting_and_the_path(settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn/"
    assert public_url("/verify/abc") == "https://zwfw.example.gov.cn/verify/abc"
    assert public_url() == "https://zwfw.example.gov.cn/"


def test_public_url_refuses_a_relative_path(settings):
    with pytest.raises(ValueError):
        public_url("verify/abc")
