FROM python:3.11-slim

WORKDIR /srv/accord
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY frontend ./frontend
RUN pip install --no-cache-dir -e . \
    && useradd --system --home /srv/accord accord \
    && mkdir -p /srv/accord/data && chown accord /srv/accord/data
USER accord

ENV ACCORD_HOST=0.0.0.0 ACCORD_PORT=8000 ACCORD_DATA_DIR=/srv/accord/data
EXPOSE 8000
CMD ["accord", "serve"]
