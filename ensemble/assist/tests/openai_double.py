"""A small OpenAI-compatible server for the tests (no language model can run here): it answers
``POST /v1/chat/completions`` with what the test scripted, streamed in Server-Sent Events as
the real endpoints do, and keeps the requests it received. The client (the official ``openai``
package) and the streaming are real; only the model is a stand-in."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[str, str], str]  # (system, user) -> the answer


class Double:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.answer: Answer = lambda system, user: f"Réponse à : {user}"
        self.status = 200
        self.delay = 0.0  # between pieces of a streamed answer
        self.finish = "stop"  # the last chunk's finish_reason ("length": the answer was cut)
        self.break_after: int | None = None  # pieces sent before the connection drops
        self.url = ""


def handler_for(double: Double) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            double.requests.append(body)
            double.headers.append(dict(self.headers))
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            if double.status != 200:
                self.send_response(double.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"error": {"message": "refused"}}).encode())
                return
            messages = {m["role"]: m["content"] for m in body["messages"]}
            text = double.answer(messages.get("system", ""), messages.get("user", ""))
            if not body.get("stream"):
                self.reply_whole(body, text)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for number, piece in enumerate(pieces(text)):
                if double.break_after is not None and number >= double.break_after:
                    self.wfile.write(b"data: {not json")  # and the connection ends
                    self.wfile.flush()
                    self.close_connection = True
                    return
                chunk = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": body["model"],
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                time.sleep(double.delay)
            last = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [{"index": 0, "delta": {}, "finish_reason": double.finish}],
            }
            self.wfile.write(f"data: {json.dumps(last)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def reply_whole(self, body: dict[str, Any], text: str) -> None:
            answer = {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
            }
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def pieces(text: str) -> Iterator[str]:
    """The answer in small pieces, as a model writes it (a few words at a time)."""
    words = text.split(" ")
    for start in range(0, len(words), 3):
        chunk = " ".join(words[start : start + 3])
        yield chunk if start + 3 >= len(words) else chunk + " "


@contextmanager
def running() -> Iterator[Double]:
    double = Double()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(double))
    double.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
