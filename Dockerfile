# gitlab-mock as a container: a static binary FROM scratch. Fixtures and
# scenarios are embedded in the binary (go:embed), so the image holds one file.
#
#   docker build --build-arg VERSION=$(git describe --always) -t gitlab-mock .
#   docker run --rm -p 8080:8080 gitlab-mock
#
# Configure it with GITLAB_MOCK_* environment variables (see README.md).
# cmd/gitlab-mock/container_test.go checks this file's key lines and the
# binary's premises (static, runs with an empty environment in an empty
# directory, healthcheck exit codes, SIGTERM); `make image` assembles the same
# image without a Docker engine.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gitlab-mock ./cmd/gitlab-mock

FROM scratch
COPY --from=build /out/gitlab-mock /gitlab-mock
EXPOSE 8080
ENV GITLAB_MOCK_ADDR=0.0.0.0:8080
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 CMD ["/gitlab-mock","healthcheck"]
ENTRYPOINT ["/gitlab-mock"]
