"""The baseline of benchmark 1: FastAPI + uvicorn answering a constant XML document.

It runs exactly as ``feedsvc serve`` runs its app (``uvicorn.run(app, host, port,
log_level="info")``, so the same loop, HTTP parser and access log), reads the request
body as feedsvc does, and does nothing else: no signature, no database, no XML work.

    python -m bench.bare_app --port 8001
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI, Request, Response

BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<SubmitFeedResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/"><SubmitFeedResult>'
    b"<FeedSubmissionInfo><FeedSubmissionId>50001</FeedSubmissionId>"
    b"<FeedType>_POST_ORDER_ACKNOWLEDGEMENT_DATA_</FeedType>"
    b"<SubmittedDate>2026-11-01T10:00:00+00:00</SubmittedDate>"
    b"<FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus></FeedSubmissionInfo>"
    b"</SubmitFeedResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000"
    b"</RequestId></ResponseMetadata></SubmitFeedResponse>"
)

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/")
async def submit(request: Request) -> Response:
    await request.body()
    return Response(BODY, headers={"Content-Type": "text/xml"})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="bench.bare_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
