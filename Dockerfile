# syntax=docker/dockerfile:1
# edibridge image: `docker build -t edibridge:$(node -p "require('./package.json').version") .`
# The manifests in infra/ run it as `node bin/edibridge.js serve` (see infra/RUNBOOK.md).

# ---- build: install everything, compile src/ to dist/, then drop the dev dependencies ----
FROM node:20-slim AS build
WORKDIR /app
# `npm ci` runs the `prepare` script (`npm run build`, tsc), so the sources go in first.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: what the service reads at run time, owned by root, run as an unprivileged user ----
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
# package.json carries "type": "module", which dist/ needs; schemas/ holds the X12 guides and
# the SQL migrations read at run time.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY schemas ./schemas
# The files stay root-owned and read-only to the process; it writes only under /tmp
# (EDIBRIDGE_ACK_DIR points there in infra/). 1000 is the image's `node` user, given by number
# so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
CMD ["node", "bin/edibridge.js", "serve"]
