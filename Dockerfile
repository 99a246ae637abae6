FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY xsd ./xsd
COPY migrations ./migrations
RUN pip install --no-cache-dir '.[postgres]' \
 && useradd --create-home --uid 10001 feedsvc \
 && mkdir /data && chown feedsvc /data

USER feedsvc
ENV FEEDSVC_DATABASE_URL=sqlite:////data/feedsvc.db
VOLUME /data
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["feedsvc", "serve", "--host", "0.0.0.0", "--port", "8000"]
