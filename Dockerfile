# syntax=docker/dockerfile:1
# ada-mcp over Streamable HTTP at :8080/mcp. The default arguments listen on
# all interfaces, which requires ADA_MCP_AUTH_TOKEN (see README, "Docker").

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ada-mcp .

# Static binary, no shell, runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ada-mcp /ada-mcp
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/ada-mcp"]
CMD ["--transport", "http", "--addr", "0.0.0.0:8080"]
