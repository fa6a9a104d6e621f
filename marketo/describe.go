package marketo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// DescribeService reads object metadata, which the planner checks manifests
// against. Results are cached for the client's lifetime — Marketo changes
// them rarely and recommends caching (MARKETO_API.md §5.5) — so planning a
// thousand manifests costs one call per object type. Returned values are
// shared: do not modify them.
type DescribeService struct {
	client *Client

	mu    sync.Mutex
	cache map[string]*describeEntry
}

// describeEntry is filled once; concurrent callers wait on done.
type describeEntry struct {
	done  chan struct{}
	value any
	resp  *Response
	err   error
}

// cached runs fetch once per key. Failures are not cached, so the next
// caller tries again.
func (s *DescribeService) cached(ctx context.Context, key string, fetch func() (any, *Response, error)) (any, *Response, error) {
	for {
		s.mu.Lock()
		if s.cache == nil {
			s.cache = map[string]*describeEntry{}
		}
		e, ok := s.cache[key]
		if !ok {
			e = &describeEntry{done: make(chan struct{})}
			s.cache[key] = e
			s.mu.Unlock()
			e.value, e.resp, e.err = fetch()
			if e.err != nil {
				s.mu.Lock()
				delete(s.cache, key)
				s.mu.Unlock()
			}
			close(e.done)
			return e.value, e.resp, e.err
		}
		s.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		if e.err == nil {
			return e.value, e.resp, nil
		}
		// The filler failed (perhaps its own context ended): try ourselves.
	}
}

func (s *DescribeService) describe(ctx context.Context, key, path string) (*ObjectDescription, *Response, error) {
	v, resp, err := s.cached(ctx, key, func() (any, *Response, error) {
		r := &request{method: http.MethodGet, path: path, idempotent: true}
		resp, env, err := s.client.do(ctx, r)
		if err != nil {
			return nil, resp, err
		}
		d, err := firstResult[ObjectDescription](env, r.op())
		if err != nil {
			return nil, resp, err
		}
		return d, resp, nil
	})
	if err != nil {
		return nil, resp, err
	}
	return v.(*ObjectDescription), resp, nil
}

// Lead describes the lead object: every field's REST name, display name,
// type, length and updateability.
//
//meta:operation GET /rest/v1/leads/describe2.json
func (s *DescribeService) Lead(ctx context.Context) (*ObjectDescription, *Response, error) {
	return s.describe(ctx, "leads", "/rest/v1/leads/describe2.json")
}

// ProgramMember describes the program member object.
//
//meta:operation GET /rest/v1/programs/members/describe.json
func (s *DescribeService) ProgramMember(ctx context.Context) (*ObjectDescription, *Response, error) {
	return s.describe(ctx, "programMembers", "/rest/v1/programs/members/describe.json")
}

// CustomObject describes the custom object apiName ("car_c").
//
//meta:operation GET /rest/v1/customobjects/{apiName}/describe.json
func (s *DescribeService) CustomObject(ctx context.Context, apiName string) (*ObjectDescription, *Response, error) {
	if err := CustomObject(apiName).validate(); err != nil {
		return nil, nil, err
	}
	return s.describe(ctx, "customObject:"+apiName, "/rest/v1/customobjects/"+url.PathEscape(apiName)+"/describe.json")
}

// Object describes leads, program members or a custom object. Activities
// have no field description; use ActivityTypes.
func (s *DescribeService) Object(ctx context.Context, obj Object) (*ObjectDescription, *Response, error) {
	switch obj.Kind {
	case ObjectLeads:
		return s.Lead(ctx)
	case ObjectProgramMembers:
		return s.ProgramMember(ctx)
	case ObjectCustomObject:
		return s.CustomObject(ctx, obj.APIName)
	}
	return nil, nil, fmt.Errorf("marketo: %s has no field description (activities are described by ActivityTypes)", obj)
}

// ActivityTypes lists the activity types: id, name, primary attribute and
// attributes.
//
//meta:operation GET /rest/v1/activities/types.json
func (s *DescribeService) ActivityTypes(ctx context.Context) ([]ActivityType, *Response, error) {
	v, resp, err := s.cached(ctx, "activityTypes", func() (any, *Response, error) {
		r := &request{method: http.MethodGet, path: "/rest/v1/activities/types.json", idempotent: true}
		resp, env, err := s.client.do(ctx, r)
		if err != nil {
			return nil, resp, err
		}
		var types []ActivityType
		if err := decodeResult(env, &types); err != nil {
			return nil, resp, err
		}
		return types, resp, nil
	})
	if err != nil {
		return nil, resp, err
	}
	return v.([]ActivityType), resp, nil
}
