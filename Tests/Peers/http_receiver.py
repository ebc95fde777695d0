#!/usr/bin/env python3
"""A real HTTP server on loopback for the notification tests: records every request and plays
a webhook, Slack, a small Jira (REST API v2) and GitHub's issues API.

usage: http_receiver.py LOG [--fail PREFIX:COUNT:STATUS]... [--lose PREFIX:COUNT] [--token TOKEN]

Prints the port it listens on, then serves until killed. Each request is appended to LOG as a
JSON line: method, path, headers (lower-case names), body. --fail answers the first COUNT
requests whose path starts with PREFIX with STATUS; --lose does the work of the first COUNT
such requests and then answers 500, as if the answer were lost on the way back. With --token,
/jira and /gh requests need "Authorization: Bearer TOKEN" (or Basic) and get 401 without.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

log_path = sys.argv[1]
fails, loses, token = [], [], None
args = sys.argv[2:]
while args:
    flag, value = args[0], args[1]
    args = args[2:]
    if flag == "--fail":
        prefix, count, status = value.rsplit(":", 2)
        fails.append([prefix, int(count), int(status)])
    elif flag == "--lose":
        prefix, count = value.rsplit(":", 1)
        loses.append([prefix, int(count)])
    elif flag == "--token":
        token = value

lock = threading.Lock()
jira = {}    # key -> {"labels": [...], "status": "To Do"}
github = {}  # number -> {"labels": [...], "state": "open"}


def take(rules, path):
    for rule in rules:
        if path.startswith(rule[0]) and rule[1] > 0:
            rule[1] -= 1
            return rule
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=None):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        with lock:
            with open(log_path, "a") as log:
                log.write(json.dumps({
                    "method": self.command, "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                }) + "\n")
            failing = take(fails, self.path)
            if failing:
                return self.answer(failing[2], {"error": "injected failure"})
            lost = take(loses, self.path)
            if token and self.path.startswith(("/jira", "/gh")):
                if self.headers.get("Authorization") not in ("Bearer " + token,) and not (
                        self.headers.get("Authorization", "").startswith("Basic ")):
                    return self.answer(401, {"message": "Bad credentials"})
            status, reply = self.route(self.command, self.path, body)
            if lost:
                return self.answer(500, {"error": "answer lost"})
            return self.answer(status, reply)

    def route(self, method, path, body):
        url = urlsplit(path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        query = parse_qs(url.query)
        if parts[:1] == ["jira"]:
            rest = parts[1:]
            if method == "POST" and rest == ["rest", "api", "2", "issue"]:
                fields = json.loads(body)["fields"]
                key = "%s-%d" % (fields["project"]["key"], len(jira) + 1)
                jira[key] = {"labels": fields.get("labels", []), "status": "To Do"}
                return 201, {"id": str(10000 + len(jira)), "key": key, "self": "http://jira/rest/api/2/issue/" + key}
            if method == "GET" and rest == ["rest", "api", "2", "search"]:
                jql = query.get("jql", [""])[0]
                label = jql.split('"')[1] if '"' in jql else ""
                issues = [{"key": k} for k, v in jira.items() if label in v["labels"]]
                return 200, {"issues": issues, "total": len(issues)}
            if len(rest) == 6 and rest[:4] == ["rest", "api", "2", "issue"] and rest[5] == "transitions":
                key = rest[4]
                if key not in jira:
                    return 404, {"errorMessages": ["Issue does not exist"]}
                if method == "GET":
                    return 200, {"transitions": [{"id": "11", "name": "To Do"}, {"id": "31", "name": "Done"}]}
                chosen = json.loads(body)["transition"]["id"]
                jira[key]["status"] = {"11": "To Do", "31": "Done"}.get(chosen, "?")
                return 204, None
            return 404, {"errorMessages": ["no such resource"]}
        if parts[:1] == ["gh"]:
            rest = parts[1:]
            if len(rest) == 4 and rest[0] == "repos" and rest[3] == "issues":
                if method == "POST":
                    issue = json.loads(body)
                    number = len(github) + 1
                    github[number] = {"labels": issue.get("labels", []), "state": "open"}
                    return 201, {"number": number, "html_url": "https://github.example/%s/%s/issues/%d" % (rest[1], rest[2], number)}
                label = query.get("labels", [""])[0]
                return 200, [{"number": n, "html_url": "https://github.example/i/%d" % n}
                             for n, v in github.items() if label in v["labels"]]
            if len(rest) == 5 and rest[0] == "repos" and rest[3] == "issues" and method == "PATCH":
                number = int(rest[4])
                if number not in github:
                    return 404, {"message": "Not Found"}
                github[number]["state"] = json.loads(body)["state"]
                return 200, {"number": number, "state": github[number]["state"]}
            return 404, {"message": "Not Found"}
        return 200, b"ok"

    do_GET = do_POST = do_PATCH = do_PUT = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
