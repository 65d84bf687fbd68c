# syntax=docker/dockerfile:1
# pps-gate image: build with dev dependencies, run on distroless Node with production
# dependencies only, as a non-root user, with no shell.

# --- build: compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies only ---
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime: no shell, no npm, uid 65532 ---
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY proto ./proto
USER 65532:65532
# gRPC ext_authz + health, HTTP forward-auth, admin (/healthz, /readyz, /metrics).
EXPOSE 9191 9292 9090
# The config directory is a ConfigMap mounted at /etc/pps-gate (see helm/pps-gate).
ENTRYPOINT ["/nodejs/bin/node", "dist/main.js", "serve"]
CMD ["--config", "/etc/pps-gate/issuers.yaml"]
