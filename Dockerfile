# ActionLab: one image for every process of the deployment (release, web, worker, beat).
# The command chooses the process; see docker-compose.yml.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (the outcome report's PDF) draws text with Pango, in a font that has the
# characters people type.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --home-dir /home/actionlab --uid 10001 actionlab

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN pip install -c constraints.txt .

COPY --chown=actionlab:actionlab . .
# .dockerignore keeps a local virtualenv and local data out of the image.
# var/ holds the collected static files and the beat schedule.
RUN mkdir -p var/staticfiles \
    && chown -R actionlab:actionlab var

USER actionlab

EXPOSE 8000
CMD ["bin/web"]
