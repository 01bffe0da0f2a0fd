# syntax=docker/dockerfile:1
#
# One image, three commands:
#   api         node --max-old-space-size=256 dist/main.js   (default CMD; heap: docs/operations.md, "Memory")
#   worker      node dist/worker.js
#   migrations  node node_modules/typeorm/cli.js -d dist/data-source.js migration:run
#               (what `npm run migrate:prod` runs)
#
# --omit=optional also drops packages npm marks devOptional (@nestjs/platform-express, an
# optional peer of @nestjs/core used only by the adapter benchmark) and native speed-ups
# that have JavaScript fallbacks (msgpackr-extract).
#
# Install scripts are skipped (--ignore-scripts): none is needed. argon2 ships prebuilt
# binaries that node-gyp-build loads at runtime, and npm 11 blocks install scripts anyway.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full dependencies, compile src/ and migrations/ to dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json tsconfig.migrations.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- runtime: production dependencies and dist/ only, as the unprivileged `node` user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    PORT=8000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /app/uploads \
 && chown node:node /app/uploads
COPY --from=build /app/dist ./dist
USER node
# 8000 the API; 9465 its liveness listener (LIVENESS_PORT) and 9466 its /metrics (METRICS_PORT),
# 9464 the worker's /metrics and liveness (WORKER_METRICS_PORT) — the probe and metrics ports
# are for the orchestrator and the scraper, not for the public
EXPOSE 8000 9464 9465 9466
# Liveness only (no dependency checks), on LIVENESS_PORT when set (the API's probe listener,
# answered from its own thread), else on PORT. The worker serves no API; its liveness is on
# WORKER_METRICS_PORT (9464) — docker-compose.yml and the k8s manifests point there.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const p=Number(process.env.LIVENESS_PORT)||process.env.PORT||8000;fetch('http://127.0.0.1:'+p+'/health/liveness').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "--max-old-space-size=256", "dist/main.js"]
