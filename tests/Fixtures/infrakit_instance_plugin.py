#!/usr/bin/env python3
"""An external InfraKit instance plugin (and, on the same socket, a flavor and a Deploy proxy plugin), as /work/shared/INFRAKIT-PROTOCOL.md defines the protocol (docker/infrakit
b768a09): HTTP/1.1 over a unix socket, POST /Instance.Validate, /Instance.Provision, /Instance.Destroy/{id} and
/Instance.DescribeInstances. Standard library only. Instances live in memory and are mirrored to a JSON state file
(--state), so a test can assert on what the plugin holds: {"instances": {id: {"ID", "LogicalID", "Tags", "Spec"}}}.

The flavor (/Flavor.Validate, /Flavor.PreProvision, /Flavor.Healthy) adds Properties' "Init" lines and "Tags" to the
instance spec, and judges an instance unhealthy when it is tagged unhealthy=true. The proxy (Deploy's /Proxy.Validate,
/Proxy.Current, /Proxy.Apply) keeps the route last applied, mirrored to the state file as "route".

Test knobs (environment):
  PLUGIN_DELAY=N               wait N seconds before answering (a slow plugin)
  PLUGIN_DELAY_PATHS=/a,/b     only for these paths (default: every path)
  PLUGIN_MALFORMED=/a,/b       answer these paths with malformed JSON
  PLUGIN_REJECT_FIELD=Name     /Instance.Validate answers 400 {"error": ...} when Properties has field Name
  PLUGIN_ENDPOINTS=1           Deploy's extension: answer /Deploy.Capabilities {"Endpoints": true} and describe each
                               instance's "Endpoint": Properties' "Endpoint" if given, else the instance is a small
                               HTTP server on 127.0.0.1 answering 200 with Properties' "Version" at every path
"""
import argparse
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time

lock = threading.Lock()
instances = {}
route = [None]
servers = {}
counter = [0]


def env_list(name):
    return [p for p in os.environ.get(name, "").split(",") if p]


DELAY = float(os.environ.get("PLUGIN_DELAY", "0"))
DELAY_PATHS = env_list("PLUGIN_DELAY_PATHS")
MALFORMED = env_list("PLUGIN_MALFORMED")
REJECT_FIELD = os.environ.get("PLUGIN_REJECT_FIELD", "")
ENDPOINTS = os.environ.get("PLUGIN_ENDPOINTS", "") == "1"


class PluginError(Exception):
    pass


def save(state_file):
    if not state_file:
        return
    tmp = state_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"instances": instances, "route": route[0]}, f, indent=2, sort_keys=True)
    os.replace(tmp, state_file)


def describe(record):
    d = {"ID": record["ID"], "LogicalID": record["LogicalID"], "Tags": record["Tags"]}
    if ENDPOINTS:
        d["Endpoint"] = record["Endpoint"]
    return d


def validate(body, _):
    refuse_field(body)
    return None


def provision(spec, state_file):
    if not isinstance(spec, dict):
        raise PluginError("spec must be an object")
    with lock:
        counter[0] += 1
        n = counter[0]
        iid = "instance-%d" % n
        props = spec.get("Properties")
        if isinstance(props, dict) and "Endpoint" in props:
            endpoint = props["Endpoint"]
        elif ENDPOINTS:
            version = str(props.get("Version", "")) if isinstance(props, dict) else ""
            servers[iid] = serve_instance(version)
            endpoint = "127.0.0.1:%d" % servers[iid].server_address[1]
        else:
            endpoint = None
        instances[iid] = {"ID": iid, "LogicalID": spec.get("LogicalID"), "Tags": spec.get("Tags") or {},
                          "Spec": spec, "Endpoint": endpoint}
        save(state_file)
    return {"ID": iid}


def destroy(iid, state_file):
    with lock:
        if iid not in instances:
            raise PluginError("instance %s not found" % iid)
        del instances[iid]
        if iid in servers:
            server = servers.pop(iid)
            server.shutdown()
            server.server_close()
        save(state_file)
    return None


def describe_instances(tags, _):
    tags = tags or {}
    with lock:
        found = [describe(r) for r in instances.values()
                 if all(r["Tags"].get(k) == v for k, v in tags.items())]
    return sorted(found, key=lambda d: d["ID"])


def refuse_field(properties):
    if REJECT_FIELD and isinstance(properties, dict) and REJECT_FIELD in properties:
        raise PluginError('field "%s" is not allowed by this plugin' % REJECT_FIELD)


def flavor_validate(body, _):
    refuse_field((body or {}).get("Properties"))
    return None


def flavor_preprovision(body, _):
    props = body.get("Properties") or {}
    spec = dict(body["Instance"])
    spec["Tags"] = dict(spec.get("Tags") or {}, **props.get("Tags", {}))
    if props.get("Init"):
        spec["Init"] = "\n".join(props["Init"])
    return spec


def flavor_healthy(description, _):
    return {"Healthy": (description.get("Tags") or {}).get("unhealthy") != "true", "Instance": description}


def proxy_validate(properties, _):
    refuse_field(properties)
    return None


def proxy_current(_, __):
    with lock:
        return route[0]


def proxy_apply(body, state_file):
    with lock:
        route[0] = body["Route"]
        save(state_file)
    return None


def serve_instance(version):
    """An instance that answers HTTP: 200 with its version at every path, so health checks and Verify pass."""

    class App(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            data = version.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


ROUTES = {
    "/Instance.Validate": validate,
    "/Instance.Provision": provision,
    "/Instance.DescribeInstances": describe_instances,
    "/Flavor.Validate": flavor_validate,
    "/Flavor.PreProvision": flavor_preprovision,
    "/Flavor.Healthy": flavor_healthy,
    "/Proxy.Validate": proxy_validate,
    "/Proxy.Current": proxy_current,
    "/Proxy.Apply": proxy_apply,
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state_file = None

    def address_string(self):
        return "unix"

    def log_message(self, fmt, *args):
        sys.stderr.write("plugin: " + (fmt % args) + "\n")
        sys.stderr.flush()

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path
        if path.startswith("http://"):
            path = "/" + path.split("/", 3)[3]
        sys.stderr.write("plugin: received %s\n" % path)
        sys.stderr.flush()
        if DELAY and (not DELAY_PATHS or any(path.startswith(p) for p in DELAY_PATHS)):
            time.sleep(DELAY)
        if any(path.startswith(p) for p in MALFORMED):
            self.answer(200, '[{"ID": "instance-1", "Tags": {')
            return
        try:
            body = json.loads(raw) if raw.strip() else None
            if path.startswith("/Instance.Destroy/"):
                result = destroy(path[len("/Instance.Destroy/"):], self.state_file)
            elif path == "/Deploy.Capabilities" and ENDPOINTS:
                result = {"Endpoints": True}
            elif path in ROUTES:
                result = ROUTES[path](body, self.state_file)
            else:
                # What Go's mux answers for a path it does not know.
                self.answer(404, "404 page not found\n")
                return
        except PluginError as e:
            # InfraKit's server: 400 with the message, double quotes made single.
            self.answer(400, json.dumps({"error": str(e).replace('"', "'")}))
            return
        except Exception as e:  # a panic in the handler
            self.answer(500, json.dumps({"error": str(e).replace('"', "'")}))
            return
        self.answer(200, "" if result is None else json.dumps(result))


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True)
    parser.add_argument("--state", default="")
    args = parser.parse_args()
    Handler.state_file = args.state
    if args.state and os.path.exists(args.state):
        with open(args.state) as f:
            saved = json.load(f)
            instances.update(saved["instances"])
            route[0] = saved.get("route")
        counter[0] = max([int(i.split("-")[-1]) for i in instances] or [0])
    if os.path.exists(args.socket):
        os.remove(args.socket)
    server = Server(args.socket, Handler)

    def stop(*_):
        os.remove(args.socket)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    save(args.state)
    print("listening on %s" % args.socket, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
