# The wirehttp demo site (the Flask-style examples, the login example, the labs) in a container:
#   docker build -t wirehttp .
#   docker run -p 5000:5000 wirehttp
# BASE is any Debian-like image with node >= 20 and npm (node:22-slim: Node 20 is past its end of life).
ARG BASE=node:22-slim

# Build stage: every dependency (TypeScript included), then compile to dist/.
FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies only, the compiled code, and the examples' templates.
FROM ${BASE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY examples ./examples
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/examples ./dist/examples
# the --inspect page's HTML, CSS and script (plain files, read at run time)
COPY src/inspect/live/assets ./src/inspect/live/assets
# An unprivileged user that does not own the code: a compromised app cannot rewrite itself.
RUN groupadd --system wirehttp && useradd --system --gid wirehttp --no-create-home --shell /usr/sbin/nologin wirehttp
USER wirehttp
EXPOSE 5000
# slim images have no curl: node itself asks for the index page
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5000) + '/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/wirehttp.js", "demo"]
