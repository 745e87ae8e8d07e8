# Builds the single congdanso binary.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/congdanso ./cmd/congdanso

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/congdanso /usr/local/bin/congdanso
ENV CONGDANSO_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["congdanso"]
CMD ["serve"]
