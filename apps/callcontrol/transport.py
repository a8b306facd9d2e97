"""The agent's SIP transport: one UDP socket and a TCP listener on the same port, outgoing TCP connections
(one per destination), framing of SIP over TCP by Content-Length, and next-hop resolution. Whatever arrives
is handed to `received` (the agent's dispatcher) as bytes with its source `(host, port, "udp"|"tcp")`."""

from __future__ import annotations

import asyncio
import logging
import re
import socket

from apps.callcontrol.sip import host_port

log = logging.getLogger("apps.callcontrol.agent")


def parse_proxy(proxy: str) -> tuple[str, int, str]:
    """`host[:port][;transport=tcp]` (SIPX_PROXY) as the destination tuple `(host, port, transport)`."""
    host, _, rest = proxy.partition(":")
    port_text, _, transport = rest.partition(";transport=")
    return (host, int(port_text or 5060), (transport or "udp").lower())


class SipTransport:
    """Mixed into the Agent: sets `loop`, `udp`, `tcp_server`, `port` (the real one) and keeps `tcp`
    (destination -> open connection) and `addresses` (host name -> IPv4 address)."""

    bind: str
    port: int
    address: str
    proxy: tuple[str, int, str]
    tcp: dict[tuple, asyncio.StreamWriter]
    tcp_locks: dict[tuple, asyncio.Lock]
    addresses: dict[str, str]

    def received(self, data: bytes, source: tuple) -> None:  # pragma: no cover - the agent defines it
        raise NotImplementedError

    async def open_sockets(self) -> None:
        self.loop = asyncio.get_running_loop()
        transport = self

        class Udp(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr):
                transport.received(data, (addr[0], addr[1], "udp"))

            def error_received(self, exc):
                log.debug("UDP error: %s", exc)

        host = self.bind or "0.0.0.0"
        try:
            self.udp, _ = await self.loop.create_datagram_endpoint(Udp, local_addr=(host, self.port))
        except OSError as exc:
            # The port is taken (another agent on this machine?): any free port works, because the Via and
            # Contact of every request carry the port the answers and in-dialog requests must come to.
            log.warning("SIP port %s:%s is not available (%s); using a free port instead", host, self.port, exc)
            self.udp, _ = await self.loop.create_datagram_endpoint(Udp, local_addr=(host, 0))
        self.port = self.udp.get_extra_info("sockname")[1]
        try:
            self.tcp_server = await asyncio.start_server(self._tcp_client, host, self.port)
        except OSError as exc:
            log.warning("no SIP over TCP: port %s:%s is taken (%s)", host, self.port, exc)
            self.tcp_server = None
        if not self.address:
            self.address = self._outgoing_address()

    def close_sockets(self) -> None:
        self.udp.close()
        if self.tcp_server is not None:
            self.tcp_server.close()
        for writer in self.tcp.values():
            writer.close()

    def _outgoing_address(self) -> str:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((self.proxy[0], self.proxy[1]))
                return s.getsockname()[0]
            except OSError:
                return "127.0.0.1"

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        peer = writer.get_extra_info("peername")
        key = (peer[0], peer[1], "tcp")
        self.tcp[key] = writer
        await self._read_stream(reader, key)

    async def _read_stream(self, reader, key):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.strip():
                    continue
                m = re.search(rb"\r\n(?:content-length|l)\s*:\s*(\d+)", head, re.I)
                body = await reader.readexactly(int(m.group(1))) if m else b""
                self.received(head + body, key)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer = self.tcp.pop(key, None)
            if writer is not None:
                writer.close()

    async def _tcp_writer(self, dest) -> asyncio.StreamWriter:
        # One connection per destination: sends queued before it is open wait for it (the lock).
        async with self.tcp_locks.setdefault(dest, asyncio.Lock()):
            writer = self.tcp.get(dest)
            if writer is None or writer.is_closing():
                reader, writer = await asyncio.open_connection(dest[0], dest[1])
                self.tcp[dest] = writer
                asyncio.create_task(self._read_stream(reader, dest))
            return writer

    def send_raw(self, data: bytes, dest: tuple) -> None:
        if dest[2] == "tcp":

            async def send():
                try:
                    (await self._tcp_writer(dest)).write(data)
                except OSError as exc:
                    log.warning("TCP send to %s:%s failed: %s", dest[0], dest[1], exc)

            asyncio.create_task(send())
        else:
            self.udp.sendto(data, (dest[0], dest[1]))

    def hop(self, uri: str) -> tuple:
        host, port, transport = host_port(uri)
        return (self.addresses.get(host, host), port, "tcp" if transport == "tcp" else "udp")

    async def resolve(self, host: str) -> str:
        if host in self.addresses:
            return self.addresses[host]
        try:
            socket.inet_aton(host)
            return host
        except OSError:
            pass
        infos = await self.loop.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_DGRAM)
        self.addresses[host] = infos[0][4][0]
        return self.addresses[host]
