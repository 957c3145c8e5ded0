"""How certificates are checked: always verified, against the bundle when one is set."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from narration.adapters import tls
from narration.errors import InputError, ServiceError


def test_s3_verifies_against_the_bundle_or_the_default_cas() -> None:
    assert tls.s3_verify("/etc/ca.pem") == "/etc/ca.pem"
    assert tls.s3_verify("") is None


def test_a_bundle_or_client_certificate_that_is_not_a_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="ca_bundle"):
        tls.check_file("ca_bundle", str(tmp_path / "missing.pem"))
    with pytest.raises(InputError, match="broker_client_key"):
        tls.check_file("broker_client_key", str(tmp_path / "missing.key"))
    present = tmp_path / "ca.pem"
    present.write_text("-----BEGIN CERTIFICATE-----\n")
    tls.check_file("ca_bundle", str(present))
    tls.check_file("ca_bundle", "")


def test_a_failed_certificate_check_is_found_through_the_cause_chain() -> None:
    try:
        try:
            raise ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed")
        except ssl.SSLError as inner:
            raise ConnectionError("Error 1 connecting to host:6380") from inner
    except ConnectionError as outer:
        assert tls.is_untrusted_certificate(outer)
        error = tls.untrusted("broker", outer)
    assert tls.is_untrusted_certificate(ConnectionError("refused")) is False
    assert isinstance(error, ServiceError)
    assert str(error).startswith("the broker's TLS certificate is not trusted")
    assert "NARRATION_CA_BUNDLE" in str(error)
