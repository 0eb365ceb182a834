# The service image: built with the dev dependencies (nest, typescript), run without them.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# NODE_ENV is not production here, so npm ci installs what the build needs.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The embedded stores' files (DATA_DIR defaults to ./data), writable by the unprivileged user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
