"""Reply addresses and Message-IDs are signed: a forged or borrowed one opens nothing."""

from __future__ import annotations

from frontline.mail import addresses


def test_reply_address_names_the_ticket_and_verifies(settings):
    settings.FRONTLINE_SUPPORT_ADDRESS = "support@help.example"
    address = addresses.reply_address(10427)
    assert address.startswith("support+FL-10427-") and address.endswith("@help.example")
    assert addresses.ticket_from_reply_address(address) == 10427
    assert addresses.ticket_from_reply_address(address.upper()) == 10427


def test_a_signature_for_one_ticket_does_not_open_another():
    address = addresses.reply_address(10427)
    forged = address.replace("FL-10427-", "FL-10428-")
    assert addresses.ticket_from_reply_address(forged) is None
    assert addresses.ticket_from_reply_address("support@help.example") is None
    assert addresses.ticket_from_reply_address("support+FL-10427-aaaaaaaaaa@help.example") is None


def test_a_message_id_signature_is_not_a_reply_address_signature():
    message_id = addresses.new_message_id(10427)
    assert addresses.ticket_from_message_id(f"<{message_id}>") == 10427
    signature = message_id.split(".")[3].split("@")[0]
    borrowed = f"support+FL-10427-{signature}@help.example"
    assert addresses.ticket_from_reply_address(borrowed) is None


def test_a_changed_secret_key_invalidates_old_addresses(settings):
    address = addresses.reply_address(10427)
    settings.SECRET_KEY = "another secret key, rotated"
    assert addresses.ticket_from_reply_address(address) is None
