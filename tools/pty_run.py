#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, types a line when it asks for a password, and prints everything the
terminal showed; exits with the command's status. For btpow's masked password prompt tests.

    python3 tools/pty_run.py PASSWORD COMMAND [ARG...]

PASSWORD "^C" presses Ctrl-C at the prompt instead; the last line printed is then "terminal echo: on" or
"terminal echo: off", the terminal's state after the command ended.
"""
import os
import pty
import select
import sys
import termios
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
            os.write(fd, b"\x03" if password == b"^C" else password + b"\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(shown.decode(errors="replace"))
    if password == b"^C":
        echo = termios.tcgetattr(fd)[3] & termios.ECHO
        sys.stdout.write("\nterminal echo: %s\n" % ("on" if echo else "off"))
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
