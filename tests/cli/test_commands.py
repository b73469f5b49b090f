"""The `frontline` command's account commands, run in-process as a user would type them."""

from __future__ import annotations

import pytest

from frontline.cli import main
from frontline.core.models import ApiToken, Role, User
from tests.conftest import PASSWORD


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, expected: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith("frontline: error: ")
    assert expected in err
    assert "Traceback" not in err


def test_user_create_makes_an_agent_who_can_log_in(db, capsys):
    code, out, err = run(capsys, "user", "create", "--username", "maya", "--role", "agent",
                         "--tier", "2", "--password", PASSWORD)
    assert (code, err) == (0, "")
    assert "Created agent 'maya' (tier 2)." in out
    maya = User.objects.get(username="maya")
    assert (maya.role, maya.tier) == (Role.AGENT, 2)
    assert maya.check_password(PASSWORD)


def test_user_create_without_password_prints_a_generated_one(db, capsys):
    code, out, _ = run(capsys, "user", "create", "--username", "dev1", "--role", "developer")
    assert code == 0
    password = out.split("Password: ", 1)[1].strip()
    dev = User.objects.get(username="dev1")
    assert dev.tier == 3  # developers work tier 3 unless told otherwise
    assert dev.check_password(password)


def test_token_create_prints_only_a_token_that_belongs_to_the_user(db, capsys, lena):
    code, out, err = run(capsys, "token", "create", "--username", "lena")
    assert (code, err) == (0, "")
    token = out.strip()
    assert out == token + "\n"
    stored = ApiToken.objects.get(key_hash=ApiToken.hash_key(token))
    assert stored.user == lena
    assert token not in {stored.key_hash, stored.prefix}  # the token itself is not kept


def test_a_created_token_opens_the_api(db, capsys, client, bobs_ticket):
    run(capsys, "user", "create", "--username", "bot", "--role", "agent")
    _, out, _ = run(capsys, "token", "create", "--username", "bot", "--name", "sync script")
    token = out.strip()

    response = client.get(f"/api/v1/tickets/{bobs_ticket.reference}",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["subject"] == bobs_ticket.subject
    refused = client.get(f"/api/v1/tickets/{bobs_ticket.reference}",
                         HTTP_AUTHORIZATION=f"Bearer {token}x")
    assert refused.status_code == 401


def test_bad_role_is_refused_with_a_one_line_message(db, capsys):
    code, out, err = run(capsys, "user", "create", "--username", "x", "--role", "boss")
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "'boss' is not a role (admin, agent, developer, viewer).")
    assert not User.objects.filter(username="x").exists()


def test_bad_tier_is_refused(db, capsys):
    code, _, err = run(capsys, "user", "create", "--username", "x", "--role", "agent",
                       "--tier", "7")
    assert code == 2
    assert_one_line_error(err, "'7' is not a tier (1, 2 or 3).")


def test_duplicate_username_is_refused(db, capsys, lena):
    code, _, err = run(capsys, "user", "create", "--username", "lena", "--role", "viewer")
    assert code == 2
    assert_one_line_error(err, "The username 'lena' is taken.")
    lena.refresh_from_db()
    assert lena.role == Role.AGENT


def test_short_password_is_refused_with_the_validator_message(db, capsys):
    code, _, err = run(capsys, "user", "create", "--username", "x", "--role", "agent",
                       "--password", "abc")
    assert code == 2
    assert_one_line_error(err, "This password is too short.")


def test_token_for_unknown_user_is_refused(db, capsys):
    code, out, err = run(capsys, "token", "create", "--username", "ghost")
    assert (code, out) == (2, "")
    assert_one_line_error(err, "There is no user 'ghost'.")
    assert ApiToken.objects.count() == 0


def test_missing_argument_is_a_usage_error(capsys):
    code, _, err = run(capsys, "user", "create", "--role", "agent")
    assert code == 2
    assert_one_line_error(err, "the following arguments are required: --username")


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run(capsys, "fly")
    assert code == 2
    assert_one_line_error(err, "invalid choice: 'fly'")


def test_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("serve", "worker", "migrate", "demo", "user", "token", "search"):
        assert command in out


def test_search_reindex_rebuilds_the_index(capsys, bobs_ticket):
    code, out, err = run(capsys, "search", "reindex")
    assert (code, err) == (0, "")
    assert out.startswith("Search index rebuilt: ")
    assert int(out.split(": ")[1].split()[0]) >= 2  # the ticket and its first message
