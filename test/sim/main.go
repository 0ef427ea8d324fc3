// Command drperm-lab starts the govmomi vCenter simulator (vcsim) with an inventory built
// from a scenario, and prints one JSON line (test/helpers/lab-info.ts LabInfo) when ready.
package main

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
)

type labInfo struct {
	URL              string `json:"url"`
	Username         string `json:"username"`
	Password         string `json:"password"`
	ThumbprintSha256 string `json:"thumbprintSha256"`
	ThumbprintSha1   string `json:"thumbprintSha1"`
	CertFile         string `json:"certFile"`
}

type options struct {
	scenario  string
	port      int
	username  string
	password  string
	plainHTTP bool
	stdinEOF  bool
	profile   string
	scale     ScaleSpec
	// vcsimSemantics keeps vcsim 0.24's own behaviour instead of vCenter's contract.
	vcsimSemantics bool
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.scenario, "scenario", "-", "scenario JSON file (- for stdin)")
	flag.IntVar(&o.port, "port", 0, "port on 127.0.0.1 (0: a free port)")
	flag.StringVar(&o.username, "username", "administrator@vsphere.local", "the only user name Login accepts")
	// XML-special characters make every client prove that it escapes the password.
	flag.StringVar(&o.password, "password", "Lab&<Pass>1", "the only password Login accepts")
	flag.BoolVar(&o.plainHTTP, "no-tls", false, "serve plain HTTP instead of HTTPS")
	flag.BoolVar(&o.stdinEOF, "exit-on-stdin-eof", false, "stop when stdin closes (the launcher died)")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the inventory build to this file")
	flag.IntVar(&o.scale.Datacenters, "scale-datacenters", 0, "benchmark: datacenters DC0..")
	flag.IntVar(&o.scale.Clusters, "scale-clusters", 0, "benchmark: clusters per datacenter")
	flag.IntVar(&o.scale.HostsPerCluster, "scale-hosts", 0, "benchmark: hosts per new cluster (default 3)")
	flag.IntVar(&o.scale.Tenants, "scale-tenants", 0, "benchmark: tenants tenant-000.. (default: one per 250 VMs)")
	flag.IntVar(&o.scale.VMs, "scale-vms", 0, "benchmark: VMs spread over the tenants")
	flag.BoolVar(&o.vcsimSemantics, "vcsim-semantics", false,
		"keep vcsim 0.24's behaviour: replace-all SetEntityPermissions, raw names, vcsim settings and about")
	flag.Parse()
	return o
}

func main() {
	if err := run(parseFlags()); err != nil {
		fmt.Fprintf(os.Stderr, "drperm-lab: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	started := time.Now()
	scenario, err := readScenario(o.scenario)
	if err != nil {
		return err
	}
	overrideScale(&scenario.Scale, o.scale)
	applyScale(scenario)

	if err := checkPortFree(o.port); err != nil {
		return err
	}
	workDir, err := os.MkdirTemp(workBase(), "drperm-lab-")
	if err != nil {
		return err
	}
	defer removeDataDir(workDir)
	stop := stopSignals(o.stdinEOF)
	ctx, abort := context.WithCancel(context.Background())
	defer abort()
	building := make(chan struct{})
	go abortWhileBuilding(stop, building, abort)

	// An empty vCenter model: the scenario builds everything.
	model := simulator.VPX()
	model.Datacenter, model.Portgroup, model.Host, model.Cluster = 0, 0, 0, 0
	model.ClusterHost, model.Datastore, model.Machine = 0, 0, 0
	if err := model.Create(); err != nil {
		return err
	}
	client, err := vim25.NewClient(ctx, model.Service)
	if err != nil {
		return err
	}
	var dir *directory
	if !o.vcsimSemantics {
		if dir, err = newDirectory(scenario.Users, scenario.Groups, o.username, o.password); err != nil {
			return fmt.Errorf("scenario users: %w", err)
		}
		enforced = installLabAuthorization(*client.ServiceContent.AuthorizationManager, client.ServiceContent.RootFolder)
		installVCenterAbout()
	}
	stopProfile, err := startProfile(o.profile)
	if err != nil {
		return err
	}
	err = newBuilder(ctx, client, workDir).build(scenario)
	stopProfile()
	if err != nil {
		return err
	}
	installPagingCollector(client.ServiceContent.PropertyCollector)
	if !o.vcsimSemantics {
		// After the build: the scenario names objects raw, as a client creating them would.
		installNameEscaping()
		enforceAuthorization(enforced, dir, *client.ServiceContent.UserDirectory, client.ServiceContent.RootFolder)
	}
	built := time.Since(started)
	close(building)

	model.Service.Listen = &url.URL{Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))}
	if !o.vcsimSemantics {
		// Explicit credentials: vcsim then rejects every other user name and password
		// (the login gate lets the scenario's users in). vcsim itself accepts any login.
		model.Service.Listen.User = url.UserPassword(o.username, o.password)
	}
	if !o.plainHTTP {
		model.Service.TLS = new(tls.Config) // vcsim's built-in self-signed certificate
	}
	server := model.Service.NewServer()
	defer server.Close()
	if !o.vcsimSemantics {
		hideSimulatorSettings()
		installLoginGate(server, model.Service, dir)
		installPrivilegeCalls(server, enforced)
		installServiceVersions(server)
	}

	info := labInfo{
		URL:      (&url.URL{Scheme: server.URL.Scheme, Host: server.URL.Host, Path: server.URL.Path}).String(),
		Username: o.username,
		Password: o.password,
	}
	if !o.plainHTTP {
		cert := server.Certificate()
		info.ThumbprintSha256 = thumbprint(sha256Sum(cert.Raw))
		info.ThumbprintSha1 = thumbprint(sha1Sum(cert.Raw))
		if info.CertFile, err = writeCertificate(workDir, cert); err != nil {
			return err
		}
	}
	// One line, and '&' or '<' in the password stay readable.
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(info); err != nil {
		return err
	}
	reportStats(model, built, time.Since(started))

	<-stop
	return nil
}

// workBase picks where the datastores' files go. vcsim writes a directory and three
// files per VM; on tmpfs a 45,000-VM lab starts and stops several times faster than on
// a busy disk, and the files are nearly empty. TMPDIR, when set, wins.
func workBase() string {
	if os.Getenv("TMPDIR") != "" {
		return os.TempDir()
	}
	if probe, err := os.MkdirTemp("/dev/shm", "drperm-lab-probe-"); err == nil {
		_ = os.Remove(probe)
		return "/dev/shm"
	}
	return os.TempDir()
}

// checkPortFree fails before a long build rather than after it (vcsim panics when it
// cannot listen).
func checkPortFree(port int) error {
	if port == 0 {
		return nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d: %w", port, err)
	}
	return l.Close()
}

func startProfile(file string) (func(), error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

func overrideScale(s *ScaleSpec, flags ScaleSpec) {
	for _, p := range []struct {
		dst *int
		src int
	}{
		{&s.Datacenters, flags.Datacenters}, {&s.Clusters, flags.Clusters},
		{&s.HostsPerCluster, flags.HostsPerCluster}, {&s.Tenants, flags.Tenants}, {&s.VMs, flags.VMs},
	} {
		if p.src > 0 {
			*p.dst = p.src
		}
	}
}

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
func sha1Sum(b []byte) []byte   { s := sha1.Sum(b); return s[:] }

// thumbprint formats a digest like govc and vCenter do: AB:CD:...
func thumbprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func writeCertificate(dir string, cert *x509.Certificate) (string, error) {
	file := filepath.Join(dir, "lab-cert.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	return file, os.WriteFile(file, data, 0o644)
}

// reportStats tells people (on stderr) what the lab cost, for benchmark notes.
func reportStats(model *simulator.Model, built, ready time.Duration) {
	debug.FreeOSMemory() // hand the build's garbage back: the lab idles for the rest of its life
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	n := model.Count()
	fmt.Fprintf(os.Stderr, "drperm-lab: %d datacenters, %d hosts, %d VMs, %d folders, %d resource pools; built in %s, ready in %s; Go heap %d MiB, sys %d MiB\n",
		n.Datacenter, n.Host, n.Machine, n.Folder, n.Pool, built.Round(time.Millisecond), ready.Round(time.Millisecond), m.HeapAlloc>>20, m.Sys>>20)
}

// stopSignals delivers SIGTERM, SIGINT and (when asked) the end of stdin, which means
// the launcher is gone. It is set up before the build so no signal is ever missed.
func stopSignals(stdinEOF bool) chan os.Signal {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	if stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			select {
			case stop <- syscall.SIGTERM:
			default: // a signal is already pending
			}
		}()
	}
	return stop
}

// abortWhileBuilding cancels the build when the lab is told to stop before it is ready:
// a large inventory takes a while, and its temporary files must go even then (the
// builder stops between objects, then run's deferred clean-up removes them).
func abortWhileBuilding(stop chan os.Signal, building chan struct{}, abort context.CancelFunc) {
	select {
	case <-stop:
		abort()
	case <-building:
	}
}
