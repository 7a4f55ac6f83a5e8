# rulebot: the same `npm start` as in the README, as a non-root user with production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# better-sqlite3 is a native module: build tools in case no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080 RULES_DIR=/app/rules DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY rules ./rules
# `npm start` bundles src/ into dist/ first (esbuild), then runs plain JavaScript.
RUN mkdir -p /app/data /app/dist && chown node:node /app/data /app/dist
VOLUME /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["npm", "start"]
