"""Signature Version 2: rebuild the string a client signed and compare HMACs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from feedsvc.errors import InvalidParameterValue, MissingParameter, SignatureDoesNotMatch
from feedsvc.mws.params import Params, parse_timestamp

ALGORITHMS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
TIMESTAMP_TOLERANCE = timedelta(minutes=15)
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


@dataclass(frozen=True, slots=True)
class RequestTarget:
    """Where the request arrived: what a client may have put in its string to sign."""

    method: str
    scheme: str
    host: str  # the Host header as sent
    path: str

    def host_forms(self) -> list[str]:
        """Host lines real clients sign: as sent, without the port, and with the scheme."""
        host = self.host.lower()
        forms = [host]
        without_port = host.rsplit(":", 1)[0] if ":" in host and not host.endswith("]") else host
        if without_port != host:
            forms.append(without_port)
        forms.append(f"{self.scheme}://{host}")
        return forms


def canonical_query(params: Mapping[str, str]) -> str:
    """Every parameter but Signature, byte-sorted, RFC 3986-encoded, joined with ``&``."""
    pairs = sorted(
        ((name, value) for name, value in params.items() if name != "Signature"),
        key=lambda pair: pair[0].encode("utf-8"),
    )
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in pairs)


def string_to_sign(target: RequestTarget, host: str, query: str) -> str:
    """The text a client signs, for one form of the host line and the canonical query."""
    return "\n".join([target.method.upper(), host, target.path or "/", query])


def sign(secret: str, text: str, method: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), ALGORITHMS[method]).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(params: Params, *, secret: str, target: RequestTarget, now: datetime) -> str:
    """Check the signature and its freshness; return the host form that matched."""
    signature = params.required("Signature")
    method = params.required("SignatureMethod")
    if method not in ALGORITHMS:
        raise InvalidParameterValue(
            f"SignatureMethod {method} is not supported; use HmacSHA256 or HmacSHA1."
        )
    version = params.required("SignatureVersion")
    if version != "2":
        raise InvalidParameterValue(f"SignatureVersion {version} is not supported; use 2.")
    check_fresh(params, now)

    query = canonical_query(params.as_dict())
    # A '+' sent unencoded arrives as a space; base64 never contains spaces.
    candidates = {signature, signature.replace(" ", "+")}
    for host in target.host_forms():
        expected = sign(secret, string_to_sign(target, host, query), method)
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return host
    signed = string_to_sign(target, target.host_forms()[0], query)
    raise SignatureDoesNotMatch(
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. The string to sign was "
        f"(newlines shown as \\n): {signed.replace(chr(10), chr(92) + 'n')} "
        f"(also tried the host as {', '.join(target.host_forms()[1:])})"
    )


def check_fresh(params: Params, now: datetime) -> None:
    """``Timestamp`` within 15 minutes of the server clock, or ``Expires`` in the future."""
    timestamp = params.get("Timestamp")
    expires = params.get("Expires")
    if timestamp is None and expires is None:
        raise MissingParameter("Timestamp")
    if timestamp is not None:
        when = parse_timestamp("Timestamp", timestamp)
        if abs(now - when) > TIMESTAMP_TOLERANCE:
            raise InvalidParameterValue(
                f"Request has expired: Timestamp {timestamp} is more than 15 minutes from the "
                f"server time {now.isoformat(timespec='seconds')}."
            )
    if expires is not None and parse_timestamp("Expires", expires) <= now:
        raise InvalidParameterValue(
            f"Request has expired: Expires {expires} is before the server time "
            f"{now.isoformat(timespec='seconds')}."
        )


def _encode(text: str) -> str:
    if _UNRESERVED.fullmatch(text):  # most names and values: nothing to escape
        return text
    return quote(text, safe="-_.~")
