"""A user-space TCP proxy that delays every byte by a random 10-30 ms in each direction.

The multi-host test's stand-in for `tc netem`, which this kernel lacks: it runs in the services
namespace and forwards ports that other hosts reach (Redis on 6379, S3 on 8333, say) to the
servers listening on that namespace's loopback. Bytes keep their order within a connection
(each chunk of data leaves no earlier than the one before it), and the proxy closes one side of
a connection only when the other side closes or fails, so a host whose link goes down leaves its
connections hanging, as a real network would.

Usage: python -m tests.integration.latency_proxy [--min-ms 10] [--max-ms 30]
       LISTEN_PORT=TARGET_HOST:TARGET_PORT ...
It prints `ready` once every port listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
from dataclasses import dataclass
from typing import Final

READ_SIZE: Final = 65536


@dataclass(frozen=True)
class Route:
    listen_port: int
    target_host: str
    target_port: int

    @classmethod
    def parse(cls, text: str) -> Route:
        listen, target = text.split("=", 1)
        host, port = target.rsplit(":", 1)
        return cls(int(listen), host, int(port))


@dataclass(frozen=True)
class Delay:
    min_s: float
    max_s: float

    def draw(self) -> float:
        return random.uniform(self.min_s, self.max_s)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: Delay) -> None:
    """Copy one direction, each chunk held back by its own delay but never overtaking."""
    loop = asyncio.get_running_loop()
    pending: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def send() -> None:
        while True:
            due, data = await pending.get()
            await asyncio.sleep(max(0.0, due - loop.time()))
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    last_due = 0.0
    try:
        while True:
            data = await reader.read(READ_SIZE)
            last_due = max(last_due, loop.time() + delay.draw())
            pending.put_nowait((last_due, data))
            if not data:
                break
        await sender
    finally:
        sender.cancel()


async def _serve(route: Route, delay: Delay) -> asyncio.Server:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(route.target_host, route.target_port)
        except OSError:
            client_w.close()
            return
        directions = [
            asyncio.create_task(_pipe(client_r, server_w, delay)),
            asyncio.create_task(_pipe(server_r, client_w, delay)),
        ]
        try:
            await asyncio.gather(*directions)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for task in directions:
                task.cancel()
            for writer in (client_w, server_w):
                with contextlib.suppress(OSError):
                    writer.close()

    return await asyncio.start_server(handle, "0.0.0.0", route.listen_port)


async def run(routes: list[Route], delay: Delay) -> None:
    servers = [await _serve(route, delay) for route in routes]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--min-ms", type=float, default=10.0)
    parser.add_argument("--max-ms", type=float, default=30.0)
    parser.add_argument("routes", nargs="+", type=Route.parse)
    args = parser.parse_args(argv)
    asyncio.run(run(args.routes, Delay(args.min_ms / 1000, args.max_ms / 1000)))


if __name__ == "__main__":
    main(sys.argv[1:])
