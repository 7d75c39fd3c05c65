"""uvicorn's websocket protocol with one ASGI extension: several text frames, one write.

A room sends each change to every connection as a frame of its own. Through plain ASGI each
frame is its own `websocket.send` and its own write to the socket, a system call that costs
more than everything else done per frame. With this extension a connection's sender hands
over every frame queued by then, and they are written to the socket together. What goes over
the wire is the same. The app uses the extension only when the connection's scope lists it,
so any other ASGI server still works.

Without compression a server's text frame is a header and the UTF-8 text (RFC 6455, section
5.2: unmasked, unfragmented), so the frames are built here rather than by the `websockets`
library, whose checks and frame objects cost more than the rest of sending. A broadcast's
frame is built once, by the first connection that sends it, and the same bytes go to every
other. With compression negotiated the library frames each one, as before.
"""

import struct
from typing import Any, cast

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.protocol import State

# The extension's entry in the scope holds {"send": send_texts, "gone": gone}. A call of
# send_texts sends the texts as frames, like {"type": "websocket.send", SEND_TEXTS: [str, ...]}
# through ASGI's send; gone() says whether the client's connection is lost, which ASGI tells
# only once the app has received every frame that came before.
SEND_TEXTS = "accord.send_texts"
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")
_TEXT = 0x81  # FIN and the text opcode


class Shared(str):
    """A frame's text queued for many sockets: framed once, by the first that sends it."""

    wire: bytes | None = None


def text_frame(text: str) -> bytes:
    """An unmasked, unfragmented, uncompressed text frame carrying `text`."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        return bytes((_TEXT, length)) + payload
    if length < 65536:
        return _MEDIUM.pack(_TEXT, 126, length) + payload
    return _LONG.pack(_TEXT, 127, length) + payload


class BatchingWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        if self.response.status_code == 101:
            # The sender calls send_texts itself: the ASGI send it is handed goes through every
            # middleware's wrapper, which costs more than framing the texts.
            extension = {"send": self.send_texts, "gone": self.gone}
            cast(dict[str, Any], self.scope["extensions"])[SEND_TEXTS] = extension

    async def send(self, message: Any) -> None:
        texts: list[str] | None = message.get(SEND_TEXTS)
        if texts is None:
            await super().send(message)
        else:
            await self.send_texts(texts)

    def gone(self) -> bool:
        return self.disconnected or self.transport.is_closing()

    async def send_texts(self, texts: list[str]) -> None:
        """Send each text as a text frame, all in one write to the socket."""
        if self.close_sent:
            # The server closed the connection (a ping went unanswered, say): the client will
            # not read these, and the app learns of the disconnect as from a write that failed.
            raise ClientDisconnected()
        if not self.handshake_complete:
            # Before the accept: the library refuses it as it would.
            for text in texts:
                await super().send({"type": "websocket.send", "text": text})
            return
        await self.writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        if self.conn.extensions:
            try:
                for text in texts:
                    self.conn.send_text(text.encode())
            except InvalidState:
                raise ClientDisconnected() from None
            self.transport.write(b"".join(self.conn.data_to_send()))
            return
        # Past a close frame, sent or received, no data frame may follow.
        if self.conn.state is not State.OPEN:
            raise ClientDisconnected()
        # The library writes what it queues at once (pongs, pings, closes), so this is
        # normally empty; whatever it holds goes out first, in order.
        chunks = self.conn.data_to_send()
        for text in texts:
            if type(text) is Shared:
                wire = text.wire
                if wire is None:
                    wire = text.wire = text_frame(text)
            else:
                wire = text_frame(text)
            chunks.append(wire)
        self.transport.write(b"".join(chunks))
