#!/usr/bin/env python3
"""A real SMTP server on loopback (aiosmtpd) for the e-mail sink's tests.

usage: smtp_sink.py LOG

Prints the port it listens on, then accepts every message until killed, appending each to LOG
as a JSON line: envelope sender, recipients and the message text.
"""
import asyncio
import json
import sys

from aiosmtpd.smtp import SMTP

log_path = sys.argv[1]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(log_path, "a") as log:
            log.write(json.dumps({
                "from": envelope.mail_from, "to": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
            }) + "\n")
        return "250 Message accepted for delivery"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler()), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
