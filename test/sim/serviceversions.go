package main

import (
	"net/http"
	"strings"

	"github.com/vmware/govmomi/simulator"
)

// vCenter 8.0.3 lists in /sdk/vimServiceVersions.xml its own API version and every older one
// it still serves; clients such as pyVmomi pick the newest version they share with it from
// this list. vcsim answers with its model's 6.5 and two prior versions, so a pyVmomi 6.7
// would speak 6.5 to the lab and 6.7.1 to a real vCenter. The prior versions are those a
// recorded vCenter 8.0.x lists (../shared/fixtures/vcenter-recorded/pyvmomi-8.0.3).
var vCenterServiceVersions = []string{
	"8.0.2.0", "8.0.1.0", "8.0.0.2", "8.0.0.1", "8.0.0.0",
	"7.0.3.2", "7.0.3.1", "7.0.3.0", "7.0.2.1", "7.0.2.0", "7.0.1.1", "7.0.1.0", "7.0.0.2", "7.0.0.0",
	"6.9.1", "6.8.7", "6.7.3", "6.7.2", "6.7.1", "6.7", "6.5", "6.0", "5.5", "5.1", "5.0", "4.1", "4.0",
}

const serviceVersionsPath = "/sdk/vimServiceVersions.xml"

// installServiceVersions answers GET /sdk/vimServiceVersions.xml as vCenter 8.0.3 does
// (apiVersion 8.0.3.0, see installVCenterAbout); every other request goes on to vcsim.
func installServiceVersions(server *simulator.Server) {
	next := server.Config.Handler
	body := serviceVersionsXML("8.0.3.0", vCenterServiceVersions)
	server.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != serviceVersionsPath || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(body))
	})
}

// serviceVersionsXML is the document as vCenter writes it: one line, no indentation.
func serviceVersionsXML(current string, prior []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace><name>urn:vim25</name><version>`)
	b.WriteString(current)
	b.WriteString(`</version><priorVersions>`)
	for _, v := range prior {
		b.WriteString(`<version>` + v + `</version>`)
	}
	b.WriteString("</priorVersions></namespace></namespaces>\n")
	return b.String()
}
