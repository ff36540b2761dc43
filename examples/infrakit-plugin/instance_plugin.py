#!/usr/bin/env python3
"""A minimal InfraKit instance plugin: what Deploy (or InfraKit's own CLI) calls through a unix socket.

Run it with the socket in the plugins folder, named after the plugin:
    python3 instance_plugin.py ~/.infrakit/plugins/instance-memory
Instances live in this process's memory; a real plugin would create machines, VMs or containers here.
Standard library only. The protocol: HTTP/1.1 over the socket, every call a POST with a JSON body, a 200 answer with
JSON (or nothing), and a plugin error as 400 {"error": "message"}. See the README's "External plugins" section.
"""
import http.server
import json
import os
import socketserver
import sys

instances = {}  # ID -> {"ID", "LogicalID", "Tags"}


class Plugin(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as InfraKit's Go client expects

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = json.loads(body) if body.strip() else None
        path = self.path.split("?")[0]
        if path == "/Instance.Validate":
            return self.answer(200, None)  # any Properties are fine here
        if path == "/Instance.Provision":
            spec = request or {}
            id = "instance-%d" % (len(instances) + 1)
            while id in instances:
                id += "x"
            instances[id] = {"ID": id, "LogicalID": spec.get("LogicalID"), "Tags": spec.get("Tags") or {}}
            return self.answer(200, {"ID": id})
        if path.startswith("/Instance.Destroy/"):
            id = path[len("/Instance.Destroy/"):]
            if id not in instances:
                return self.answer(400, {"error": "no instance " + id})
            del instances[id]
            return self.answer(200, None)
        if path == "/Instance.DescribeInstances":
            tags = request or {}
            found = [i for i in instances.values() if all(i["Tags"].get(k) == v for k, v in tags.items())]
            return self.answer(200, found)
        return self.answer(400, {"error": "unknown method " + path})

    def answer(self, status, value):
        data = b"" if value is None else json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def address_string(self):
        return "socket"  # a unix socket has no client address

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if __name__ == "__main__":
    path = sys.argv[1]
    if os.path.exists(path):
        os.remove(path)  # a socket left by a plugin that was killed
    with Server(path, Plugin) as server:
        try:
            server.serve_forever()
        finally:
            os.remove(path)
