# Image of the partner-onboarding worker and HTTP API (docker-compose.yml runs it
# twice: `npm run worker` and `npm run api`). TypeScript runs as-is through tsx,
# which is a runtime dependency, so there is no build step and dev dependencies
# stay out of the image.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first, so that source edits reuse this layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Sources stay owned by root: the program only reads them.
COPY . .

# DATA_DIR (outbox, Slack fallback, local state). A named volume mounted here
# inherits this ownership on first use.
RUN mkdir -p /data && chown node:node /data
# HTTP_HOST stays unset (loopback): docker-compose.yml opens it with 0.0.0.0
# together with API_KEYS.
ENV DATA_DIR=/data \
    HTTP_PORT=3000

USER node
EXPOSE 3000
CMD ["npm", "run", "worker"]
