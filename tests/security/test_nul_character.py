"""A NUL character (`%00`) in a URL is answered 400 before any view or query sees it.

PostgreSQL fails any query that compares text with a NUL, so before the middleware the
public verification page answered 500 to `/verify/abc%00/` on PostgreSQL.
"""

import pytest

from quizzes.models import QuestionType
from quizzes.services import answer_validate


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/verify/abc%00/",
        "/powers/?q=%00",
        "/cases/?q=%E5%8D%A0%00",
        "/login/?next=/%00",
    ],
)
def test_a_nul_in_the_address_is_a_400_with_a_message_in_both_languages(client, path):
    response = client.get(path)
    assert response.status_code == 400
    body = response.content.decode()
    assert "无法处理的字符" in body and "cannot be processed" in body


@pytest.mark.django_db
def test_the_api_answers_for_itself_as_its_schema_documents(client):
    """The API is left to its own checks: a NUL in a key is a JSON 404 (tested with a token
    in test_api_schema.py); without a token, the usual JSON 401."""
    response = client.get("/certificate/api/officers/QF%000001/status")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_an_ordinary_percent_sign_is_not_mistaken_for_a_nul(client):
    assert client.get("/powers/?q=100%25").status_code == 200


def test_a_nul_pasted_into_an_essay_is_dropped_and_the_answer_kept():
    assert answer_validate(qtype=QuestionType.ESSAY, option_order=[], answer="告知\x00权利") == (
        [],
        "告知权利",
    )
