"""The transport table: every name resolves to its class, an unknown one says which exist."""

from __future__ import annotations

import pytest

from alerts.transports import TRANSPORTS, Transport, transport_class, transport_from_config
from alerts.transports.console import ConsoleTransport
from alerts.transports.maildir import MaildirTransport
from alerts.transports.smtp import SmtpTransport


@pytest.mark.parametrize(
    ("name", "cls"), [("smtp", SmtpTransport), ("maildir", MaildirTransport), ("console", ConsoleTransport)]
)
def test_each_name_is_its_transport_carrying_email(name, cls, config):
    assert transport_class(name) is cls and cls.name == name and cls.kind == "email"
    mail = config.monitor.mail.model_copy(update={"transport": name})
    assert type(transport_from_config(config.with_overrides(mail=mail))) is cls


def test_an_unknown_transport_is_a_lookup_error_naming_the_known_ones():
    with pytest.raises(
        LookupError, match=r"no transport called 'teams'; the known ones are: console, maildir, smtp"
    ):
        transport_class("teams")


def test_a_row_that_is_not_a_transport_is_refused(monkeypatch):
    monkeypatch.setitem(TRANSPORTS, "bogus", ("not one", "alerts.outbox.Outgoing"))
    with pytest.raises(TypeError, match="alerts.outbox.Outgoing .transport 'bogus'. is not a Transport"):
        transport_class("bogus")


def test_every_registered_transport_is_a_transport():
    assert all(issubclass(transport_class(name), Transport) for name in TRANSPORTS)


def test_the_config_offers_exactly_the_registered_transports():
    # config.py keeps its own Literal (so check-config names the choices); it must not drift.
    from typing import get_args

    from monitor.config import MailSection

    assert set(get_args(MailSection.model_fields["transport"].annotation)) == set(TRANSPORTS)
