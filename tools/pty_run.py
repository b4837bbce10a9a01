#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, types a line when it asks for a password, and prints everything the
terminal showed; exits with the command's status. For btpow's masked password prompt tests.

    python3 tools/pty_run.py PASSWORD COMMAND [ARG...]
"""
import os
import pty
import select
import sys
import time


def main():
    password, argv = sys.argv[1].encode(), sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    shown, typed = b"", False
    deadline = time.time() + 120
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        if not typed and b"password" in shown.lower():
            time.sleep(0.2)  # let it turn echo off first, as a person would be slower still
            os.write(fd, password + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(shown.decode(errors="replace"))
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128)


if __name__ == "__main__":
    main()
