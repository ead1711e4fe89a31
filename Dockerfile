# Multi-stage build of twofa: the SPA, the release binary, and a slim non-root runtime.
# The steps mirror scripts/run.sh (npm ci + npm run build; cargo build --release -p twofa-api).

FROM node:20-bookworm-slim AS spa
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
COPY openapi.yaml /src/openapi.yaml
RUN npm run build

FROM rust:1.95-bookworm AS server
RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates
COPY tests ./tests
COPY migrations ./migrations
ENV CARGO_TARGET_DIR=/src/target
RUN cargo build --release --locked -p twofa-api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/twofa --create-home twofa
COPY --from=server /src/target/release/twofa /usr/local/bin/twofa
COPY --from=spa /src/frontend/dist /usr/share/twofa/spa
ENV TWOFA_BIND=0.0.0.0:8080 \
    TWOFA_DATA_DIR=/var/lib/twofa \
    TWOFA_STATIC_DIR=/usr/share/twofa/spa
USER twofa
VOLUME /var/lib/twofa
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["twofa", "healthcheck"]
ENTRYPOINT ["twofa"]
CMD ["serve"]
