"""A lean SMTP sink for benchmarks: a real SMTP conversation (RFC 5321 commands, replies, dot-stuffed DATA) that
discards every message, written to cost the server as little CPU as possible so it is not what a bench measures.

    .venv/bin/python bench/smtp_sink.py 127.0.0.1:8025          # serve until killed
    .venv/bin/python bench/smtp_sink.py --measure                 # how many emails/s it takes from smtplib

Not for tests: tests use aiosmtpd (tests/tracker/conftest.py), which checks more and records what arrived.
"""

import argparse
import asyncio
import multiprocessing
import smtplib
import socket
import subprocess
import sys
import time

REPLIES = {
    b"HELO": b"250 sink\r\n",
    b"EHLO": b"250-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP\r\n",
    b"MAIL": b"250 OK\r\n",
    b"RCPT": b"250 OK\r\n",
    b"RSET": b"250 OK\r\n",
    b"NOOP": b"250 OK\r\n",
}


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 sink ESMTP\r\n")
    has_sender = has_recipient = False
    try:
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                if not (has_sender and has_recipient):
                    writer.write(b"503 Error: need MAIL and RCPT first\r\n")
                    continue
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await reader.readuntil(b"\r\n.\r\n")  # the message, discarded
                writer.write(b"250 OK queued\r\n")
                has_sender = has_recipient = False
            elif verb == b"QUIT":
                writer.write(b"221 Bye\r\n")
                break
            elif verb == b"RCPT" and not has_sender:
                writer.write(b"503 Error: need MAIL command\r\n")
            elif verb in REPLIES:
                if verb in (b"MAIL", b"RSET", b"HELO", b"EHLO"):
                    has_sender, has_recipient = verb == b"MAIL", False
                elif verb == b"RCPT":
                    has_recipient = True
                writer.write(REPLIES[verb])
            else:
                writer.write(b"500 Error: command not recognized\r\n")
            await writer.drain()
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(host: str, port: int) -> None:
    server = await asyncio.start_server(session, host, port, limit=1 << 22)
    async with server:
        await server.serve_forever()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(port: int, *, lean: bool = True) -> subprocess.Popen:
    """Start a sink process on 127.0.0.1:port (this lean one, or aiosmtpd's Sink) and wait until it listens."""
    if lean:
        command = [sys.executable, __file__, f"127.0.0.1:{port}"]
    else:
        command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    sink = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return sink
        time.sleep(0.05)
    sink.kill()
    sys.exit(f"The SMTP sink ({' '.join(command[1:3])}) did not start.")


def _message(index: int) -> bytes:
    lines = [
        "From: homeward@bench.example.org",
        f"To: member{index}@bench.example.org",
        "Subject: Follow-ups due",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        *["A line of a reminder email, as long as a typical one."] * 40,
        "",
    ]
    return "\r\n".join(lines).encode()


def _client(port: int, count: int, results) -> None:
    messages = [_message(i) for i in range(count)]  # built before the clock starts: only the conversation counts
    client = smtplib.SMTP("127.0.0.1", port)
    started = time.time()
    for index, message in enumerate(messages):
        client.sendmail("homeward@bench.example.org", [f"member{index}@bench.example.org"], message)
    ended = time.time()
    client.quit()
    results.put((started, ended, count))


def capacity(ports: list[int], *, count: int) -> float:
    """Emails/s the sinks on these ports take from one plain smtplib client each, over one reused connection."""
    results = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=_client, args=(port, count, results)) for port in ports]
    for client in clients:
        client.start()
    reports = [results.get(timeout=120) for _ in clients]
    for client in clients:
        client.join()
    return sum(r[2] for r in reports) / (max(r[1] for r in reports) - min(r[0] for r in reports))


def measure(count: int) -> None:
    """Side by side: aiosmtpd's Sink and this sink, 1 client, then 2 clients on one sink, then 2 on one sink each."""
    for lean in (False, True):
        name = "lean sink" if lean else "aiosmtpd  "
        ports = [free_port(), free_port()]
        sinks = [start(port, lean=lean) for port in ports]
        try:
            one = capacity(ports[:1], count=count)
            shared = capacity([ports[0], ports[0]], count=count // 2)
            apart = capacity(ports, count=count // 2)
        finally:
            for sink in sinks:
                sink.terminate()
                sink.wait(timeout=10)
        print(
            f"{name}: 1 client {one:,.0f} emails/s; 2 clients on one sink {shared:,.0f}/s; "
            f"2 clients on a sink each {apart:,.0f}/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listen", nargs="?", help="host:port to serve on")
    parser.add_argument("--measure", action="store_true", help="measure aiosmtpd and this sink side by side")
    parser.add_argument("--count", type=int, default=2000, help="emails per measurement (default 2000)")
    args = parser.parse_args()
    if args.measure:
        measure(args.count)
    elif args.listen:
        host, _, port = args.listen.rpartition(":")
        asyncio.run(serve(host, int(port)))
    else:
        parser.error("give host:port to serve, or --measure")


if __name__ == "__main__":
    main()
