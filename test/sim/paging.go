package main

import (
	"fmt"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// A real vCenter keeps a bounded number of unfinished retrievals per collector and drops
// the oldest; clients must not rely on abandoned tokens living forever.
const maxPendingRetrievals = 32

// pagingCollector is vcsim's PropertyCollector plus what vcsim 0.24 lacks and a real
// vCenter does: RetrieveOptions.maxObjects is honoured, and the rest of a result is handed
// out with ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx by token.
//
// The simulator dispatches SOAP methods by reflection on the registered object, and
// creates each session's collector with reflect.New of the registered type, so this type
// must work from its zero value.
type pagingCollector struct {
	simulator.PropertyCollector

	pagingMu  sync.Mutex
	pending   map[string]*pendingRetrieval
	order     []string // tokens, oldest first
	lastToken int
}

type pendingRetrieval struct {
	pageSize int
	objects  []types.ObjectContent
}

// installPagingCollector swaps the simulator's PropertyCollector singleton for ours,
// before any session has made its own copy of it.
func installPagingCollector(ref types.ManagedObjectReference) {
	pc := &pagingCollector{}
	pc.Self = ref
	simulator.Map.Put(pc)
}

func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, req *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, req)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	pageSize := int(req.Options.MaxObjects)
	objects := visibleObjects(ctx, body.Res.Returnval.Objects)
	if len(objects) == 0 {
		body.Res.Returnval = nil // vCenter: an empty result has no returnval
		return body
	}
	if pageSize <= 0 || len(objects) <= pageSize {
		body.Res.Returnval.Objects = objects
		return body
	}
	first := pc.startPaging(pageSize, objects)
	body.Res.Returnval = &first
	return body
}

// RetrieveProperties is RetrievePropertiesEx without paging, and sees as much.
func (pc *pagingCollector) RetrieveProperties(ctx *simulator.Context, req *types.RetrieveProperties) soap.HasFault {
	body := &methods.RetrievePropertiesBody{}
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, &types.RetrievePropertiesEx{This: req.This, SpecSet: req.SpecSet})
	if res.Fault() != nil {
		body.Fault_ = res.Fault()
		return body
	}
	var objects []types.ObjectContent
	if ex := res.(*methods.RetrievePropertiesExBody).Res.Returnval; ex != nil {
		objects = visibleObjects(ctx, ex.Objects)
	}
	body.Res = &types.RetrievePropertiesResponse{Returnval: objects}
	return body
}

func (pc *pagingCollector) ContinueRetrievePropertiesEx(req *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	page, ok := pc.nextPage(req.Token)
	if !ok {
		body.Fault_ = invalidToken(req.Token)
		return body
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: page}
	return body
}

func (pc *pagingCollector) CancelRetrievePropertiesEx(req *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	pc.pagingMu.Lock()
	defer pc.pagingMu.Unlock()
	if _, ok := pc.pending[req.Token]; !ok {
		body.Fault_ = invalidToken(req.Token)
		return body
	}
	pc.forget(req.Token)
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

// CreatePropertyCollector hands out paging collectors too, so clients that use their own
// collector (as govc and pyVmomi often do) page the same way.
func (pc *pagingCollector) CreatePropertyCollector(ctx *simulator.Context, _ *types.CreatePropertyCollector) soap.HasFault {
	return &methods.CreatePropertyCollectorBody{
		Res: &types.CreatePropertyCollectorResponse{
			Returnval: ctx.Session.Put(&pagingCollector{}).Reference(),
		},
	}
}

func (pc *pagingCollector) startPaging(pageSize int, objects []types.ObjectContent) types.RetrieveResult {
	pc.pagingMu.Lock()
	defer pc.pagingMu.Unlock()
	if pc.pending == nil {
		pc.pending = map[string]*pendingRetrieval{}
	}
	if len(pc.order) >= maxPendingRetrievals {
		pc.forget(pc.order[0])
	}
	pc.lastToken++
	token := fmt.Sprintf("%d", pc.lastToken)
	pc.pending[token] = &pendingRetrieval{pageSize: pageSize, objects: objects[pageSize:]}
	pc.order = append(pc.order, token)
	return types.RetrieveResult{Token: token, Objects: objects[:pageSize]}
}

func (pc *pagingCollector) nextPage(token string) (types.RetrieveResult, bool) {
	pc.pagingMu.Lock()
	defer pc.pagingMu.Unlock()
	p, ok := pc.pending[token]
	if !ok {
		return types.RetrieveResult{}, false
	}
	if len(p.objects) <= p.pageSize {
		pc.forget(token) // last page: no token, like vCenter
		return types.RetrieveResult{Objects: p.objects}, true
	}
	page := p.objects[:p.pageSize]
	p.objects = p.objects[p.pageSize:]
	return types.RetrieveResult{Token: token, Objects: page}, true
}

// forget drops a token; the caller holds pagingMu.
func (pc *pagingCollector) forget(token string) {
	delete(pc.pending, token)
	for i, t := range pc.order {
		if t == token {
			pc.order = append(pc.order[:i], pc.order[i+1:]...)
			break
		}
	}
}

// A real vCenter answers an unknown or finished token with InvalidArgument on "token".
func invalidToken(token string) *soap.Fault {
	return simulator.Fault(fmt.Sprintf("invalid token %q", token), &types.InvalidArgument{InvalidProperty: "token"})
}

var _ mo.Reference = (*pagingCollector)(nil)
