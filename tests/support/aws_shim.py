"""Test-only front for moto's server: protocol adapter and fault injector.

The Rust aws-sdk-cloudwatch speaks Smithy RPC v2 CBOR, which moto does not. This proxy
re-encodes CloudWatch calls (CBOR request -> moto's JSON protocol -> CBOR response, with
timestamps tagged from botocore's service model) and passes every other request (ECS, EC2,
Glue, moto's own API) through unchanged, except that an XML error moto gives a JSON-protocol
call (an IAM refusal) is re-encoded as the JSON error AWS sends. moto does all the API work;
this only re-encodes.

With --page-points N it paginates GetMetricData the way CloudWatch does past MaxDatapoints
(100,800 by default), which moto never does: at most N points a response, the rest behind a
NextToken.

With --fail-rate F it also answers a share F of AWS API requests with a throttling error or
a 503, and with --delay S it sleeps S seconds before some responses, so tests can prove that
results are complete and identical after the SDK's retries.

Usage: aws_shim.py --listen PORT --moto PORT [--fail-rate 0.2] [--delay 0.05] [--seed N]
Prints "ready" once listening. Counts requests per operation at GET /_shim/stats.
"""

import argparse
import datetime as dt
import gzip
import http.client
import json
import random
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2

CW_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
SESSION = botocore.session.get_session()
MODEL = SESSION.get_service_model("cloudwatch")
ECS_MODEL = SESSION.get_service_model("ecs")
ECS_TARGET = "AmazonEC2ContainerServiceV20141113."
STATS = Counter()
LOCK = threading.Lock()


def to_json(value):
    """CBOR-decoded request values -> JSON values (timestamps as epoch seconds)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        return float(value.value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def conform(value, shape):
    """moto returns some ECS string members as numbers (Container.cpu/memory); the real
    service and the SDK's model say string. Coerce them, guided by botocore's model."""
    if shape is None or value is None:
        return value
    if shape.type_name == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: conform(v, shape.members.get(k)) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [conform(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: conform(v, shape.value) for k, v in value.items()}
    return value


def paginate(payload, offset, limit):
    """Return points [offset, offset + limit) of the results, in result order, and a
    NextToken when more remain."""
    results, seen, taken = [], 0, 0
    for result in payload.get("MetricDataResults", []):
        times, values = result.get("Timestamps", []), result.get("Values", [])
        start = max(0, offset - seen)
        room = limit - taken
        part_t, part_v = times[start:start + room], values[start:start + room]
        seen += len(times)
        taken += len(part_t)
        if part_t or start == 0:
            results.append(dict(result, Timestamps=part_t, Values=part_v))
    payload = dict(payload, MetricDataResults=results)
    payload.pop("NextToken", None)
    if offset + limit < seen:
        payload["NextToken"] = str(offset + limit)
    return payload


def tag_timestamps(value, shape):
    """JSON response values -> CBOR values, tagging timestamp shapes (tag 1, epoch)."""
    if shape is None or value is None:
        return value
    if shape.type_name == "timestamp":
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return value
        return cbor2.CBORTag(1, float(value))
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: tag_timestamps(v, shape.members.get(k)) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [tag_timestamps(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: tag_timestamps(v, shape.value) for k, v in value.items()}
    return value


def json_error(status, data):
    """moto answers an IAM refusal with a Query-protocol XML error even for JSON-protocol
    services (Glue, ECS); AWS answers those in JSON: {"__type": "AccessDeniedException",
    "Message": ...}. Re-encode it so the SDK reads the error code as it would from AWS."""
    text = data.decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    kind = code.group(1) if code else "InternalFailure"
    if kind == "AccessDenied":
        kind = "AccessDeniedException"
    error = {"__type": kind, "Message": message.group(1) if message else ""}
    return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": kind}, json.dumps(error).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, headers, body):
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.moto_port, timeout=120)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        out = {k: v for k, v in response.getheaders() if k.lower() not in ("content-length", "transfer-encoding", "connection")}
        conn.close()
        return response.status, out, data

    def do_GET(self):
        if self.path == "/_shim/stats":
            with LOCK:
                body = json.dumps(dict(STATS)).encode()
            return self.send(200, {"Content-Type": "application/json"}, body)
        status, headers, data = self.forward("GET", self.path, dict(self.headers), None)
        self.send(status, headers, data)

    def do_PUT(self):
        # S3 (the run store's PutObject) passes through to moto as is.
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        status, headers, data = self.forward("PUT", self.path, dict(self.headers), body)
        self.send(status, headers, data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        # The SDK gzips large PutMetricData bodies (request compression), as AWS accepts.
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gzip.decompress(body)
        is_cbor = self.path.startswith(CW_PREFIX)
        operation = self.path[len(CW_PREFIX):] if is_cbor else self.headers.get("X-Amz-Target", "other")
        is_api = not self.path.startswith("/moto-api")
        with LOCK:
            STATS[operation] += 1
            roll = self.server.random.random()
        if is_api and roll < self.server.fail_rate:
            if roll < self.server.fail_rate / 2:
                error = {"__type": "ThrottlingException" if not is_cbor else "Throttling", "message": "Rate exceeded (injected)"}
                status = 400
            else:
                error = {"__type": "ServiceUnavailable", "message": "injected 503"}
                status = 503
            if is_cbor:
                return self.send(status, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, cbor2.dumps(error))
            return self.send(status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(error).encode())
        if is_api and self.server.delay and roll > 1 - self.server.fail_rate:
            threading.Event().wait(self.server.delay)
        if not is_cbor:
            status, headers, data = self.forward("POST", self.path, dict(self.headers), body)
            target = self.headers.get("X-Amz-Target", "")
            if status == 200 and target.startswith(ECS_TARGET) and data:
                operation_model = ECS_MODEL.operation_model(target[len(ECS_TARGET):])
                data = json.dumps(conform(json.loads(data), operation_model.output_shape)).encode()
            if status >= 400 and target and data.lstrip().startswith(b"<"):
                status, headers, data = json_error(status, data)
            return self.send(status, headers, data)
        request = to_json(cbor2.loads(body)) if body else {}
        offset = 0
        if operation == "GetMetricData" and self.server.page_points:
            offset = int(request.pop("NextToken", "0") or "0")
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "GraniteServiceVersion20100801." + operation,
            "Authorization": self.headers.get("Authorization", ""),
            "X-Amz-Date": self.headers.get("X-Amz-Date", ""),
        }
        status, _, data = self.forward("POST", "/", headers, json.dumps(request).encode())
        payload = json.loads(data) if data else {}
        if status >= 400:
            kind = str(payload.get("__type", "InternalFailure")).split("#")[-1]
            payload = {"__type": kind, "message": payload.get("message") or payload.get("Message", "")}
        else:
            if operation == "GetMetricData" and self.server.page_points:
                payload = paginate(payload, offset, self.server.page_points)
            payload = tag_timestamps(payload, MODEL.operation_model(operation).output_shape)
        self.send(status, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, cbor2.dumps(payload))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--moto", type=int, required=True)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--page-points", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.listen), Handler)
    server.moto_port = args.moto
    server.fail_rate = args.fail_rate
    server.delay = args.delay
    server.random = random.Random(args.seed)
    server.page_points = args.page_points
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
