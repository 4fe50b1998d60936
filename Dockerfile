# Image of the partner-onboarding worker and HTTP API (docker-compose.yml runs it
# twice: `npm run worker` and `npm run api`). TypeScript runs as-is through tsx,
# which is a runtime dependency, so there is no compile step and dev dependencies
# stay out of the image. The workflow bundle is built once, here, instead of by
# every worker at start.
#
# Node 24, an LTS line (supported until April 2028), pinned by digest so that a
# rebuild gets the same base image. The digest is that of node:24-bookworm-slim as
# published on Docker Hub (Node 24.18.0, mid-2026), read from public Dockerfiles
# that pin it; it was not pulled from this machine (no Docker here). Before a
# release, check it and take the newest patch:
#   docker buildx imagetools inspect node:24-bookworm-slim
#   docker buildx imagetools inspect node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d
FROM node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# NPM_CONFIG_LOGLEVEL=silent: npm prints no "> script" banner, so the container's
# output is only the program's JSON log lines.
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_LOGLEVEL=silent

WORKDIR /app

# Dependencies first, so that source edits reuse this layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Sources stay owned by root: the program only reads them.
COPY . .

# The workflow bundle, built once (workers/workflowBundle.ts); workers load it
# through WORKFLOW_BUNDLE_PATH instead of bundling the workflows at every start.
RUN npx tsx workers/workflowBundle.ts /app/dist/workflow-bundle.js

# DATA_DIR (outbox, Slack fallback, local state). A named volume mounted here
# inherits this ownership on first use.
RUN mkdir -p /data && chown node:node /data
# HTTP_HOST stays unset (loopback): docker-compose.yml opens it with 0.0.0.0
# together with API_KEYS.
ENV DATA_DIR=/data \
    HTTP_PORT=3000 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js

USER node
EXPOSE 3000
CMD ["npm", "run", "worker"]
