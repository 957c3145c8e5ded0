"""Hosts made of Linux network namespaces, for the multi-host test.

Every name this module makes starts with `nrf<pid>` (the pid of the test process that made it),
so a run tears down only its own namespaces and links, and `clean_leftovers` removes what a
crashed earlier run left (names of that family whose pid is gone), processes inside included.
The root namespace gets one veth end with one /24 address of a subnet no route there uses yet;
nothing else in it changes (no forwarding, no routes, no firewall rules).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

FAMILY: Final = "nrf"
SUBNET: Final = "10.213"
_LEFTOVER = re.compile(rf"^{FAMILY}(\d+)[a-z]*$")


class NamespacesUnavailable(Exception):
    """Raised when this machine cannot make network namespaces (not root, no `ip`, no veth)."""


def ip(*args: str) -> str:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers() -> None:
    """Remove namespaces and root links of this family whose test process is gone."""
    for line in ip("netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        match = _LEFTOVER.match(name)
        if match and not _pid_alive(int(match.group(1))):
            _delete_namespace(name)
    for line in ip("-o", "link", "show").splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        match = _LEFTOVER.match(name)
        if match and not _pid_alive(int(match.group(1))):
            with contextlib.suppress(RuntimeError):
                ip("link", "del", name)


def _delete_namespace(name: str) -> None:
    """Kill what still runs inside the namespace (only ever our own test's processes)."""
    with contextlib.suppress(RuntimeError):
        for pid in ip("netns", "pids", name).split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
    with contextlib.suppress(RuntimeError):
        ip("netns", "del", name)


def _free_root_subnet() -> int:
    """A third octet whose 10.213.N.0/24 no root-namespace route or address uses."""
    used = ip("-4", "route", "show", "table", "all") + ip("-4", "addr", "show")
    start = os.getpid() % 240
    for step in range(240):
        octet = 1 + (start + step) % 240
        if f"{SUBNET}.{octet}." not in used:
            return octet
    raise NamespacesUnavailable(f"no free {SUBNET}.N.0/24 subnet in the root namespace")


@dataclass
class Network:
    """A services host linked to the root namespace (the client) and to each worker host by
    its own veth pair; worker hosts reach only the services host."""

    prefix: str = field(default_factory=lambda: f"{FAMILY}{os.getpid()}")
    namespaces: list[str] = field(default_factory=list)
    root_link: str = ""
    services_address: str = ""
    """The services host's address as the client in the root namespace sees it."""
    worker_gateways: dict[str, str] = field(default_factory=dict)
    """Each worker host's view of the services host's address."""

    def namespace(self, host: str) -> str:
        return f"{self.prefix}{host}"

    def add_services(self) -> None:
        octet = _free_root_subnet()
        name = self._add_namespace("s")
        self.root_link = f"{self.prefix}c"
        ip("link", "add", self.root_link, "type", "veth", "peer", "name", "client", "netns", name)
        ip("addr", "add", f"{SUBNET}.{octet}.1/24", "dev", self.root_link)
        ip("link", "set", self.root_link, "up")
        self.services_address = f"{SUBNET}.{octet}.2"
        ip("-n", name, "addr", "add", f"{self.services_address}/24", "dev", "client")
        ip("-n", name, "link", "set", "client", "up")

    def add_worker_host(self, host: str, octet: int) -> None:
        """Worker host `host` (one lowercase letter) on 10.213.<octet>.0/24 (octet > 240)."""
        services, name = self.namespace("s"), self._add_namespace(host)
        ip("-n", services, "link", "add", f"to{host}", "type", "veth", "peer", "name", "eth0")
        ip("-n", services, "link", "set", "eth0", "netns", name)
        ip("-n", services, "addr", "add", f"{SUBNET}.{octet}.1/24", "dev", f"to{host}")
        ip("-n", services, "link", "set", f"to{host}", "up")
        ip("-n", name, "addr", "add", f"{SUBNET}.{octet}.2/24", "dev", "eth0")
        ip("-n", name, "link", "set", "eth0", "up")
        self.worker_gateways[host] = f"{SUBNET}.{octet}.1"

    def set_link(self, host: str, up: bool) -> None:
        """Take a worker host's own interface down or up: no process or socket is touched."""
        ip("-n", self.namespace(host), "link", "set", "eth0", "up" if up else "down")

    def exec_prefix(self, host: str, hostname: str) -> list[str]:
        """A command prefix that runs in host's namespace under its own hostname."""
        return [
            "ip", "netns", "exec", self.namespace(host),
            "unshare", "--uts", "sh", "-c", f'hostname {hostname} && exec "$@"', "sh",
        ]  # fmt: skip

    def _add_namespace(self, host: str) -> str:
        name = self.namespace(host)
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("-n", name, "link", "set", "lo", "up")
        return name

    def teardown(self) -> None:
        for name in reversed(self.namespaces):
            _delete_namespace(name)
        self.namespaces.clear()
        if self.root_link:
            with contextlib.suppress(RuntimeError):
                ip("link", "del", self.root_link)
            self.root_link = ""


def check_available() -> None:
    """Raise `NamespacesUnavailable` with the reason this machine cannot make hosts."""
    if os.geteuid() != 0:
        raise NamespacesUnavailable("network namespaces need root")
    for tool in ("ip", "unshare", "hostname"):
        if shutil.which(tool) is None:
            raise NamespacesUnavailable(f"`{tool}` is not installed")
    probe = f"{FAMILY}{os.getpid()}p"
    try:
        ip("netns", "add", probe)
        ip("-n", probe, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1")
        ip("netns", "exec", probe, "unshare", "--uts", "hostname", "probe")
    except RuntimeError as error:
        raise NamespacesUnavailable(
            f"cannot make a namespace with a veth pair and a hostname: {error}"
        ) from None
    finally:
        _delete_namespace(probe)


@contextlib.contextmanager
def network() -> Iterator[Network]:
    """A fresh `Network` with its services host, torn down on the way out whatever happens."""
    clean_leftovers()
    made = Network()
    try:
        made.add_services()
        yield made
    finally:
        made.teardown()
