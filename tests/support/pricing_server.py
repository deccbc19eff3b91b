"""Test-only stand-in for the AWS Price List Query API (moto has no Pricing service).

Answers `GetProducts` in the awsJson1_1 protocol the way api.pricing.<region>.amazonaws.com
does: POST /, header `X-Amz-Target: AWSPriceListService.GetProducts`, JSON body
{"ServiceCode", "Filters": [{"Type", "Field", "Value"}], "FormatVersion", "NextToken",
"MaxResults"}; response {"FormatVersion": "aws_v1", "PriceList": [<JSON strings>],
"NextToken": ...}. The documents come from a recorded file (pricing_items.json: real-format
PriceList items). Filters are honoured against the product's attributes (TERM_MATCH and
EQUALS exact; CONTAINS, ANY_OF, NONE_OF as the current API defines them).

Options:
  --listen PORT     port on 127.0.0.1 (0: any; the port is printed on the ready line)
  --items FILE      recorded documents (default: pricing_items.json beside this file)
  --page-size N     at most N documents a page even when MaxResults asks for more
  --throttle N      answer the first N GetProducts with ThrottlingException (HTTP 400)

Prints "ready PORT" once listening. GET /_stats gives {"requests", "throttled", "pages"}.
Python standard library only.
"""

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET_PREFIX = "AWSPriceListService."
LOCK = threading.Lock()
STATS = {"requests": 0, "throttled": 0, "pages": 0, "tokens_seen": []}


def load_items(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    items = data["items"] if isinstance(data, dict) else data
    return [(s, json.loads(s)) for s in items]


def matches(doc, service, filters):
    attributes = doc.get("product", {}).get("attributes", {})
    if doc.get("serviceCode", attributes.get("servicecode")) != service:
        return False
    for f in filters:
        kind, field, value = f.get("Type"), f.get("Field"), f.get("Value", "")
        actual = attributes.get(field)
        if kind in ("TERM_MATCH", "EQUALS"):
            if actual != value:
                return False
        elif kind == "CONTAINS":
            if actual is None or value not in actual:
                return False
        elif kind == "ANY_OF":
            if actual not in [v.strip() for v in value.split(",")]:
                return False
        elif kind == "NONE_OF":
            if actual in [v.strip() for v in value.split(",")]:
                return False
        else:
            raise ValueError(f"unknown filter type {kind!r}")
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    items = []
    page_size = 100
    throttle = 0

    def log_message(self, *args):
        pass

    def reply(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error_type, message):
        self.reply(status, {"__type": error_type, "Message": message}, error_type)

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                self.reply(200, STATS)
        else:
            self.error(404, "NotFoundException", "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        if target != TARGET_PREFIX + "GetProducts":
            self.error(400, "UnknownOperationException", f"unknown target {target!r}")
            return
        with LOCK:
            STATS["requests"] += 1
            if STATS["throttled"] < Handler.throttle:
                STATS["throttled"] += 1
                throttled = True
            else:
                throttled = False
        if throttled:
            self.error(400, "ThrottlingException", "Rate exceeded")
            return
        try:
            request = json.loads(raw or b"{}")
            service = request["ServiceCode"]
            fmt = request.get("FormatVersion", "aws_v1")
            if fmt != "aws_v1":
                raise ValueError(f"FormatVersion {fmt!r} is not aws_v1")
            selected = [
                s for s, doc in Handler.items if matches(doc, service, request.get("Filters", []))
            ]
            start = int(request.get("NextToken") or 0)
            size = min(int(request.get("MaxResults", 100)), Handler.page_size)
            if not 1 <= size <= 100 or start < 0 or start > len(selected):
                raise ValueError("MaxResults or NextToken out of range")
        except (KeyError, ValueError, TypeError) as e:
            self.error(400, "InvalidParameterException", str(e))
            return
        page = selected[start : start + size]
        body = {"FormatVersion": "aws_v1", "PriceList": page}
        if start + size < len(selected):
            body["NextToken"] = str(start + size)
        with LOCK:
            STATS["pages"] += 1
            if request.get("NextToken"):
                STATS["tokens_seen"].append(request["NextToken"])
        self.reply(200, body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, default=0)
    parser.add_argument(
        "--items",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "pricing_items.json"),
    )
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--throttle", type=int, default=0)
    args = parser.parse_args()
    Handler.items = load_items(args.items)
    Handler.page_size = args.page_size
    Handler.throttle = args.throttle
    server = ThreadingHTTPServer(("127.0.0.1", args.listen), Handler)
    print(f"ready {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
