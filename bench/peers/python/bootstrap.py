"""A minimal Lambda Runtime API client for the Python peer, so it is driven exactly like our Rust functions:
process start -> import the handler module (init) -> GET .../next -> handler(event, context) -> POST
.../response, in a loop. The real Lambda Python runtime does the same with more code of its own."""

import http.client
import json
import os
import sys

api = os.environ["AWS_LAMBDA_RUNTIME_API"]
host, port = api.split(":")
conn = http.client.HTTPConnection(host, int(port))
prefix = "/2018-06-01/runtime"


def call(method, route, body=None):
    conn.request(method, prefix + route, body=body, headers={"content-type": "application/json"})
    res = conn.getresponse()
    return res.getheader("lambda-runtime-aws-request-id"), res.read()


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import handler as module
except Exception as err:  # an init error, as the runtime reports it
    call("POST", "/init/error", json.dumps({"errorType": type(err).__name__, "errorMessage": str(err)}))
    sys.exit(1)

while True:
    request_id, body = call("GET", "/invocation/next")
    try:
        response = module.handler(json.loads(body), None)
        call("POST", f"/invocation/{request_id}/response", json.dumps(response))
    except Exception as err:
        call("POST", f"/invocation/{request_id}/error",
             json.dumps({"errorType": type(err).__name__, "errorMessage": str(err)}))
