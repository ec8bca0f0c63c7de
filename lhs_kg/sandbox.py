"""A network sandbox for query worker processes: seccomp-BPF that lets no socket reach the network.

pyoxigraph evaluates ``SERVICE`` by making HTTP requests itself, and there is no switch to turn
that off. So a query worker installs, before it opens any store, a seccomp filter under which
``socket()`` fails with EPERM for every address family but ``AF_UNIX`` (the worker talks to its
parent over a Unix socket pair) and ``io_uring_setup`` (another way to open sockets) is refused.
Even a SERVICE clause the parse-based guard missed then cannot connect anywhere.

Linux only, x86_64 and aarch64 (their syscall numbers differ); the filter also checks the
architecture of each call, so a 32-bit or x32 system call cannot step around it. Where the
filter cannot be installed, :func:`deny_network` says why and the caller decides (the worker
reports it and the guard alone protects).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AF_UNIX = 1
_X32_BIT = 0x40000000

# (audit architecture, socket syscall, io_uring_setup syscall) per machine
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}

_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (little-endian machines)


class SandboxUnavailableError(OSError):
    """The network sandbox cannot be installed here (not Linux, unknown machine, refused)."""


def _filter(arch: int, socket_nr: int, uring_nr: int) -> list[tuple[int, int, int, int]]:
    """The BPF program: (code, jump-if-true, jump-if-false, constant) per instruction."""
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    return [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ_K, 1, 0, arch),  # another ABI (i386, …): refuse every call
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, _NR),
        (_JGE_K, 0, 1, _X32_BIT),  # x32 system calls on x86_64
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 0, 1, uring_nr),
        (_RET_K, 0, 0, deny),
        (_JEQ_K, 0, 3, socket_nr),
        (_LD_W_ABS, 0, 0, _ARG0),  # socket(domain, …): the domain's low 32 bits
        (_JEQ_K, 1, 0, AF_UNIX),
        (_RET_K, 0, 0, deny),
        (_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def deny_network() -> None:
    """Install the filter on the calling thread and the threads it starts later.

    Call it before the process starts any other thread. Raises
    :class:`SandboxUnavailableError` when it cannot be installed.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailableError(f"seccomp needs Linux, this is {sys.platform}")
    machine = platform.machine()
    if machine not in _ARCHES:
        raise SandboxUnavailableError(f"no seccomp filter for the {machine} architecture")
    program = _filter(*_ARCHES[machine])
    raw = b"".join(struct.pack("<HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(raw, len(raw))
    fprog = _SockFprog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [
        ctypes.c_int,
        ctypes.c_ulong,
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_ulong,
    ]
    libc.prctl.restype = ctypes.c_int
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        raise SandboxUnavailableError(f"prctl(NO_NEW_PRIVS): {_last_error()}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise SandboxUnavailableError(f"prctl(SECCOMP): {_last_error()}")


def _last_error() -> str:
    code = ctypes.get_errno()
    return f"{errno.errorcode.get(code, code)} {os.strerror(code)}"


PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends (False where that is not possible).

    A worker busy with a runaway query would otherwise outlive a server that was stopped.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
