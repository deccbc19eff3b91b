"""A loopback stand-in for S3's answer to a request sent to the wrong region: moto (5.2)
serves every bucket from any region, so it cannot produce it. Every request gets what S3
sends: HTTP 301, the `x-amz-bucket-region` header and a `PermanentRedirect` XML error body
(https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).

Usage: s3_redirect.py REGION   listens on a free 127.0.0.1 port and prints it
"""

import http.server
import sys

region = sys.argv[1]
BODY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code>'
    "<Message>The bucket you are attempting to access must be addressed using the specified endpoint. "
    "Please send all future requests to this endpoint.</Message>"
    f"<Endpoint>s3.{region}.amazonaws.com</Endpoint><RequestId>0000000000000000</RequestId></Error>"
).encode()


class Redirect(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(301)
        self.send_header("x-amz-bucket-region", region)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(BODY)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = answer

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
print(server.server_address[1], flush=True)
server.serve_forever()
