"""Why a connection to Temporal failed, in words: TLS and mTLS mistakes read as raw transport errors
(``InvalidContentType``, ``UnknownIssuer``, "peer closed connection without sending TLS close_notify").

:func:`explain` turns the client's error text into a sentence naming the configuration key to look at (or,
for other failures, a sentence without the transport's internals), and says whether retrying can help (a
certificate mismatch never heals; a server still starting does).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["explain"]


class _TLS(Protocol):
    @property
    def enabled(self) -> bool: ...
    @property
    def client_cert(self) -> str | None: ...
    @property
    def server_root_ca_cert(self) -> str | None: ...


class _Connection(Protocol):
    @property
    def url(self) -> str: ...
    @property
    def api_key(self) -> str | None: ...
    @property
    def tls(self) -> _TLS: ...


# The peer hung up on an established connection: after a TLS handshake, the server refusing the client's
# certificate; on a plain connection, a TLS server refusing bytes that are not TLS.
_HUNG_UP = ("close_notify", "connection closed", "BrokenPipe", "broken pipe", "ConnectionReset",
            "connection reset", "CertificateRequired", "BadCertificate", "UnknownCA", "DecryptError")


def _uses_tls(settings: _Connection) -> bool:
    tls = settings.tls
    return bool(tls.enabled or tls.client_cert or tls.server_root_ca_cert or settings.api_key)


def explain(error: str, settings: _Connection) -> tuple[str, bool]:
    """A plain explanation of ``error`` and whether it is permanent (retrying cannot help)."""
    tls = _uses_tls(settings)
    why = " (an api_key implies TLS)" if settings.api_key and not settings.tls.enabled else ""
    if "InvalidContentType" in error or "InvalidMessage" in error:
        return (f"TLS is on{why} but {settings.url} does not answer in TLS: it is a plain server (turn "
                "temporal.tls.enabled off) or the wrong port", True)
    if "InvalidCertificate" in error or "UnknownIssuer" in error:
        if "NotValidForName" in error:
            return ("the server's certificate is not issued for this address: set temporal.tls.server_name "
                    "to a name it is issued for", True)
        return ("the server's certificate is not trusted: set temporal.tls.server_root_ca_cert to the CA "
                "that issued it", True)
    if not any(marker in error for marker in _HUNG_UP):
        return _reason(error), False
    if not tls:
        return ("the server closed the connection: it may require TLS (temporal.tls.enabled: true, and for "
                "mTLS temporal.tls.client_cert and client_key)", False)
    if not settings.tls.client_cert:
        return ("the server closed the TLS connection: it requires a client certificate (mTLS): set "
                "temporal.tls.client_cert and temporal.tls.client_key", True)
    return (f"the server closed the TLS connection: it refused the client certificate "
            f"{settings.tls.client_cert} (is it issued by a CA the server trusts, and not expired?)", True)


def _reason(error: str) -> str:
    """A failure that names no configuration key, in a sentence without the transport's internals (the gRPC
    status dump)."""
    text = error.strip()
    for marker in ("Failed client connect:", "Server connection error:"):
        text = text.replace(marker, "").strip()
    lowered = text.lower()
    if "connection refused" in lowered or "tcp connect error" in lowered:
        return "connection refused (is the server running?)"
    if any(m in lowered for m in ("dns error", "failed to lookup address", "name or service not known")):
        return "the host name does not resolve"
    if "timed out" in lowered or "deadline" in lowered:
        return "no answer in time"
    if "tls" in lowered or "certificate" in lowered or "handshake" in lowered:
        return "the TLS handshake failed (check temporal.tls)"
    first = text.splitlines()[0] if text else "unknown error"
    return first[:200]
