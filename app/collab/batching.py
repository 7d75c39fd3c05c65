"""uvicorn's websocket protocol with one ASGI extension: several text frames, one write.

A room sends each change to every connection as a frame of its own. Through plain ASGI each
frame is its own `websocket.send` and its own write to the socket, a system call that costs
more than everything else done per frame. With this extension a connection's sender hands
over every frame queued by then; they are framed one by one, as before, and written to the
socket together. What goes over the wire is the same. The app uses the extension only when
the connection's scope lists it, so any other ASGI server still works.
"""

from typing import Any, cast

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState

SEND_TEXTS = "accord.send_texts"  # {"type": "websocket.send", SEND_TEXTS: [str, ...]}


class BatchingWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        if self.response.status_code == 101:
            cast(dict[str, Any], self.scope["extensions"])[SEND_TEXTS] = {}

    async def send(self, message: Any) -> None:
        texts: list[str] | None = message.get(SEND_TEXTS)
        if texts is None or not self.handshake_complete or self.close_sent:
            await super().send(message)
            return
        await self.writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        try:
            for text in texts:
                self.conn.send_text(text.encode())
        except InvalidState:
            raise ClientDisconnected() from None
        self.transport.write(b"".join(self.conn.data_to_send()))
