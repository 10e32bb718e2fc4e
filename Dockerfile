# osqsim image: one image for every role (`osqsim server`, `osqsim simulate`, `osqsim run`, `osqsim bench …`).
# The CLI runs from the TypeScript sources through tsx (a runtime dependency), the same way `npm start` does,
# so the image needs no build step and the simulator's worker threads load exactly as in development.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app

# Dependencies first so that source edits do not invalidate the npm layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit && npm cache clean --force

COPY . .

# Results of `osqsim run` / `osqsim simulate --out` go here; docker-compose.yml bind-mounts ./runs. The image
# runs as root so that a bind mount Docker creates (root-owned) stays writable.
RUN mkdir -p /app/runs

EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/osqsim.js"]
CMD ["server", "--host", "0.0.0.0", "--port", "8080"]
