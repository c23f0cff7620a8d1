# Builds accord-server on the official Swift image and runs it on a slim Debian.
FROM swift:6.2-bookworm AS build
WORKDIR /build
COPY Package.swift ./
COPY Sources ./Sources
COPY clients ./clients
COPY Tests ./Tests
RUN swift build -c release --product accord-server --static-swift-stdlib \
    && mkdir /staging \
    && cp "$(swift build -c release --show-bin-path)/accord-server" /staging/ \
    && cp -R "$(swift build -c release --show-bin-path)/accord_AccordServer.resources" /staging/

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl libsqlite3-0 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /app accord
WORKDIR /app
COPY --from=build --chown=accord:accord /staging /app
USER accord
ENV ACCORD_HOST=0.0.0.0 ACCORD_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["/app/accord-server"]
CMD ["serve"]
