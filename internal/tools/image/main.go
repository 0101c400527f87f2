// Command image assembles gitlab-mock's container image without a Docker
// engine: one layer holding the static binary at /gitlab-mock on an empty
// base (FROM scratch), with the Dockerfile's configuration (entrypoint,
// non-root user, exposed port, GITLAB_MOCK_ADDR, healthcheck). It writes an
// OCI image layout directory and/or a tarball that `docker load` and
// `podman load` accept.
//
//	go run . -binary ../../../bin/gitlab-mock -version v1.2.3 \
//	    -oci ../../../bin/image-oci -tar ../../../bin/gitlab-mock-image.tar
//
// It lives in its own module so the mock's module does not depend on
// go-containerregistry.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's configuration: the same values as the Dockerfile's final stage
// (image_test.go checks they agree).
const (
	binaryPath = "/gitlab-mock"
	user       = "65532:65532"
	port       = "8080/tcp"
	addrEnv    = "GITLAB_MOCK_ADDR=0.0.0.0:8080"
)

// epoch stamps the layer and config so the same binary gives the same image.
var epoch = time.Unix(0, 0).UTC()

// Build returns the image for the static linux binary at bin.
func Build(bin []byte, version, arch string) (v1.Image, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{
		Name: binaryPath[1:], Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg,
		ModTime: epoch, Uname: "root", Gname: "root",
	}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layerBytes := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created: v1.Time{Time: epoch}, CreatedBy: "COPY --from=build /out/gitlab-mock /gitlab-mock",
			Comment: "gitlab-mock static binary",
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: epoch}
	cf.Config = v1.Config{
		Entrypoint:   []string{binaryPath},
		User:         user,
		ExposedPorts: map[string]struct{}{port: {}},
		Env:          []string{addrEnv},
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", binaryPath, "healthcheck"},
			Interval:    5 * time.Second,
			Timeout:     3 * time.Second,
			StartPeriod: 2 * time.Second,
			Retries:     3,
		},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "gitlab-mock",
			"org.opencontainers.image.description": "A GitLab-compatible mock server for integration tests",
			"org.opencontainers.image.version":     version,
		},
	}
	return mutate.ConfigFile(img, cf)
}

func main() {
	binary := flag.String("binary", "", "static linux `path` of the gitlab-mock binary (required)")
	version := flag.String("version", "dev", "image `version` (label and tag)")
	arch := flag.String("arch", runtime.GOARCH, "the binary's `GOARCH`")
	ociDir := flag.String("oci", "", "write an OCI image layout to this `directory`")
	tarPath := flag.String("tar", "", "write a docker-load tarball to this `file`")
	repo := flag.String("repo", "gitlab-mock", "image `repository` for the tarball's tag")
	flag.Parse()
	if err := run(*binary, *version, *arch, *ociDir, *tarPath, *repo); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(binary, version, arch, ociDir, tarPath, repo string) error {
	if binary == "" || (ociDir == "" && tarPath == "") {
		return errors.New("need -binary and at least one of -oci, -tar")
	}
	bin, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	img, err := Build(bin, version, arch)
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	if ociDir != "" {
		if err := os.RemoveAll(ociDir); err != nil {
			return err
		}
		p, err := layout.Write(ociDir, empty.Index)
		if err != nil {
			return err
		}
		if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
			"org.opencontainers.image.ref.name": version,
		})); err != nil {
			return err
		}
		fmt.Printf("OCI layout %s (%s)\n", ociDir, digest)
	}
	if tarPath != "" {
		tag, err := name.NewTag(repo + ":" + tagSafe(version))
		if err != nil {
			return err
		}
		if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
			return err
		}
		fi, err := os.Stat(tarPath)
		if err != nil {
			return err
		}
		fmt.Printf("image tarball %s: %s, %d bytes (%s); load it with: docker load -i %s\n", tarPath, tag, fi.Size(), digest, tarPath)
	}
	return nil
}

// tagSafe turns a version into a valid tag (git describe may give "+").
func tagSafe(v string) string {
	out := []rune(v)
	for i, r := range out {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			out[i] = '-'
		}
	}
	if len(out) == 0 {
		return "dev"
	}
	return string(out)
}
