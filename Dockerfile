# syntax=docker/dockerfile:1.7
# Mowt's production image. Two stages: `build` compiles the server and the web app with every dependency;
# `runtime` holds only production dependencies and the compiled output, runs as an unprivileged user and
# writes nowhere but /tmp (ECS mounts a task-local volume there; the root filesystem is read-only).
# No secret is baked in: ECS injects them from Secrets Manager at start (infra/image/runtime-env.mjs).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY emulator ./emulator
COPY web ./web
COPY bin ./bin
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MOWT_DATA_DIR=/tmp/mowt \
    PORT=8443 \
    HTTP_PORT=8080 \
    NODE_OPTIONS="--enable-source-maps --max-semi-space-size=32"
WORKDIR /app
# Amazon RDS's CA bundle, so the app can connect with sslmode=verify-full.
ADD --chmod=0444 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
RUN groupadd --system --gid 10001 mowt \
 && useradd --system --uid 10001 --gid mowt --no-create-home --home-dir /tmp --shell /usr/sbin/nologin mowt
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force && rm -rf /root/.npm
# Code stays owned by root: the app user can read it, never change it.
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
COPY bin ./bin
COPY infra/image ./infra/image
USER 10001:10001
EXPOSE 8443
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/infra/image/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/infra/image/entrypoint.mjs"]
CMD ["start"]
