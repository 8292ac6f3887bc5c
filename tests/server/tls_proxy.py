"""A TLS terminator for tests: accepts TLS (optionally requiring a client certificate) and forwards the
decrypted bytes to a plain TCP server, here the dev server's gRPC port.

A small asyncio + ssl proxy rather than stunnel: it needs no system package, starts in-process in
milliseconds on a free port, and since it sees the decrypted HTTP/2 stream it can record the request
headers (gRPC metadata, such as the ``authorization`` header an API key becomes) for the tests to assert
on. Temporal's frontend speaks gRPC over HTTP/2, which a byte-for-byte forwarder carries unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

import hpack

_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_HEADERS, _CONTINUATION = 0x1, 0x9
_END_HEADERS, _PADDED, _PRIORITY = 0x4, 0x8, 0x20


class _HeaderRecorder:
    """Decodes the HEADERS frames of one client-to-server HTTP/2 stream of bytes."""

    def __init__(self, sink: list[dict[str, str]]) -> None:
        self.sink = sink
        self.buffer = b""
        self.preface_seen = False
        self.decoder = hpack.Decoder()
        self.block = b""

    def feed(self, data: bytes) -> None:
        self.buffer += data
        if not self.preface_seen:
            if len(self.buffer) < len(_PREFACE):
                return
            self.buffer = self.buffer[len(_PREFACE):]
            self.preface_seen = True
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                return
            kind, flags = self.buffer[3], self.buffer[4]
            payload = self.buffer[9:9 + length]
            self.buffer = self.buffer[9 + length:]
            if kind == _HEADERS:
                pad = 0
                if flags & _PADDED:
                    pad, payload = payload[0], payload[1:]
                if flags & _PRIORITY:
                    payload = payload[5:]
                self.block = payload[:len(payload) - pad] if pad else payload
            elif kind == _CONTINUATION:
                self.block += payload
            else:
                continue
            if flags & _END_HEADERS:
                headers = self.decoder.decode(self.block)
                self.sink.append({str(k): str(v) for k, v in headers})
                self.block = b""


@dataclass
class TLSProxy:
    """``await proxy.start()`` listens on ``127.0.0.1:<port>`` with ``context`` and forwards to ``target``
    (``host:port``). ``headers`` collects the request headers of every gRPC call that passed."""

    context: ssl.SSLContext
    target: str
    headers: list[dict[str, str]] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def address(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"127.0.0.1:{port}"

    async def start(self) -> TLSProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0, ssl=self.context,
                                                  ssl_handshake_timeout=10)
        return self

    async def stop(self) -> None:
        """Stop listening and close every forwarded connection (closing, not cancelling: asyncio's stream
        server reports a cancelled connection handler as an error)."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        host, port = self.target.rsplit(":", 1)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            writer.close()
            self._tasks.discard(task)
            return
        self._writers.update((writer, upstream_writer))
        recorder = _HeaderRecorder(self.headers)
        try:
            await asyncio.gather(
                self._pipe(reader, upstream_writer, recorder.feed),
                self._pipe(upstream_reader, writer, None),
            )
        finally:
            self._tasks.discard(task)
            for w in (writer, upstream_writer):
                self._writers.discard(w)
                w.close()

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tap: Callable[[bytes], None] | None
    ) -> None:
        try:
            while data := await reader.read(65536):
                if tap is not None:
                    tap(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.write_eof()


