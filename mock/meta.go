package mock

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// health is /-/health: GitLab answers plain text.
func (s *Server) health(c *gin.Context) *apiError {
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte("GitLab OK"))
	return nil
}

// readiness answers /-/readiness and /-/liveness.
func (s *Server) readiness(c *gin.Context) *apiError {
	writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

type kasJSON struct {
	Enabled             bool    `json:"enabled"`
	ExternalURL         *string `json:"externalUrl"`
	ExternalK8sProxyURL *string `json:"externalK8sProxyUrl"`
	Version             *string `json:"version"`
}

type metadataJSON struct {
	Version    string  `json:"version"`
	Revision   string  `json:"revision"`
	KAS        kasJSON `json:"kas"`
	Enterprise bool    `json:"enterprise"`
}

// mockRevision stands in for the git revision GitLab reports.
const mockRevision = "6d1f1ec9a8c"

// version is GET /api/v4/version (any logged-in user).
func (s *Server) version(c *gin.Context) *apiError {
	if _, err := s.requireLogin(c, scopesAPI); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, metadataJSON{Version: s.gitlabVersion, Revision: mockRevision})
	return nil
}

// metadata is GET /api/v4/metadata, the successor of /version.
func (s *Server) metadata(c *gin.Context) *apiError {
	return s.version(c)
}
