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

It also answers the Savings Plans API's `DescribeSavingsPlansOfferingRates` (moto has no
Savings Plans service) in its restJson1 protocol, as savingsplans.amazonaws.com does: POST
/DescribeSavingsPlansOfferingRates, JSON body {"savingsPlanTypes", "savingsPlanPaymentOptions",
"products", "serviceCodes", "filters": [{"name", "values"}], "maxResults", "nextToken"};
response {"searchResults": [{"savingsPlanOffering": {"offeringId", "paymentOption", "planType",
"durationSeconds", "currency", "planDescription"}, "rate", "unit", "productType",
"serviceCode", "usageType", "operation", "properties": [{"name", "value"}]}], "nextToken"}.
Its rows come from --plan-rates; each request field is honoured as a filter.

  --plan-rates FILE offering rate rows (default: savings_plans_rates.json beside this file)
  --deny-plans      answer DescribeSavingsPlansOfferingRates with AccessDeniedException

Prints "ready PORT" once listening. GET /_stats gives {"requests", "throttled", "pages", "tokens_seen", "plan_tokens_seen"}.
Python standard library only.
"""

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET_PREFIX = "AWSPriceListService."
LOCK = threading.Lock()
STATS = {"requests": 0, "throttled": 0, "pages": 0, "tokens_seen": [], "plan_tokens_seen": []}


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
    plan_rates = []
    deny_plans = False

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
        if self.path == "/DescribeSavingsPlansOfferingRates":
            self.offering_rates(raw)
            return
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

    def rest_reply(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def offering_rates(self, raw):
        with LOCK:
            STATS["requests"] += 1
        if Handler.deny_plans:
            self.rest_reply(
                403,
                {
                    "message": "User: arn:aws:iam::123456789012:user/test is not authorized to perform: savingsplans:DescribeSavingsPlansOfferingRates"
                },
                "AccessDeniedException",
            )
            return
        try:
            request = json.loads(raw or b"{}")
            rows = [r for r in Handler.plan_rates if plan_matches(r, request)]
            start = int(request.get("nextToken") or 0)
            size = min(int(request.get("maxResults", 1000)), Handler.page_size)
            if not 1 <= size <= 1000 or start < 0 or start > len(rows):
                raise ValueError("maxResults or nextToken out of range")
        except (KeyError, ValueError, TypeError) as e:
            self.rest_reply(400, {"message": str(e)}, "ValidationException")
            return
        body = {"searchResults": rows[start : start + size]}
        if start + size < len(rows):
            body["nextToken"] = str(start + size)
        with LOCK:
            STATS["pages"] += 1
            if request.get("nextToken"):
                STATS["plan_tokens_seen"].append(request["nextToken"])
        self.rest_reply(200, body)


def plan_matches(row, request):
    offering = row["savingsPlanOffering"]
    checks = [
        ("savingsPlanTypes", offering["planType"]),
        ("savingsPlanPaymentOptions", offering["paymentOption"]),
        ("products", row["productType"]),
        ("serviceCodes", row["serviceCode"]),
        ("usageTypes", row["usageType"]),
        ("operations", row["operation"]),
        ("savingsPlanOfferingIds", offering["offeringId"]),
    ]
    for field, actual in checks:
        wanted = request.get(field)
        if wanted and actual not in wanted:
            return False
    properties = {p["name"]: p["value"] for p in row.get("properties", [])}
    for f in request.get("filters", []):
        if properties.get(f["name"]) not in f.get("values", []):
            return False
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, default=0)
    parser.add_argument(
        "--items",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "pricing_items.json"),
    )
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--throttle", type=int, default=0)
    parser.add_argument(
        "--plan-rates",
        default=os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "savings_plans_rates.json"
        ),
    )
    parser.add_argument("--deny-plans", action="store_true")
    args = parser.parse_args()
    with open(args.plan_rates, encoding="utf-8") as f:
        Handler.plan_rates = json.load(f)["searchResults"]
    Handler.deny_plans = args.deny_plans
    Handler.items = load_items(args.items)
    Handler.page_size = args.page_size
    Handler.throttle = args.throttle
    server = ThreadingHTTPServer(("127.0.0.1", args.listen), Handler)
    print(f"ready {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
