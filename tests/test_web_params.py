"""A parameter or a store refusal no page caught (web/params.py): the Vietnamese 400/404 page in the site frame."""
from __future__ import annotations

import pytest

from store.community.poll_rules import PollError
from store.core.errors import SchemaError
from web.params import BadParam


def _raise(error):
    def view():
        raise error
    return view


@pytest.fixture
def app(web_app):
    web_app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)     # as in production
    for name, error in [("param", BadParam("tuần “x” không hợp lệ")), ("scope", BadParam("school 'X' is not yours", 404)),
                        ("store", PollError("khảo sát đã đóng")), ("schema", SchemaError("foreign database"))]:
        web_app.add_url_rule(f"/staff/raise/{name}", f"raise_{name}", _raise(error))
        web_app.add_url_rule(f"/api/v1/raise/{name}", f"api_raise_{name}", _raise(error))
    return web_app


@pytest.mark.parametrize("name, status, title, detail", [
    ("param", 400, "Yêu cầu không hợp lệ", "tuần “x” không hợp lệ"),
    ("scope", 404, "Không tìm thấy", "school &#39;X&#39; is not yours"),
    ("store", 400, "Yêu cầu không hợp lệ", "khảo sát đã đóng"),
    ("schema", 500, "Lỗi hệ thống", None),
])
def test_an_uncaught_error_is_a_page_in_the_frame(app, name, status, title, detail):
    r = app.test_client().get(f"/staff/raise/{name}")
    page = r.get_data(as_text=True)
    assert r.status_code == status and f'data-status="{status}"' in page and title in page
    assert '<header class="site">' in page and "Về trang cán bộ" in page          # in the frame, a way back
    if detail:
        assert f"Chi tiết: {detail}" in page
    else:
        assert "foreign database" not in page           # a server fault does not show its inside


def test_under_the_api_it_stays_json(app):
    r = app.test_client().get("/api/v1/raise/store")
    assert r.status_code == 400 and r.is_json
